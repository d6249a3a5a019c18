import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { AuditEvent } from '../domain/audit-event';
import { microTimeToSql } from '../domain/micro-time';
import { EVENT_COLUMNS, LIMITS, QUARANTINE_COLUMNS } from '../database/schema';

/** One events-table row, values in EVENT_COLUMNS order. */
export type EventRow = unknown[] & { length: typeof EVENT_COLUMNS.length };
/** One quarantine-table row, values in QUARANTINE_COLUMNS order. */
export type QuarantineRow = unknown[] & { length: typeof QUARANTINE_COLUMNS.length };

function cut(value: string | undefined, max: number): string {
  if (value === undefined) return '';
  return value.length > max ? value.slice(0, max) : value;
}

/** First 128 bits of SHA-256: collision-free in practice, half the index size. */
export function contentHash(json: string): Buffer {
  return createHash('sha256').update(json).digest().subarray(0, 16);
}

/**
 * The JSON stored for an event and hashed for idempotency. `kind` and the v1 `apiVersion` are
 * dropped so the same event is the same content whether it came inside an EventList (items
 * carry neither) or as a log line (which carries both); other versions keep their apiVersion.
 */
export function storedEventJson(raw: Record<string, unknown>): string {
  if (!('kind' in raw) && !('apiVersion' in raw)) return JSON.stringify(raw);
  const { kind: _kind, apiVersion, ...rest } = raw;
  return JSON.stringify(
    apiVersion === 'audit.k8s.io/v1' || apiVersion === undefined ? rest : { apiVersion, ...rest },
  );
}

/** Id whose timestamp part is the event's stage time, so id order is event order. */
export function eventId(epochMs: number): Buffer {
  return uuidv7({ msecs: epochMs }, Buffer.alloc(16));
}

export function buildEventRow(
  cluster: string,
  event: AuditEvent,
  json: string,
  stageEpochMs: number,
): EventRow {
  const ref = event.objectRef ?? {};
  const code = event.responseStatus?.code;
  return [
    eventId(stageEpochMs),
    cluster,
    contentHash(json),
    event.auditID,
    event.stage,
    cut(event.level, LIMITS.level),
    event.verb,
    cut(event.user.username, LIMITS.username),
    JSON.stringify(event.user.groups ?? []),
    event.impersonatedUser ? cut(event.impersonatedUser.username, LIMITS.username) : null,
    JSON.stringify(event.sourceIPs ?? []),
    cut(event.userAgent, LIMITS.text),
    cut(ref.apiGroup, LIMITS.apiGroup),
    cut(ref.apiVersion, LIMITS.apiVersion),
    cut(ref.resource, LIMITS.resource),
    cut(ref.subresource, LIMITS.subresource),
    cut(ref.namespace, LIMITS.namespace),
    cut(ref.name, LIMITS.name),
    code !== undefined && Math.abs(code) < 2 ** 31 ? code : null,
    event.annotations?.['authorization.k8s.io/decision']?.slice(0, LIMITS.decision) ?? null,
    microTimeToSql(event.requestReceivedTimestamp),
    microTimeToSql(event.stageTimestamp),
    cut(event.requestURI, LIMITS.text),
    json,
  ] as EventRow;
}

export function buildQuarantineRow(
  cluster: string,
  raw: unknown,
  reason: string,
  now: Date,
): QuarantineRow {
  // Kept verbatim (re-serialized only when the body was already decoded) so nothing is lost.
  const json = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? 'undefined');
  return [
    eventId(now.getTime()),
    cluster,
    contentHash(json),
    microTimeToSql(now.toISOString().replace('Z', '000Z')),
    reason.slice(0, LIMITS.reason),
    json,
  ] as QuarantineRow;
}
