import type { DataSource } from 'typeorm';
import { withConnectionDeadline } from './connection-deadline';
import { SQLITE_FTS_TABLE, TEXT_SEARCH_COLUMNS } from './schema';

/**
 * SQLite's read deadline (src/audit/query-deadline.ts registers the function and binds the
 * parameter on every read): on one row in 1024, a JavaScript function that throws once the
 * epoch milliseconds bound as `:readDeadline` have passed, which aborts the statement.
 */
export const SQLITE_READ_DEADLINE = { fn: 'audit_read_deadline', param: 'readDeadline' } as const;

/** The deadline check on rows of `alias` (a table with a rowid). */
export function sqliteDeadlineCheck(alias: string): string {
  return `((${alias}.rowid & 1023) <> 0 OR ${SQLITE_READ_DEADLINE.fn}(:${SQLITE_READ_DEADLINE.param}))`;
}

/** A SQL condition with its named parameters. */
export interface BoundCondition {
  sql: string;
  params: Record<string, unknown>;
}

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/**
 * Everything that differs between MySQL/MariaDB and SQLite, in one place. Repositories write
 * portable SQL with `?` placeholders and ask the dialect for the rest.
 */
export interface SqlDialect {
  readonly name: 'mysql' | 'sqlite';
  /** Column types for the schema. */
  readonly types: {
    binary16: 'binary' | 'blob';
    longText: 'longtext' | 'text';
    microTime: 'datetime' | 'text';
  };
  /** `INSERT IGNORE` (MySQL) or `INSERT OR IGNORE` (SQLite): the idempotent insert. */
  insertIgnore(table: string, columns: readonly string[]): string;
  /**
   * One row inserted, or the row with the same key (the first column, the primary key) updated
   * to the given values: a statement with one `?` per column, in the order given.
   */
  upsert(table: string, columns: readonly [string, ...string[]]): string;
  /**
   * Runs the statements in one transaction and returns the rows each changed. Resolves only
   * after the commit; on any error everything is rolled back and the promise rejects.
   */
  writeTransaction(dataSource: DataSource, statements: SqlStatement[]): Promise<number[]>;
  /** Most `?` placeholders one statement may carry. */
  readonly maxParams: number;
  /** Statement size (bytes) to stay under: MySQL's max_allowed_packet, read at startup. */
  maxStatementBytes: number;
  /** Runs once after the connection is up (read server limits, set pragmas). */
  prepare(dataSource: DataSource): Promise<void>;
  /**
   * A condition: the event `alias` has every word as a word prefix in its searchable text
   * (schema.ts TEXT_SEARCH_COLUMNS). Words (letters, digits and `_` only) are bound as
   * parameters named by `param()`, never spliced into the SQL.
   */
  textSearch(alias: string, words: readonly string[], param: () => string): BoundCondition;
  /**
   * The same condition checked row by row, without the full-text index: cheap over a few
   * thousand recent rows, where the index would first collect every match of a common word.
   * Undefined where the index has no such cost (SQLite's FTS5 table).
   */
  textScan?(alias: string, words: readonly string[], param: () => string): BoundCondition;
  /**
   * The bucket of a `time` column: whole seconds since the epoch (UTC, whatever the session
   * time zone) divided by the bound `:param` seconds, rounded down.
   */
  timeBucket(column: string, param: string): string;
}

