import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { EVENTS_TABLE, QUARANTINE_TABLE } from '../database/events-table';
import { ACCESS_LOG_TABLE, DETECTIONS_TABLE } from '../database/schema';
import { lowestIdAt } from '../audit/event-filters';
import type { EventPurger, PurgedTable, PurgeScope, PurgeSession } from './event-purger.repository';

const TABLES: Record<PurgedTable, string> = {
  events: EVENTS_TABLE,
  quarantine: QUARANTINE_TABLE,
  access_log: ACCESS_LOG_TABLE,
  detections: DETECTIONS_TABLE,
};

/**
 * A chunk of 2000 took 0.4-0.8 s on MariaDB (each row leaves nine indexes), in a transaction of
 * its own beside ingest's. On SQLite a chunk holds the event loop (better-sqlite3 is
 * synchronous) and costs ~0.4 ms a row at 60,000 events, mostly the secondary indexes' pages:
 * 200 rows hold the webhook for ~0.1 s (docs/retention.md).
 */
const CHUNK_ROWS = { mysql: 2000, sqlite: 200 };

/** MySQL limits lock names to 64 characters. */
const LOCK_NAME_LENGTH = 64;

/** The time part of a UUIDv7: milliseconds since the epoch in the first 48 bits. */
function idTimeMs(id: Buffer): number {
  return id.readUIntBE(0, 6);
}

/** Statements of one session; everything is a primary-key (or (cluster, id)) range. */
class SqlPurgeSession implements PurgeSession {
  constructor(private readonly runner: QueryRunner) {}

  private where(scope: PurgeScope): { sql: string; params: unknown[] } {
    const bound = lowestIdAt(scope.beforeMs);
    return scope.cluster === undefined
      ? { sql: 'id < ?', params: [bound] }
      : { sql: 'cluster = ? AND id < ?', params: [scope.cluster, bound] };
  }

  /**
   * Finds the chunk's ids through the index (ordered by id, so the oldest go first and each
   * chunk starts where the last ended), then deletes exactly those by primary key: each chunk
   * locks only its own rows, never a range that ingest writes to.
   */
  async deleteChunk(table: PurgedTable, scope: PurgeScope, limit: number) {
    const where = this.where(scope);
    const rows = (await this.runner.query(
      `SELECT id FROM ${TABLES[table]} WHERE ${where.sql} ORDER BY id LIMIT ${Math.floor(limit)}`,
      where.params,
    )) as { id: Buffer }[];
    if (rows.length === 0) return { deleted: 0 };
    const ids = rows.map((row) => row.id);
    const result = await this.runner.query(
      `DELETE FROM ${TABLES[table]} WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
      true,
    );
    return { deleted: result.affected ?? 0, reachedMs: idTimeMs(ids[ids.length - 1]) };
  }

  async count(table: PurgedTable, scope: PurgeScope): Promise<number> {
    const where = this.where(scope);
    const [row] = (await this.runner.query(
      `SELECT COUNT(*) AS n FROM ${TABLES[table]} WHERE ${where.sql}`,
      where.params,
    )) as { n: number | string }[];
    return Number(row?.n ?? 0);
  }
}

/**
 * MySQL/MariaDB: the lock is `GET_LOCK` on the session's dedicated connection, named after the
 * database, so replicas sharing a database take turns and databases sharing a server do not
 * wait for each other; the server frees it if the connection dies. SQLite: one process owns
 * the file, so an in-process flag keeps runs from overlapping (a second process, such as
 * `npm run purge` beside the server, only deletes rows the other would have deleted).
 */
@Injectable()
export class SqlEventPurger implements EventPurger {
  private sqliteBusy = false;
  readonly chunkRows: number;
  readonly holdsEventLoop: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.holdsEventLoop = dataSource.options.type === 'better-sqlite3';
    this.chunkRows = this.holdsEventLoop ? CHUNK_ROWS.sqlite : CHUNK_ROWS.mysql;
  }

  async withLock<T>(work: (session: PurgeSession) => Promise<T>): Promise<T | undefined> {
    if (this.dataSource.options.type === 'better-sqlite3') {
      if (this.sqliteBusy) return undefined;
      this.sqliteBusy = true;
      const runner = this.dataSource.createQueryRunner();
      try {
        return await work(new SqlPurgeSession(runner));
      } finally {
        this.sqliteBusy = false;
        await runner.release();
      }
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ db }] = (await runner.query('SELECT DATABASE() AS db')) as { db: string }[];
      const name = `k8s_audit_retention:${db}`.slice(0, LOCK_NAME_LENGTH);
      const [row] = (await runner.query('SELECT GET_LOCK(?, 0) AS locked', [name])) as {
        locked: number | string | null;
      }[];
      if (Number(row?.locked) !== 1) return undefined;
      try {
        return await work(new SqlPurgeSession(runner));
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
      }
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  async oldestEventMs(): Promise<number | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id FROM ${EVENTS_TABLE} ORDER BY id LIMIT 1`,
    )) as { id: Buffer }[];
    return row ? idTimeMs(row.id) : undefined;
  }
}
