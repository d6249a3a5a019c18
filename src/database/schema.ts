import { EntitySchema } from 'typeorm';
import type { SqlDialect } from './sql-dialect';

export const EVENTS_TABLE = 'audit_events';
export const QUARANTINE_TABLE = 'audit_quarantine';

/** Column limits; values are cut to fit (the full event JSON keeps the original). */
export const LIMITS = {
  cluster: 63,
  auditId: 255,
  stage: 32,
  level: 32,
  verb: 64,
  username: 255,
  apiGroup: 253,
  apiVersion: 64,
  resource: 128,
  subresource: 128,
  namespace: 128,
  name: 253,
  decision: 16,
  // TEXT holds 65,535 bytes; 4 bytes per character in utf8mb4.
  text: 16_000,
  reason: 512,
} as const;

/** Insert order of the events table; the ingest repository builds rows in this order. */
export const EVENT_COLUMNS = [
  'id',
  'cluster',
  'content_hash',
  'audit_id',
  'stage',
  'level',
  'verb',
  'username',
  'user_groups',
  'impersonated_user',
  'source_ips',
  'user_agent',
  'api_group',
  'api_version',
  'resource',
  'subresource',
  'namespace',
  'name',
  'response_code',
  'decision',
  'request_received_at',
  'stage_at',
  'request_uri',
  'event',
] as const;

export const QUARANTINE_COLUMNS = [
  'id',
  'cluster',
  'content_hash',
  'received_at',
  'reason',
  'raw',
] as const;

function varchar(length: number, nullable = false) {
  return { type: 'varchar' as const, length, nullable };
}

/**
 * The schema is declared once and TypeORM creates it on an empty database (schema sync only);
 * the hot path never goes through the ORM. Indexes serve the console's questions: by id (time),
 * by object, by user and by auditID; the unique (cluster, content_hash) makes inserts idempotent.
 */
export function buildEntitySchemas(dialect: SqlDialect): EntitySchema[] {
  const { binary16, longText, microTime } = dialect.types;
  const id = { type: binary16, length: binary16 === 'binary' ? 16 : undefined, primary: true };
  const hash = { type: binary16, length: binary16 === 'binary' ? 16 : undefined };
  const time = { type: microTime, precision: microTime === 'datetime' ? 6 : undefined };
  const events = new EntitySchema({
    name: EVENTS_TABLE,
    tableName: EVENTS_TABLE,
    columns: {
      id,
      cluster: varchar(LIMITS.cluster),
      content_hash: hash,
      audit_id: varchar(LIMITS.auditId),
      stage: varchar(LIMITS.stage),
      level: varchar(LIMITS.level),
      verb: varchar(LIMITS.verb),
      username: varchar(LIMITS.username),
      user_groups: { type: 'text' },
      impersonated_user: varchar(LIMITS.username, true),
      source_ips: { type: 'text' },
      user_agent: { type: 'text' },
      api_group: varchar(LIMITS.apiGroup),
      api_version: varchar(LIMITS.apiVersion),
      resource: varchar(LIMITS.resource),
      subresource: varchar(LIMITS.subresource),
      namespace: varchar(LIMITS.namespace),
      name: varchar(LIMITS.name),
      response_code: { type: 'int', nullable: true },
      decision: varchar(LIMITS.decision, true),
      request_received_at: time,
      stage_at: time,
      request_uri: { type: 'text' },
      event: { type: longText },
    },
    uniques: [{ name: 'uq_events_cluster_hash', columns: ['cluster', 'content_hash'] }],
    indices: [
      { name: 'idx_events_audit_id', columns: ['audit_id'] },
      { name: 'idx_events_user', columns: ['username', 'id'] },
      { name: 'idx_events_object', columns: ['resource', 'namespace', 'name', 'id'] },
      { name: 'idx_events_cluster', columns: ['cluster', 'id'] },
    ],
  });
  const quarantine = new EntitySchema({
    name: QUARANTINE_TABLE,
    tableName: QUARANTINE_TABLE,
    columns: {
      id,
      cluster: varchar(LIMITS.cluster),
      content_hash: hash,
      received_at: time,
      reason: varchar(LIMITS.reason),
      raw: { type: longText },
    },
    uniques: [{ name: 'uq_quarantine_cluster_hash', columns: ['cluster', 'content_hash'] }],
  });
  return [events, quarantine];
}