/** The callback-style mysql2 connection under TypeORM's MySQL query runner. */
interface PreparedStatementConnection {
  execute(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

function execute(
  connection: PreparedStatementConnection,
  sql: string,
  params: unknown[],
): Promise<number> {
  return new Promise((resolve, reject) => {
    connection.execute(sql, params, (error, result) => {
      if (error) reject(error);
      else resolve((result as { affectedRows?: number }).affectedRows ?? 0);
    });
  });
}

/** The parts of better-sqlite3's API the SQLite dialect uses. */
interface BetterSqliteStatement {
  run(...params: unknown[]): { changes: number };
}
interface BetterSqliteDatabase {
  prepare(sql: string): BetterSqliteStatement;
  transaction<T>(fn: () => T): () => T;
}

/**
 * A batch not committed by then is given up (503, the apiserver sends it again): a third of the
 * apiserver's 30 s per attempt, which also covers uploading the body. Without it a database
 * that drops packets holds the webhook answer past the apiserver's timeout (test/faults).
 */
const WRITE_DEADLINE_MS = 10_000;

/** InnoDB's default innodb_ft_min_token_size: shorter words are not in a FULLTEXT index. */
const MIN_INDEXED_WORD = 3;

class MysqlDialect implements SqlDialect {
  readonly name = 'mysql' as const;

  /**
   * InnoDB's full-text index holds words of at least innodb_ft_min_token_size characters (3 by
   * default, a server-wide setting): longer words use the index (`+word*`); a shorter one is
   * matched at a word start by a regular expression over the same columns, after the index
   * (or the other filters) narrowed the rows.
   */
  textSearch(alias: string, words: readonly string[], param: () => string): BoundCondition {
    const columns = TEXT_SEARCH_COLUMNS.map((column) => `${alias}.${column}`);
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
    const indexed = words.filter((word) => word.length >= MIN_INDEXED_WORD);
    if (indexed.length > 0) {
      const p = param();
      parts.push(`MATCH(${columns.join(', ')}) AGAINST (:${p} IN BOOLEAN MODE)`);
      params[p] = indexed.map((word) => `+${word}*`).join(' ');
    }
    const short = this.textScan(
      alias,
      words.filter((w) => w.length < MIN_INDEXED_WORD),
      param,
    );
    if (short.sql !== '') parts.push(short.sql);
    return { sql: parts.join(' AND '), params: { ...params, ...short.params } };
  }

  /**
   * Each word at a word start of one of the columns: a LIKE over the columns joined (cheap,
   * rejects most rows) and then a REGEXP per column for the word start.
   */
  textScan(alias: string, words: readonly string[], param: () => string): BoundCondition {
    const columns = TEXT_SEARCH_COLUMNS.map((column) => `${alias}.${column}`);
    const joined = `CONCAT_WS(' ', ${columns.join(', ')})`;
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
    for (const word of words) {
      const [like, start] = [param(), param()];
      parts.push(
        `(${joined} LIKE :${like} AND (${columns.map((column) => `${column} REGEXP :${start}`).join(' OR ')}))`,
      );
      // Words hold letters, digits and `_`; `_` is LIKE's one-character wildcard.
      params[like] = `%${word.replace(/_/g, '\\_')}%`;
      params[start] = `(^|[^[:alnum:]_])${word}`;
    }
    return { sql: parts.join(' AND '), params };
  }

  timeBucket(column: string, param: string): string {
    return `TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ${column}) DIV :${param}`;
  }

  readonly types = { binary16: 'binary', longText: 'longtext', microTime: 'datetime' } as const;
  readonly maxParams = 60_000;
  maxStatementBytes = 4 * 1024 * 1024;

  insertIgnore(table: string, columns: readonly string[]): string {
    return `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES `;
  }

  upsert(table: string, [key, ...rest]: readonly [string, ...string[]]): string {
    const values = [key, ...rest].map(() => '?').join(', ');
    const updates = rest.map((c) => `${c} = VALUES(${c})`).join(', ');
    return `INSERT INTO ${table} (${[key, ...rest].join(', ')}) VALUES (${values}) ON DUPLICATE KEY UPDATE ${updates}`;
  }

  /**
   * Prepared statements: values travel as length-prefixed binary, not escaped into a ~1 MB SQL
   * text that the server parses again (that escaping was the largest CPU cost of ingest).
   * Values must not be `undefined`. mysql2 caches statements per connection (see
   * maxPreparedStatements in database.module.ts).
   */
  async writeTransaction(dataSource: DataSource, statements: SqlStatement[]): Promise<number[]> {
    return withConnectionDeadline(dataSource, WRITE_DEADLINE_MS, async (runner, connection) => {
      try {
        await runner.startTransaction();
        const changed: number[] = [];
        for (const { sql, params } of statements) {
          changed.push(await execute(connection as PreparedStatementConnection, sql, params));
        }
        await runner.commitTransaction();
        return changed;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    });
  }

  async prepare(dataSource: DataSource): Promise<void> {
    const rows = (await dataSource.query('SELECT @@max_allowed_packet AS maxPacket')) as {
      maxPacket: number | string;
    }[];
    const maxPacket = Number(rows[0]?.maxPacket ?? 4 * 1024 * 1024);
    // Prepared statements send values as length-prefixed bytes (no escaping); keep a tenth of
    // the packet for the statement's other values and the protocol's headers.
    this.maxStatementBytes = Math.max(64 * 1024, Math.floor(maxPacket * 0.9));
  }
}

class SqliteDialect implements SqlDialect {
  readonly name = 'sqlite' as const;

  textSearch(alias: string, words: readonly string[], param: () => string): BoundCondition {
    const p = param();
    return {
      // Collecting the matches of a common word is most of a slow search: check the deadline
      // there too (the reader binds it on every statement).
      sql: `${alias}.id IN (SELECT event_id FROM ${SQLITE_FTS_TABLE} WHERE ${SQLITE_FTS_TABLE} MATCH :${p} AND ${sqliteDeadlineCheck(SQLITE_FTS_TABLE)})`,
      params: { [p]: words.map((word) => `"${word}"*`).join(' ') },
    };
  }

  timeBucket(column: string, param: string): string {
    return `CAST(strftime('%s', ${column}) AS INTEGER) / :${param}`;
  }

  readonly types = { binary16: 'blob', longText: 'text', microTime: 'text' } as const;
  readonly maxParams = 32_000;
  maxStatementBytes = 256 * 1024 * 1024;

  insertIgnore(table: string, columns: readonly string[]): string {
    return `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES `;
  }

  upsert(table: string, [key, ...rest]: readonly [string, ...string[]]): string {
    const values = [key, ...rest].map(() => '?').join(', ');
    const updates = rest.map((c) => `${c} = excluded.${c}`).join(', ');
    return `INSERT INTO ${table} (${[key, ...rest].join(', ')}) VALUES (${values}) ON CONFLICT(${key}) DO UPDATE SET ${updates}`;
  }

  private readonly cache = new Map<string, BetterSqliteStatement>();

  /**
   * SQLite has one connection and TypeORM shares one query runner among all callers, so awaited
   * BEGIN/COMMIT calls of concurrent batches would nest into each other's transactions. The
   * better-sqlite3 handle runs the whole transaction synchronously instead: nothing interleaves.
   */
  async writeTransaction(dataSource: DataSource, statements: SqlStatement[]): Promise<number[]> {
    const db = (dataSource.driver as unknown as { databaseConnection: BetterSqliteDatabase })
      .databaseConnection;
    const run = db.transaction(() =>
      statements.map(({ sql, params }) => this.statement(db, sql).run(...params).changes),
    );
    return run();
  }

  private statement(db: BetterSqliteDatabase, sql: string): BetterSqliteStatement {
    let statement = this.cache.get(sql);
    if (!statement) {
      // Batch sizes vary; keep the cache from growing without bound.
      if (this.cache.size >= 64) this.cache.clear();
      statement = db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  async prepare(): Promise<void> {
    // Pragmas are set in prepareDatabase (database.module.ts), before TypeORM's first query.
  }
}

export function dialectFor(type: 'mysql' | 'sqlite'): SqlDialect {
  return type === 'mysql' ? new MysqlDialect() : new SqliteDialect();
}

export const SQL_DIALECT = Symbol('SQL_DIALECT');
