/**
 * The events table, declared once: every column's SQL name, kind and limit, and the field of
 * the record that carries it. The TypeORM entity, the insert statement, the writer's record
 * type, the reader's SELECT list and the API's `StoredEvent` are all derived from this table
 * (as Falco's k8saudit plugin declares each field once in one table).
 */
import { microTimeToSql, sqlToMicroTime } from '../domain/micro-time';

/**
 * What a column holds and therefore how it is written and read:
 * - `uuid` / `hash`: 16 bytes (BINARY(16) / BLOB); a uuid is read back as its text form.
 * - `varchar` / `text`: strings cut to `limit` characters on write (the event JSON keeps the
 *   original), `nullable` ones may be null.
 * - `int`: a whole number or null. `time`: a MicroTime stored as DATETIME(6) (MySQL) or text.
 * - `list`: a string array stored as JSON text. `json`: the event document itself.
 */
export type ColumnKind = 'uuid' | 'hash' | 'varchar' | 'text' | 'int' | 'time' | 'list' | 'json';

export interface ColumnSpec {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly limit?: number;
  readonly nullable?: boolean;
  /** Read back into the API's StoredEvent (false for the hash and the JSON document). */
  readonly listed: boolean;
}

/** TEXT holds 65,535 bytes; 4 bytes per character in utf8mb4. */
const TEXT_LIMIT = 16_000;

export const EVENTS_TABLE = 'audit_events';

/** Field name (as the API names it) -> column. The order is the insert order. */
export const EVENT_FIELDS = {
  id: { column: 'id', kind: 'uuid', listed: true },
  cluster: { column: 'cluster', kind: 'varchar', limit: 63, listed: true },
  contentHash: { column: 'content_hash', kind: 'hash', listed: false },
  auditID: { column: 'audit_id', kind: 'varchar', limit: 255, listed: true },
  stage: { column: 'stage', kind: 'varchar', limit: 32, listed: true },
  level: { column: 'level', kind: 'varchar', limit: 32, listed: true },
  verb: { column: 'verb', kind: 'varchar', limit: 64, listed: true },
  username: { column: 'username', kind: 'varchar', limit: 255, listed: true },
  groups: { column: 'user_groups', kind: 'list', listed: true },
  impersonatedUser: {
    column: 'impersonated_user',
    kind: 'varchar',
    limit: 255,
    nullable: true,
    listed: true,
  },
  sourceIPs: { column: 'source_ips', kind: 'list', listed: true },
  userAgent: { column: 'user_agent', kind: 'text', limit: TEXT_LIMIT, listed: true },
  apiGroup: { column: 'api_group', kind: 'varchar', limit: 253, listed: true },
  apiVersion: { column: 'api_version', kind: 'varchar', limit: 64, listed: true },
  resource: { column: 'resource', kind: 'varchar', limit: 128, listed: true },
  subresource: { column: 'subresource', kind: 'varchar', limit: 128, listed: true },
  namespace: { column: 'namespace', kind: 'varchar', limit: 128, listed: true },
  name: { column: 'name', kind: 'varchar', limit: 253, listed: true },
  responseCode: { column: 'response_code', kind: 'int', nullable: true, listed: true },
  decision: { column: 'decision', kind: 'varchar', limit: 16, nullable: true, listed: true },
  requestReceivedTimestamp: { column: 'request_received_at', kind: 'time', listed: true },
  stageTimestamp: { column: 'stage_at', kind: 'time', listed: true },
  requestURI: { column: 'request_uri', kind: 'text', limit: TEXT_LIMIT, listed: true },
  event: { column: 'event', kind: 'json', listed: false },
} as const satisfies Record<string, ColumnSpec>;

export type EventField = keyof typeof EVENT_FIELDS;
type Spec<F extends EventField> = (typeof EVENT_FIELDS)[F];

/** The TypeScript value of a column kind as the writer passes it. */
type WriteValue<S extends ColumnSpec> = S['kind'] extends 'uuid' | 'hash'
  ? Buffer
  : S['kind'] extends 'int'
    ? number | null
    : S['kind'] extends 'list'
      ? readonly string[]
      : S extends { nullable: true }
        ? string | null
        : string;

