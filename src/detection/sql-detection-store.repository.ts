import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENTS_TABLE } from '../database/events-table';
import {
  DETECTION_FEED_TABLE,
  DETECTION_SIGNALS_TABLE,
  DETECTIONS_TABLE,
  INGEST_SEQ_COLUMN,
  SETTINGS_TABLE,
} from '../database/schema';
import { acquireDatabaseLease } from '../database/database-lease';
import { SQL_DIALECT, SqlDialect } from '../database/sql-dialect';
import type {
  DetectionStore,
  DetectorLease,
  GroupMember,
  NewDetection,
  NewSignal,
  StoredEventRow,
} from './detection-store.repository';

/** `audit_settings` row of the detector's position in the store order. */
export const CHECKPOINT_SETTING = 'detection_checkpoint';
/** Signals deleted per statement: a short lock beside ingest. */
const PRUNE_ROWS = 5000;

const DETECTION_COLUMNS = [
  'id',
  'event_id',
  'cluster',
  'rule',
  'priority',
  'severity',
  'output',
  'tags',
  'fields',
  'group_key',
  'grouped_into',
  'repeats',
  'detected_at_ms',
];
const SIGNAL_COLUMNS = ['rule', 'key_hash', 'event_id', 'value_hash', 'at_ms'];

function detectionParams(d: NewDetection): unknown[] {
  return [
    d.id,
    d.eventId,
    d.cluster,
    d.rule,
    d.priority,
    d.severity,
    d.output,
    d.tags,
    d.fields,
    d.groupKey,
    d.groupedInto ?? null,
    0,
    d.detectedAtMs,
  ];
}

interface RawRow {
  seq?: number | string | null;
  id: Buffer | null;
  cluster: string | null;
  event: string | null;
}

function toRow(row: RawRow): StoredEventRow {
  return {
    seq: Number(row.seq ?? 0),
    id: row.id ?? undefined,
    cluster: row.cluster ?? '',
    event: row.event ?? '',
  };
}

/** The parts of better-sqlite3's API used here. */
interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  transaction<T>(fn: () => T): () => T;
}

/**
 * MySQL/MariaDB: events in store order are `audit_events` rows by `ingest_seq` (its unique
 * index); the lock is GET_LOCK on a connection of its own outside the pool (the detector holds
 * it for as long as it runs, which would otherwise take one of ingest's connections for good).
 * SQLite: the better-sqlite3 handle directly (synchronous; one process owns the file), the store
 * order is `detection_feed`, and the lock is an in-process flag.
 */
