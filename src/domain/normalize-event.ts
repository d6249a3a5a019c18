import type { AuditEvent, ObjectReference, ResponseStatus, UserInfo } from './audit-event';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { parseMicroTime } from './micro-time';

export type NormalizeResult =
  | {
      ok: true;
      event: AuditEvent;
      /** stageTimestamp in epoch ms (for ids). */ stageEpochMs: number;
    }
  | { ok: false; reason: string };

/** Values a client can choose (the Audit-ID header) are bounded so an index can hold them. */
export const MAX_AUDIT_ID_LENGTH = 255;
const MAX_STAGE_LENGTH = 32;
const MAX_VERB_LENGTH = 64;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  // fromEntries defines own properties, so a hostile "__proto__" key stays an ordinary key.
  return Object.fromEntries(
    Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function userInfo(v: unknown): UserInfo | undefined {
  if (!isObject(v)) return undefined;
  const user: UserInfo = {};
  if (str(v.username) !== undefined) user.username = str(v.username);
  if (str(v.uid) !== undefined) user.uid = str(v.uid);
  const groups = strings(v.groups);
  if (groups) user.groups = groups;
  if (isObject(v.extra)) {
    user.extra = Object.fromEntries(
      Object.entries(v.extra).map(([k, val]): [string, string[]] => [k, strings(val) ?? []]),
    );
  }
  return user;
}

const OBJECT_REF_FIELDS = [
  'resource',
  'namespace',
  'name',
  'uid',
  'apiGroup',
  'apiVersion',
  'resourceVersion',
  'subresource',
] as const;

function objectRef(v: unknown): ObjectReference | undefined {
  if (!isObject(v)) return undefined;
  const ref: ObjectReference = {};
  for (const field of OBJECT_REF_FIELDS) {
    const value = str(v[field]);
    if (value !== undefined) ref[field] = value;
  }
  return ref;
}

function responseStatus(v: unknown): ResponseStatus | undefined {
  if (!isObject(v)) return undefined;
  const status: ResponseStatus = {};
  if (typeof v.code === 'number' && Number.isInteger(v.code)) status.code = v.code;
  if (str(v.status) !== undefined) status.status = str(v.status);
  if (str(v.message) !== undefined) status.message = str(v.message);
  if (str(v.reason) !== undefined) status.reason = str(v.reason);
  if (isObject(v.details)) status.details = v.details;
  if (isObject(v.metadata)) status.metadata = v.metadata;
  return status;
}

function requiredString(raw: Obj, field: string, max: number): string | { reason: string } {
  const value = raw[field];
  if (typeof value !== 'string' || value.length === 0) return { reason: `${field} is missing` };
  if (value.length > max) return { reason: `${field} is longer than ${max} characters` };
  return value;
}

/**
 * Turns one decoded event (audit.k8s.io/v1, or the older v1beta1/v1alpha1 shapes that carry only
 * `timestamp`) into the typed v1 `AuditEvent` every module reads. Fields of the wrong type are
 * dropped from this typed copy (the original JSON is stored verbatim); an event without what
 * storage needs (auditID, stage, verb, a timestamp) is refused with a reason.
 */
export function normalizeEvent(raw: unknown): NormalizeResult {
  if (!isObject(raw)) return { ok: false, reason: 'event is not a JSON object' };
  if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) {
    return { ok: false, reason: `event nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const kind = raw.kind;
  if (kind !== undefined && kind !== 'Event') {
    return { ok: false, reason: `kind is ${JSON.stringify(kind)}, expected "Event"` };
  }
  const auditID = requiredString(raw, 'auditID', MAX_AUDIT_ID_LENGTH);
  if (typeof auditID !== 'string') return { ok: false, reason: auditID.reason };
  const stage = requiredString(raw, 'stage', MAX_STAGE_LENGTH);
  if (typeof stage !== 'string') return { ok: false, reason: stage.reason };
  const verb = requiredString(raw, 'verb', MAX_VERB_LENGTH);
  if (typeof verb !== 'string') return { ok: false, reason: verb.reason };

  const legacy = parseMicroTime(raw.timestamp);
  const stageGiven = parseMicroTime(raw.stageTimestamp);
  const received = parseMicroTime(raw.requestReceivedTimestamp) ?? legacy ?? stageGiven;
  const staged = stageGiven ?? legacy ?? received;
  if (!staged || !received) {
    const given = raw.stageTimestamp ?? raw.requestReceivedTimestamp ?? raw.timestamp;
    return {
      ok: false,
      reason:
        given === undefined
          ? 'no timestamp (stageTimestamp, requestReceivedTimestamp or timestamp)'
          : `timestamp ${JSON.stringify(given).slice(0, 60)} is not an RFC 3339 time`,
    };
  }

  const event: AuditEvent = {
    level: str(raw.level) ?? '',
    auditID,
    stage,
    requestURI: str(raw.requestURI) ?? '',
    verb,
    user: userInfo(raw.user) ?? {},
    requestReceivedTimestamp: received.iso,
    stageTimestamp: staged.iso,
  };
  const impersonated = userInfo(raw.impersonatedUser);
  if (impersonated) event.impersonatedUser = impersonated;
  const sourceIPs = strings(raw.sourceIPs);
  if (sourceIPs) event.sourceIPs = sourceIPs;
  if (str(raw.userAgent) !== undefined) event.userAgent = str(raw.userAgent);
  const ref = objectRef(raw.objectRef);
  if (ref) event.objectRef = ref;
  const status = responseStatus(raw.responseStatus);
  if (status) event.responseStatus = status;
  if (raw.requestObject !== undefined)
    event.requestObject = raw.requestObject as AuditEvent['requestObject'];
  if (raw.responseObject !== undefined) {
    event.responseObject = raw.responseObject as AuditEvent['responseObject'];
  }
  const annotations = stringMap(raw.annotations);
  if (annotations) event.annotations = annotations;
  return { ok: true, event, stageEpochMs: staged.epochMs };
}
