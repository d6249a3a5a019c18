import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { AuditEvent } from '../domain/audit-event';
import { cutBelowDepth, MAX_JSON_DEPTH, nestsDeeperThan } from '../domain/json-depth';
import type { EventRecord, QuarantineRecord } from '../database/events-table';

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

/**
 * Id whose timestamp part is the event's stage time, so id order is event order. The 12 bits
 * after the version carry the microseconds within the millisecond (RFC 9562 section 6.2,
 * method 3: increased clock precision), so events of one millisecond sort by their
 * microseconds too; the remaining 62 bits stay random.
 */
export function eventId(epochMs: number, microsInMs = 0): Buffer {
  const id = uuidv7({ msecs: epochMs }, Buffer.alloc(16));
  const fraction = Math.floor((microsInMs * 4096) / 1000);
  id[6] = 0x70 | (fraction >> 8);
  id[7] = fraction & 0xff;
  return id;
}

/** The microseconds within the millisecond of a canonical MicroTime (…:05.123456Z -> 456). */
function microsInMs(microTime: string): number {
  return microTime.length === 27 ? Number(microTime.slice(23, 26)) || 0 : 0;
}

/** The record stored for one normalized event; the writer cuts values to the column limits. */
export function buildEventRecord(
  cluster: string,
  event: AuditEvent,
  json: string,
  stageEpochMs: number,
): EventRecord {
  const ref = event.objectRef ?? {};
  const code = event.responseStatus?.code;
  return {
    id: eventId(stageEpochMs, microsInMs(event.stageTimestamp)),
    cluster,
    contentHash: contentHash(json),
    auditID: event.auditID,
    stage: event.stage,
    level: event.level ?? '',
    verb: event.verb,
    username: event.user.username ?? '',
    groups: event.user.groups ?? [],
    impersonatedUser: event.impersonatedUser ? (event.impersonatedUser.username ?? '') : null,
    sourceIPs: event.sourceIPs ?? [],
    userAgent: event.userAgent ?? '',
    apiGroup: ref.apiGroup ?? '',
    apiVersion: ref.apiVersion ?? '',
    resource: ref.resource ?? '',
    subresource: ref.subresource ?? '',
    namespace: ref.namespace ?? '',
    name: ref.name ?? '',
    responseCode: code !== undefined && Math.abs(code) < 2 ** 31 ? code : null,
    decision: event.annotations?.['authorization.k8s.io/decision'] ?? null,
    requestReceivedTimestamp: event.requestReceivedTimestamp,
    stageTimestamp: event.stageTimestamp,
    requestURI: event.requestURI,
    event: json,
  };
}

export function buildQuarantineRecord(
  cluster: string,
  raw: unknown,
  reason: string,
  now: Date,
): QuarantineRecord {
  // Kept verbatim (re-serialized only when the body was already decoded) so nothing is lost,
  // except below MAX_JSON_DEPTH levels, which JSON.stringify cannot reach without overflowing.
  const kept = nestsDeeperThan(raw, MAX_JSON_DEPTH) ? cutBelowDepth(raw, MAX_JSON_DEPTH) : raw;
  const json = typeof kept === 'string' ? kept : (JSON.stringify(kept) ?? 'undefined');
  return {
    id: eventId(now.getTime()),
    cluster,
    contentHash: contentHash(json),
    receivedAt: now.toISOString().replace('Z', '000Z'),
    reason,
    raw: json,
  };
}
