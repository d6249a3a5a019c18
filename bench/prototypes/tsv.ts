import { Readable } from 'node:stream';

/**
 * Rows -> the tab-separated text LOAD DATA reads with its defaults (FIELDS TERMINATED BY '\t'
 * ESCAPED BY '\\' LINES TERMINATED BY '\n'). Buffers (binary(16) ids and hashes) go as hex and
 * are UNHEX()ed by the statement, so no raw binary passes a character-set conversion.
 */
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
};

function field(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('hex');
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : text;
}

export function rowsToTsv(rows: readonly (readonly unknown[])[]): Buffer {
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let line = field(row[0]);
    for (let c = 1; c < row.length; c++) line += '\t' + field(row[c]);
    lines[r] = line;
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** A stream of the buffer in 64 KiB pieces: each piece becomes one protocol packet. */
export function bufferStream(buffer: Buffer, pieceBytes = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buffer.length) {
        this.push(null);
        return;
      }
      this.push(buffer.subarray(offset, offset + pieceBytes));
      offset += pieceBytes;
    },
  });
}

/**
 * `LOAD DATA LOCAL INFILE ... IGNORE`: the idempotent bulk insert. `hexColumns` are read into
 * variables and UNHEX()ed. affectedRows of the result is the number of rows inserted.
 */
export function loadDataSql(
  table: string,
  columns: readonly string[],
  hexColumns: readonly string[],
): string {
  const targets = columns.map((c) => (hexColumns.includes(c) ? `@${c}` : c));
  const sets = hexColumns.map((c) => `${c} = UNHEX(@${c})`);
  return (
    `LOAD DATA LOCAL INFILE '${table}.tsv' IGNORE INTO TABLE ${table} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
    `(${targets.join(', ')})` +
    (sets.length > 0 ? ` SET ${sets.join(', ')}` : '')
  );
}

/** The callback-style mysql2 connection TypeORM's MySQL query runner holds. */
export interface CallbackConnection {
  query(
    options: { sql: string; values?: unknown[]; infileStreamFactory?: (path: string) => Readable },
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

export function loadData(
  connection: CallbackConnection,
  sql: string,
  tsv: Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, infileStreamFactory: () => bufferStream(tsv) }, (error, result) => {
      if (error) reject(error);
      else resolve((result as { affectedRows?: number }).affectedRows ?? 0);
    });
  });
}