@Injectable()
export class SqlDetectionStore implements DetectionStore {
  readonly backend: 'mysql' | 'sqlite';
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
  ) {
    this.backend = dialect.name;
  }

  // ---- SQLite helpers ----

  private get db(): SqliteDatabase {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
      .databaseConnection;
  }

  private stmt(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.backend === 'sqlite') return this.stmt(sql).all(...params) as T[];
    return (await this.dataSource.query(sql, params)) as T[];
  }

  // ---- lock ----

  async acquireLease(): Promise<DetectorLease | undefined> {
    return acquireDatabaseLease(this.dataSource, this.dialect, 'k8s_audit_detector');
  }

  // ---- store order ----

  async readAfter(seq: number, limit: number): Promise<StoredEventRow[]> {
    const n = Math.floor(limit);
    const rows =
      this.backend === 'mysql'
        ? await this.query<RawRow>(
            `SELECT ${INGEST_SEQ_COLUMN} AS seq, id, cluster, event FROM ${EVENTS_TABLE} WHERE ${INGEST_SEQ_COLUMN} > ? ORDER BY ${INGEST_SEQ_COLUMN} LIMIT ${n}`,
            [seq],
          )
        : await this.query<RawRow>(
            `SELECT f.seq AS seq, e.id AS id, e.cluster AS cluster, e.event AS event FROM ${DETECTION_FEED_TABLE} f LEFT JOIN ${EVENTS_TABLE} e ON e.id = f.event_id WHERE f.seq > ? ORDER BY f.seq LIMIT ${n}`,
            [seq],
          );
    return rows.map(toRow);
  }

  async readRanges(ranges: readonly (readonly [number, number])[]): Promise<StoredEventRow[]> {
    if (ranges.length === 0 || this.backend !== 'mysql') return [];
    const where = ranges.map(() => `${INGEST_SEQ_COLUMN} BETWEEN ? AND ?`).join(' OR ');
    const rows = await this.query<RawRow>(
      `SELECT ${INGEST_SEQ_COLUMN} AS seq, id, cluster, event FROM ${EVENTS_TABLE} WHERE ${where} ORDER BY ${INGEST_SEQ_COLUMN}`,
      ranges.flatMap(([from, to]) => [from, to]),
    );
    return rows.map(toRow);
  }

  async storeEnd(): Promise<number> {
    const [row] =
      this.backend === 'mysql'
        ? await this.query<{ n: number | string | null }>(
            `SELECT MAX(${INGEST_SEQ_COLUMN}) AS n FROM ${EVENTS_TABLE}`,
          )
        : // AUTOINCREMENT's high-water mark survives deleting the feed's rows.
          await this.query<{ n: number | string | null }>(
            `SELECT seq AS n FROM sqlite_sequence WHERE name = ?`,
            [DETECTION_FEED_TABLE],
          );
    return Number(row?.n ?? 0);
  }

  async checkpoint(): Promise<number | undefined> {
    const value = await this.setting(CHECKPOINT_SETTING);
    return value === undefined ? undefined : Number(value);
  }

  async passThrough(seq: number): Promise<void> {
    if (this.backend === 'mysql') {
      await this.dataSource.query(
        `INSERT INTO ${SETTINGS_TABLE} (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)`,
        [CHECKPOINT_SETTING, String(seq)],
      );
      return;
    }
    const upsert = this.stmt(
      `INSERT INTO ${SETTINGS_TABLE} (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
    );
    const prune = this.stmt(`DELETE FROM ${DETECTION_FEED_TABLE} WHERE seq <= ?`);
    this.db.transaction(() => {
      upsert.run(CHECKPOINT_SETTING, String(seq));
      prune.run(seq);
    })();
  }

  // ---- history (backfill) ----

  async readHistory(
    scope: { fromId: Buffer; toId: Buffer; cluster?: string },
    afterId: Buffer | undefined,
    limit: number,
  ): Promise<(StoredEventRow & { id: Buffer })[]> {
    const where = ['id >= ?', 'id < ?'];
    const params: unknown[] = [scope.fromId, scope.toId];
    if (afterId) {
      where.push('id > ?');
      params.push(afterId);
    }
    if (scope.cluster !== undefined) {
      where.push('cluster = ?');
      params.push(scope.cluster);
    }
    const rows = await this.query<RawRow>(
      `SELECT id, cluster, event FROM ${EVENTS_TABLE} WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${Math.floor(limit)}`,
      params,
    );
    return rows.map((row) => ({ ...toRow(row), id: row.id as Buffer }));
  }

  // ---- detections and signals ----

  async latestInGroup(
    groupKey: Buffer,
    fromId: Buffer,
    toId: Buffer,
  ): Promise<GroupMember | undefined> {
    const [row] = await this.query<{ id: Buffer; grouped_into: Buffer | null }>(
      `SELECT id, grouped_into FROM ${DETECTIONS_TABLE} WHERE group_key = ? AND id >= ? AND id <= ? ORDER BY id DESC LIMIT 1`,
      [groupKey, fromId, toId],
    );
    return row ? { id: row.id, groupedInto: row.grouped_into ?? undefined } : undefined;
  }

  async insertDetections(
    detections: NewDetection[],
    repeats: Map<string, number>,
  ): Promise<number> {
    if (detections.length === 0) return 0;
    const perStatement = Math.max(1, Math.floor(this.dialect.maxParams / DETECTION_COLUMNS.length));
    const row = `(${DETECTION_COLUMNS.map(() => '?').join(',')})`;
    const statements: { sql: string; params: unknown[] }[] = [];
    for (let i = 0; i < detections.length; i += perStatement) {
      const part = detections.slice(i, i + perStatement);
      statements.push({
        sql: `${this.dialect.insertIgnore(DETECTIONS_TABLE, DETECTION_COLUMNS)}${part.map(() => row).join(',')}`,
        params: part.flatMap(detectionParams),
      });
    }
    for (const [alertHex, n] of repeats) {
      statements.push({
        sql: `UPDATE ${DETECTIONS_TABLE} SET repeats = repeats + ? WHERE id = ?`,
        params: [n, Buffer.from(alertHex, 'hex')],
      });
    }
    const inserts = Math.ceil(detections.length / perStatement);
    if (this.backend === 'sqlite') {
      return this.db.transaction(() => {
        let inserted = 0;
        statements.forEach(({ sql, params }, i) => {
          const changes = this.db.prepare(sql).run(...params).changes;
          if (i < inserts) inserted += changes;
        });
        return inserted;
      })();
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      let inserted = 0;
      for (let i = 0; i < statements.length; i++) {
        const result = (await runner.query(statements[i].sql, statements[i].params, true)) as {
          affected?: number;
        };
        if (i < inserts) inserted += result.affected ?? 0;
      }
      await runner.commitTransaction();
      return inserted;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  async existingDetections(eventIds: Buffer[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < eventIds.length; i += 500) {
      const part = eventIds.slice(i, i + 500);
      const rows = await this.query<{ event_id: Buffer; rule: string }>(
        `SELECT event_id, rule FROM ${DETECTIONS_TABLE} WHERE event_id IN (${part.map(() => '?').join(',')})`,
        part,
      );
      for (const row of rows) found.add(`${row.event_id.toString('hex')}:${row.rule}`);
    }
    return found;
  }

  async insertSignal(signal: NewSignal): Promise<void> {
    const sql = `${this.dialect.insertIgnore(DETECTION_SIGNALS_TABLE, SIGNAL_COLUMNS)}(?, ?, ?, ?, ?)`;
    const params = [signal.rule, signal.keyHash, signal.eventId, signal.valueHash, signal.atMs];
    if (this.backend === 'sqlite') this.stmt(sql).run(...params);
    else await this.dataSource.query(sql, params);
  }

  async countDistinct(rule: string, keyHash: Buffer, fromMs: number, toMs: number) {
    const [row] = await this.query<{ n: number | string }>(
      `SELECT COUNT(DISTINCT value_hash) AS n FROM ${DETECTION_SIGNALS_TABLE} WHERE rule = ? AND key_hash = ? AND at_ms > ? AND at_ms <= ?`,
      [rule, keyHash, fromMs, toMs],
    );
    return Number(row?.n ?? 0);
  }

  async signalBefore(rule: string, keyHash: Buffer, beforeMs: number): Promise<boolean> {
    const rows = await this.query(
      `SELECT 1 AS found FROM ${DETECTION_SIGNALS_TABLE} WHERE rule = ? AND key_hash = ? AND at_ms < ? LIMIT 1`,
      [rule, keyHash, beforeMs],
    );
    return rows.length > 0;
  }

  async pruneSignals(rule: string, beforeMs: number): Promise<number> {
    if (this.backend === 'sqlite') {
      return this.stmt(
        `DELETE FROM ${DETECTION_SIGNALS_TABLE} WHERE rowid IN (SELECT rowid FROM ${DETECTION_SIGNALS_TABLE} WHERE rule = ? AND at_ms < ? LIMIT ${PRUNE_ROWS})`,
      ).run(rule, beforeMs).changes;
    }
    const result = (await this.dataSource.query(
      `DELETE FROM ${DETECTION_SIGNALS_TABLE} WHERE rule = ? AND at_ms < ? LIMIT ${PRUNE_ROWS}`,
      [rule, beforeMs],
    )) as { affectedRows?: number };
    return result.affectedRows ?? 0;
  }

  async signalRules(): Promise<string[]> {
    // The primary key leads with the rule: one index step per distinct rule.
    const rows = await this.query<{ rule: string }>(
      `SELECT DISTINCT rule FROM ${DETECTION_SIGNALS_TABLE}`,
    );
    return rows.map((row) => row.rule);
  }

  // ---- settings ----

  async setting(name: string): Promise<string | undefined> {
    const [row] = await this.query<{ value: string }>(
      `SELECT value FROM ${SETTINGS_TABLE} WHERE name = ?`,
      [name],
    );
    return row?.value;
  }

  async settingIfAbsent(name: string, value: string): Promise<string> {
    const sql = `${this.dialect.insertIgnore(SETTINGS_TABLE, ['name', 'value'])}(?, ?)`;
    if (this.backend === 'sqlite') this.stmt(sql).run(name, value);
    else await this.dataSource.query(sql, [name, value]);
    return (await this.setting(name)) ?? value;
  }
}
