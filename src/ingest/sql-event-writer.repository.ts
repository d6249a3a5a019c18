import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  EVENT_COLUMNS,
  eventParams,
  EventRecord,
  EVENTS_TABLE,
  QUARANTINE_COLUMNS,
  QUARANTINE_REASON_LIMIT,
  QUARANTINE_TABLE,
  quarantineParams,
  QuarantineRecord,
} from '../database/events-table';
import { SOURCE_CHECKPOINTS_TABLE } from '../database/schema';
import { SQL_DIALECT, SqlDialect, SqlStatement } from '../database/sql-dialect';
import {
  EventWriter,
  SourcePosition,
  StorageUnavailableError,
  WriteResult,
} from './event-writer.repository';

type Row = readonly unknown[];

const TRUNCATED = 'audit.k8s.io/truncated';
/** The other columns of a row (URI, user agent, ...) take at most this much beside the JSON. */
const OTHER_COLUMNS_BYTES = 128 * 1024;

const DEADLOCK_ATTEMPTS = 3;
/** MySQL ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT; SQLite SQLITE_BUSY. */
const TRANSIENT_LOCK_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);

export function isTransientLockError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (
    let e = error;
    e && typeof e === 'object' && !seen.has(e);
    e = (e as { driverError?: unknown }).driverError
  ) {
    seen.add(e);
    if (TRANSIENT_LOCK_CODES.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

/** An upper bound of a row's size on the wire: a UTF-16 unit is at most 3 bytes of UTF-8. */
function approximateBytes(row: Row): number {
  let bytes = 16;
  for (const value of row) {
    if (typeof value === 'string') bytes += value.length * 3 + 4;
    else if (Buffer.isBuffer(value)) bytes += value.length + 4;
    else bytes += 12;
  }
  return bytes;
}

/** `rows.flat()` without its generic slow path: ~10k values per statement on the hot path. */
function flatten(rows: Row[]): unknown[] {
  const width = rows.length > 0 ? rows[0].length : 0;
  const out = new Array<unknown>(rows.length * width);
  let i = 0;
  for (const row of rows) for (const value of row) out[i++] = value;
  out.length = i;
  return out;
}

/** Splits rows into statements that respect the placeholder limit and the packet size. */
export function chunkRows<T extends Row>(rows: T[], maxParams: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = approximateBytes(row);
    const full = (current.length + 1) * row.length > maxParams || bytes + size > maxBytes;
    if (current.length > 0 && full) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * An event too large for one statement would fail the whole batch forever (the apiserver
 * retries, then drops it). Do what the apiserver's own truncate backend does: drop the request
 * and response objects and mark the event, keeping who/what/when. The content hash stays the
 * hash of the whole event, so a re-send is still recognised.
 */
export function truncatedEventJson(json: string): string {
  const {
    requestObject: _req,
    responseObject: _res,
    ...rest
  } = JSON.parse(json) as Record<string, unknown>;
  const annotations = {
    ...(rest.annotations as Record<string, string> | undefined),
    [TRUNCATED]: 'true',
  };
  return JSON.stringify({ ...rest, annotations });
}

/** Multi-row INSERT IGNORE in one transaction per batch; the only place ingest SQL lives. */
@Injectable()
export class SqlEventWriter implements EventWriter {
  private readonly logger = new Logger(SqlEventWriter.name);
  private readonly eventsInsert: string;
  private readonly quarantineInsert: string;
  private readonly positionUpsert: string;
  private readonly eventPlaceholders = `(${EVENT_COLUMNS.map(() => '?').join(',')})`;
  private readonly quarantinePlaceholders = `(${QUARANTINE_COLUMNS.map(() => '?').join(',')})`;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
  ) {
    this.eventsInsert = dialect.insertIgnore(EVENTS_TABLE, EVENT_COLUMNS);
    this.quarantineInsert = dialect.insertIgnore(QUARANTINE_TABLE, QUARANTINE_COLUMNS);
    this.positionUpsert = dialect.upsert(SOURCE_CHECKPOINTS_TABLE, [
      'source',
      'position',
      'last_event_ms',
      'updated_at_ms',
    ]);
  }

  async write(
    records: EventRecord[],
    quarantine: QuarantineRecord[],
    position?: SourcePosition,
  ): Promise<WriteResult> {
    if (records.length === 0 && quarantine.length === 0 && !position) {
      return { inserted: 0, quarantined: 0 };
    }
    const events = records.map((record) => eventParams(this.fitToStatement(record)));
    const quarantined = quarantine.map((record) => quarantineParams(this.fitQuarantine(record)));
    const positionStatement: SqlStatement | undefined = position && {
      sql: this.positionUpsert,
      params: [position.source, position.position, position.lastEventMs, position.updatedAtMs],
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeOnce(events, quarantined, positionStatement);
      } catch (error) {
        // Concurrent retries of one batch insert the same unique keys; InnoDB may pick one as a
        // deadlock victim. The transaction rolled back whole, so running it again is safe.
        if (attempt >= DEADLOCK_ATTEMPTS || !isTransientLockError(error)) {
          throw new StorageUnavailableError(error);
        }
      }
    }
  }

  /** Bytes one large value (an event's JSON, a quarantined record) may take in a statement. */
  private get valueLimit(): number {
    return this.dialect.maxStatementBytes - OTHER_COLUMNS_BYTES;
  }

  /** Whether `text` fits in one statement beside a row's other columns (UTF-8 counted lazily). */
  private fits(text: string): boolean {
    const limit = this.valueLimit;
    return text.length * 3 <= limit || Buffer.byteLength(text) <= limit;
  }

  private fitToStatement(record: EventRecord): EventRecord {
    const json = record.event;
    if (this.fits(json)) return record;
    this.logger.warn(
      `event ${record.auditID.slice(0, 64)} is ${json.length} bytes; stored without its objects`,
    );
    return { ...record, event: truncatedEventJson(json) };
  }

  /**
   * A quarantined record too large for one statement would be refused on every retry (a
   * source's batch is retried as it is, and would never get past it): keep its start, which is
   * what a person reads, and say so in the reason. The content hash stays that of the whole.
   */
  private fitQuarantine(record: QuarantineRecord): QuarantineRecord {
    const raw = record.raw;
    if (this.fits(raw)) return record;
    const keep = Math.floor(this.valueLimit / 3);
    const note = ` (stored cut to its first ${keep} of ${raw.length} characters)`;
    return {
      ...record,
      raw: raw.slice(0, keep),
      reason: record.reason.slice(0, QUARANTINE_REASON_LIMIT - note.length) + note,
    };
  }

  private async writeOnce(
    events: Row[],
    quarantine: Row[],
    position: SqlStatement | undefined,
  ): Promise<WriteResult> {
    const eventStatements = this.statements(this.eventsInsert, this.eventPlaceholders, events);
    const quarantineStatements = this.statements(
      this.quarantineInsert,
      this.quarantinePlaceholders,
      quarantine,
    );
    const changed = await this.dialect.writeTransaction(this.dataSource, [
      ...eventStatements,
      ...quarantineStatements,
      ...(position ? [position] : []),
    ]);
    const sum = (counts: number[]) => counts.reduce((total, n) => total + n, 0);
    return {
      inserted: sum(changed.slice(0, eventStatements.length)),
      quarantined: sum(
        changed.slice(eventStatements.length, eventStatements.length + quarantineStatements.length),
      ),
    };
  }

  private statements(prefix: string, placeholders: string, rows: Row[]): SqlStatement[] {
    return chunkRows(rows, this.dialect.maxParams, this.dialect.maxStatementBytes).map((chunk) => ({
      sql: prefix + new Array<string>(chunk.length).fill(placeholders).join(','),
      params: flatten(chunk),
    }));
  }
}
