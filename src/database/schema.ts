import { EntitySchema, EntitySchemaColumnOptions } from 'typeorm';
import {
  ColumnSpec,
  EVENT_FIELD_NAMES,
  EVENT_FIELDS,
  EVENTS_TABLE,
  QUARANTINE_REASON_LIMIT,
  QUARANTINE_TABLE,
} from './events-table';
import type { SqlDialect } from './sql-dialect';

export { EVENTS_TABLE, QUARANTINE_TABLE } from './events-table';

/** The secondary indexes of the events table and the questions each one answers. */
export const EVENT_INDEXES = [
  // Idempotency: a re-sent event has the same content hash.
  { name: 'uq_events_cluster_hash', columns: ['cluster', 'content_hash'], unique: true },
  // The other stages of one request.
  { name: 'idx_events_audit_id', columns: ['audit_id'] },
  // Activity of one user (and, below, of one impersonated user), newest first.
  { name: 'idx_events_user', columns: ['username', 'id'] },
  { name: 'idx_events_impersonated', columns: ['impersonated_user', 'id'] },
  // Object history.
  { name: 'idx_events_object', columns: ['resource', 'namespace', 'name', 'id'] },
  // A namespace's events, and one resource kind in it.
  { name: 'idx_events_namespace', columns: ['namespace', 'resource', 'id'] },
  // Denied and failed requests by code or class.
  { name: 'idx_events_code', columns: ['response_code', 'id'] },
  { name: 'idx_events_cluster', columns: ['cluster', 'id'] },
] as const;

/** Columns searched by `q` (InnoDB FULLTEXT on MySQL, an FTS5 table on SQLite). */
export const TEXT_SEARCH_COLUMNS = ['name', 'namespace', 'username', 'request_uri', 'user_agent'];
export const FULLTEXT_INDEX = 'ft_events_text';
export const SQLITE_FTS_TABLE = 'audit_events_fts';

function columnOptions(spec: ColumnSpec, dialect: SqlDialect): EntitySchemaColumnOptions {
  const { binary16, longText, microTime } = dialect.types;
  const nullable = spec.nullable ?? false;
  switch (spec.kind) {
    case 'uuid':
    case 'hash':
      return {
        type: binary16,
        length: binary16 === 'binary' ? 16 : undefined,
        primary: spec.kind === 'uuid',
      };
    case 'varchar':
      return { type: 'varchar', length: spec.limit, nullable };
    case 'text':
    case 'list':
      return { type: 'text', nullable };
    case 'int':
      return { type: 'int', nullable };
    case 'time':
      return { type: microTime, precision: microTime === 'datetime' ? 6 : undefined };
    case 'json':
      return { type: longText };
  }
}

/**
 * TypeORM's picture of the schema, derived from the table descriptor. The schema itself is
 * created and changed only by the migrations (src/database/migrations); a test checks that
 * the migrated database and this picture agree.
 */
export function buildEntitySchemas(dialect: SqlDialect): EntitySchema[] {
  const columns: Record<string, EntitySchemaColumnOptions> = {};
  for (const field of EVENT_FIELD_NAMES) {
    const spec: ColumnSpec = EVENT_FIELDS[field];
    columns[spec.column] = columnOptions(spec, dialect);
  }
  if (dialect.name === 'mysql') {
    // Store order, followed by the detector (migration 1797600000000); SQLite: detection_feed.
    columns[INGEST_SEQ_COLUMN] = { type: 'bigint', generated: 'increment' };
  }
  const events = new EntitySchema({
    name: EVENTS_TABLE,
    tableName: EVENTS_TABLE,
    columns,
    uniques: EVENT_INDEXES.filter((index) => 'unique' in index).map((index) => ({
      name: index.name,
      columns: [...index.columns],
    })),
    indices: [
      ...EVENT_INDEXES.filter((index) => !('unique' in index)).map((index) => ({
        name: index.name,
        columns: [...index.columns],
      })),
      ...(dialect.name === 'mysql'
        ? [
            { name: FULLTEXT_INDEX, columns: TEXT_SEARCH_COLUMNS, fulltext: true },
            { name: 'uq_events_ingest_seq', columns: [INGEST_SEQ_COLUMN], unique: true },
          ]
        : []),
    ],
  });
  const quarantine = new EntitySchema({
    name: QUARANTINE_TABLE,
    tableName: QUARANTINE_TABLE,
    columns: {
      id: columnOptions({ column: 'id', kind: 'uuid', listed: false }, dialect),
      cluster: columnOptions(EVENT_FIELDS.cluster, dialect),
      content_hash: columnOptions({ column: 'content_hash', kind: 'hash', listed: false }, dialect),
      received_at: columnOptions({ column: 'received_at', kind: 'time', listed: false }, dialect),
      reason: { type: 'varchar', length: QUARANTINE_REASON_LIMIT },
      raw: { type: dialect.types.longText },
    },
    uniques: [{ name: 'uq_quarantine_cluster_hash', columns: ['cluster', 'content_hash'] }],
  });
  return [
    events,
    quarantine,
    consoleSessionsSchema(dialect),
    SETTINGS_SCHEMA,
    accessLogSchema(dialect),
    ...detectionSchemas(dialect),
    sourceCheckpointsSchema(dialect),
  ];
}

/** Managed-cluster sources' positions (src/sources), written with the events they read. */
export const SOURCE_CHECKPOINTS_TABLE = 'source_checkpoints';