/** The TypeScript value of a column kind as the API reads it. */
type ReadValue<S extends ColumnSpec> = S['kind'] extends 'uuid'
  ? string
  : S['kind'] extends 'list'
    ? string[]
    : WriteValue<S>;

/** One row to insert, typed by field (`time` fields are MicroTime strings). */
export type EventRecord = { [F in EventField]: WriteValue<Spec<F>> };

type ListedField = { [F in EventField]: Spec<F>['listed'] extends true ? F : never }[EventField];

/** A stored event as the query side reads it: every listed column, no JSON parsing needed. */
export type StoredEvent = { [F in ListedField]: ReadValue<Spec<F>> };

export const EVENT_FIELD_NAMES = Object.keys(EVENT_FIELDS) as EventField[];
/** Column names in insert order. */
export const EVENT_COLUMNS = EVENT_FIELD_NAMES.map((field) => EVENT_FIELDS[field].column);
const LISTED_FIELDS = EVENT_FIELD_NAMES.filter((field) => EVENT_FIELDS[field].listed);
/** Columns the query side reads back into a StoredEvent (see readStoredEvent). */
export const LISTED_COLUMNS = LISTED_FIELDS.map((field) => EVENT_FIELDS[field].column);

/** The column of a field, for the query builder (never user input). */
export function columnOf(field: EventField): string {
  return EVENT_FIELDS[field].column;
}

export function uuidToBuffer(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

export function bufferToUuid(buf: Buffer): string {
  const hex = buf.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function cut(value: string, max: number | undefined): string {
  return max !== undefined && value.length > max ? value.slice(0, max) : value;
}

/** Statement values of one record, in EVENT_COLUMNS order, cut to the column limits. */
export function eventParams(record: EventRecord, out: unknown[] = []): unknown[] {
  for (const field of EVENT_FIELD_NAMES) {
    const spec: ColumnSpec = EVENT_FIELDS[field];
    const value = record[field];
    switch (spec.kind) {
      case 'list':
        out.push(JSON.stringify(value));
        break;
      case 'time':
        out.push(microTimeToSql(value as string));
        break;
      case 'varchar':
      case 'text':
        out.push(value === null ? null : cut(value as string, spec.limit));
        break;
      default:
        out.push(value);
    }
  }
  return out;
}

function jsonList(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** A row of `SELECT <listed columns>` (keyed by column name) as a StoredEvent. */
export function readStoredEvent(row: Record<string, unknown>): StoredEvent {
  const out: Record<string, unknown> = {};
  for (const field of LISTED_FIELDS) {
    const spec: ColumnSpec = EVENT_FIELDS[field];
    const value = row[spec.column];
    switch (spec.kind) {
      case 'uuid':
        out[field] = bufferToUuid(value as Buffer);
        break;
      case 'list':
        out[field] = jsonList(value);
        break;
      case 'time':
        out[field] = sqlToMicroTime(String(value));
        break;
      case 'int':
        out[field] = value === null || value === undefined ? null : Number(value);
        break;
      default:
        out[field] = value === undefined ? null : value;
    }
  }
  return out as StoredEvent;
}

export const QUARANTINE_TABLE = 'audit_quarantine';

/** What could not be stored as an event, kept verbatim with the reason. */
export interface QuarantineRecord {
  id: Buffer;
  cluster: string;
  contentHash: Buffer;
  /** MicroTime. */
  receivedAt: string;
  reason: string;
  raw: string;
}

export const QUARANTINE_REASON_LIMIT = 512;
export const QUARANTINE_COLUMNS = ['id', 'cluster', 'content_hash', 'received_at', 'reason', 'raw'];

export function quarantineParams(record: QuarantineRecord, out: unknown[] = []): unknown[] {
  out.push(
    record.id,
    cut(record.cluster, EVENT_FIELDS.cluster.limit),
    record.contentHash,
    microTimeToSql(record.receivedAt),
    cut(record.reason, QUARANTINE_REASON_LIMIT),
    record.raw,
  );
  return out;
}