function sourceCheckpointsSchema(dialect: SqlDialect): EntitySchema {
  const mysql = dialect.name === 'mysql';
  const epochMs = mysql ? 'bigint' : 'integer';
  return new EntitySchema({
    name: SOURCE_CHECKPOINTS_TABLE,
    tableName: SOURCE_CHECKPOINTS_TABLE,
    columns: {
      source: { type: 'varchar', length: 64, primary: true },
      position: { type: mysql ? 'mediumtext' : 'text', nullable: true },
      last_event_ms: { type: epochMs, nullable: true },
      updated_at_ms: { type: epochMs },
    },
  });
}

/** MySQL/MariaDB: the events table's store-order column (src/detection follows it). */
export const INGEST_SEQ_COLUMN = 'ingest_seq';
/** SQLite: the store order of events, appended by a trigger (src/detection follows it). */
export const DETECTION_FEED_TABLE = 'detection_feed';
/** What the rules found (src/detection). */
export const DETECTIONS_TABLE = 'detections';
/** The matches of windowed rules (bursts, first seen), counted over stored history. */
export const DETECTION_SIGNALS_TABLE = 'detection_signals';

function detectionSchemas(dialect: SqlDialect): EntitySchema[] {
  const { binary16 } = dialect.types;
  const mysql = dialect.name === 'mysql';
  const bytes16 = (
    options: Partial<EntitySchemaColumnOptions> = {},
  ): EntitySchemaColumnOptions => ({
    type: binary16,
    length: binary16 === 'binary' ? 16 : undefined,
    ...options,
  });
  const integer: EntitySchemaColumnOptions = { type: mysql ? 'int' : 'integer' };
  const epochMs: EntitySchemaColumnOptions = { type: mysql ? 'bigint' : 'integer' };
  const detections = new EntitySchema({
    name: DETECTIONS_TABLE,
    tableName: DETECTIONS_TABLE,
    columns: {
      id: bytes16({ primary: true }),
      event_id: bytes16(),
      cluster: { type: 'varchar', length: 63 },
      rule: { type: 'varchar', length: 200 },
      priority: { type: 'varchar', length: 16 },
      severity: integer,
      output: { type: 'text' },
      tags: { type: 'text' },
      fields: { type: 'text' },
      group_key: bytes16(),
      grouped_into: bytes16({ nullable: true }),
      repeats: { ...integer, default: 0 },
      detected_at_ms: epochMs,
    },
    uniques: [{ name: 'uq_detections_event_rule', columns: ['event_id', 'rule'] }],
    indices: [
      { name: 'idx_detections_rule', columns: ['rule', 'id'] },
      { name: 'idx_detections_cluster', columns: ['cluster', 'id'] },
      { name: 'idx_detections_group', columns: ['group_key', 'id'] },
    ],
  });
  const signals = new EntitySchema({
    name: DETECTION_SIGNALS_TABLE,
    tableName: DETECTION_SIGNALS_TABLE,
    columns: {
      rule: { type: 'varchar', length: 200, primary: true },
      key_hash: bytes16({ primary: true }),
      event_id: bytes16({ primary: true }),
      value_hash: bytes16(),
      at_ms: epochMs,
    },
    indices: [{ name: 'idx_signals_window', columns: ['rule', 'key_hash', 'at_ms'] }],
  });
  if (mysql) return [detections, signals];
  const feed = new EntitySchema({
    name: DETECTION_FEED_TABLE,
    tableName: DETECTION_FEED_TABLE,
    columns: {
      seq: { type: 'integer', primary: true, generated: 'increment' },
      event_id: { type: 'blob' },
    },
  });
  return [detections, signals, feed];
}

/** Shared settings by name (src/ingest/redaction-key.repository.ts: the redaction key). */
export const SETTINGS_TABLE = 'audit_settings';

const SETTINGS_SCHEMA = new EntitySchema({
  name: SETTINGS_TABLE,
  tableName: SETTINGS_TABLE,
  columns: {
    name: { type: 'varchar', length: 64, primary: true },
    value: { type: 'text' },
  },
});

/** Console login sessions (src/auth/sql-session.repository.ts): the hash of the cookie's id. */
export const SESSIONS_TABLE = 'console_sessions';

function consoleSessionsSchema(dialect: SqlDialect): EntitySchema {
  const epochMs = dialect.name === 'mysql' ? 'bigint' : 'integer';
  return new EntitySchema({
    name: SESSIONS_TABLE,
    tableName: SESSIONS_TABLE,
    columns: {
      id_hash: { type: 'varchar', length: 64, primary: true },
      username: { type: 'varchar', length: 255 },
      via: { type: 'varchar', length: 16 },
      user_groups: { type: 'text' },
      created_at: { type: epochMs },
      expires_at: { type: epochMs },
    },
    indices: [{ name: 'idx_sessions_expires', columns: ['expires_at'] }],
  });
}

/** "Who looked" (src/access-log/sql-access-log.repository.ts): one row per read or login. */
export const ACCESS_LOG_TABLE = 'access_log';

function accessLogSchema(dialect: SqlDialect): EntitySchema {
  const { binary16 } = dialect.types;
  const text = (length: number): EntitySchemaColumnOptions => ({ type: 'varchar', length });
  return new EntitySchema({
    name: ACCESS_LOG_TABLE,
    tableName: ACCESS_LOG_TABLE,
    columns: {
      id: { type: binary16, length: binary16 === 'binary' ? 16 : undefined, primary: true },
      at_ms: { type: dialect.name === 'mysql' ? 'bigint' : 'integer' },
      username: text(255),
      via: text(16),
      action: text(32),
      target: text(2048),
      client_address: text(64),
      user_agent: text(512),
    },
    indices: [
      { name: 'idx_access_log_user', columns: ['username', 'id'] },
      { name: 'idx_access_log_action', columns: ['action', 'id'] },
    ],
  });
}
