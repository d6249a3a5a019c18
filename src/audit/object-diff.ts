/**
 * What a write did to an object: its state after the write, as far as the audit level recorded
 * it, and the field-level changes between two states. Pure functions, no I/O.
 */
import type { AuditEvent, JsonObject, JsonValue } from '../domain/audit-event';
import { LAST_APPLIED, REDACTED, redactObject } from '../reconstruction/core/redact';
import { isObject } from '../reconstruction/core/request';
import type { FieldChange } from './audit-query';

export const MAX_CHANGES = 200;
const MAX_VALUE_CHARS = 500;
/** Bookkeeping the apiserver changes on every write; reporting it would drown the real changes. */
const IGNORED_PATHS = new Set([
  'metadata.managedFields',
  'metadata.resourceVersion',
  'metadata.generation',
  `metadata.annotations[${JSON.stringify(LAST_APPLIED)}]`,
]);

function succeeded(event: AuditEvent): boolean {
  const code = event.responseStatus?.code;
  return code === undefined || (code >= 200 && code < 300);
}

/**
 * The object as it was after this write, or undefined when the event does not tell: a
 * Metadata-level event, a patch recorded without its response, a failed request, a
 * subresource whose body is not the object (eviction, binding, ...). A write to `scale` tells
 * only the replica count: with the state before it (`previous`) that makes the new state.
 */
export function stateAfter(event: AuditEvent, previous?: JsonObject): JsonObject | undefined {
  if (event.stage !== 'ResponseComplete' || !succeeded(event)) return undefined;
  const sub = event.objectRef?.subresource ?? '';
  if (sub === 'scale') {
    const replicas = scaledReplicas(event);
    return replicas === undefined || !previous ? undefined : withReplicas(previous, replicas);
  }
  if (sub !== '' && sub !== 'status') return undefined;
  const response = event.responseObject;
  if (isObject(response) && response.kind !== 'Status') return response;
  if ((event.verb === 'create' || event.verb === 'update') && sub === '') {
    const request = event.requestObject;
    if (isObject(request)) return request;
  }
  return undefined;
}

/** The replica count a write to the scale subresource set, when its body says. */
export function scaledReplicas(event: AuditEvent): number | undefined {
  const bodies = [event.responseObject, event.verb === 'patch' ? undefined : event.requestObject];
  for (const body of bodies) {
    const spec = isObject(body) ? body.spec : undefined;
    if (isObject(spec) && typeof spec.replicas === 'number') return spec.replicas;
  }
  return undefined;
}

export function withReplicas(state: JsonObject, replicas: number): JsonObject {
  const spec = isObject(state.spec) ? state.spec : {};
  return { ...state, spec: { ...spec, replicas } };
}

/** Why a write has no diff, in words for the console. */
export function missingStateReason(event: AuditEvent): string {
  if (event.stage !== 'ResponseComplete') {
    return `stage ${event.stage}: the outcome is in the ResponseComplete event of this request`;
  }
  if (!succeeded(event)) {
    return `the request failed (code ${event.responseStatus?.code}): nothing changed`;
  }
  if (event.level === 'Metadata' || event.level === 'None') {
    return 'no body at this audit level (Metadata): the policy recorded who and what, not the object';
  }
  const sub = event.objectRef?.subresource ?? '';
  if (sub === 'scale') {
    const replicas = scaledReplicas(event);
    if (replicas !== undefined) {
      return `scaled to ${replicas} replicas; the rest of the object is not in this event and no earlier state is recorded`;
    }
    return event.verb === 'patch' && event.level !== 'RequestResponse'
      ? 'the audit level recorded the patch, not the resulting replica count (RequestResponse would)'
      : 'the recorded Scale body holds no replica count, and it is not the object itself';
  }
  if (sub !== '' && sub !== 'status') {
    return `the body of a ${sub} request is not the object itself`;
  }
  if (event.verb === 'patch' && event.level !== 'RequestResponse') {
    return 'the audit level recorded the patch, not the resulting object (RequestResponse would)';
  }
  return 'the recorded body is not the object itself';
}

function keyPath(parent: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (parent === '') return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Leaf values by path; empty objects and arrays count as leaves. */
function flatten(value: JsonValue, path = '', out = new Map<string, JsonValue>()) {
  if (IGNORED_PATHS.has(path)) return out;
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => flatten(item, `${path}[${i}]`, out));
  } else if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) flatten(item, keyPath(path, key), out);
  } else if (path !== '') {
    // An empty object at the root has no fields: nothing to record.
    out.set(path, value);
  }
  return out;
}

function shown(value: JsonValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/**
 * Changes from `before` to `after` (undefined `before`: every field is added). Values shown are
 * those of the redacted states: a Secret value stored redacted (REDACT) shows its two keyed
 * markers, which differ when the value changed; one stored as sent reads `"<redacted>"` on both
 * sides. A path the redaction folded away is shown redacted, never raw.
 */
export function diffStates(
  before: JsonObject | undefined,
  after: JsonObject,
  isSecret: boolean,
): FieldChange[] {
  const raw = [flatten(before ?? {}), flatten(after)];
  const display = [
    flatten(redactObject(before ?? {}, isSecret).value),
    flatten(redactObject(after, isSecret).value),
  ];
  const changes: FieldChange[] = [];
  const paths = [...new Set([...raw[0].keys(), ...raw[1].keys()])].sort();
  for (const path of paths) {
    const [old, now] = [raw[0].get(path), raw[1].get(path)];
    if (old !== undefined && now !== undefined && JSON.stringify(old) === JSON.stringify(now)) {
      continue;
    }
    const op = old === undefined ? 'added' : now === undefined ? 'removed' : 'changed';
    changes.push({
      path,
      op,
      ...(old === undefined ? {} : { before: shown(display[0].get(path) ?? REDACTED) }),
      ...(now === undefined ? {} : { after: shown(display[1].get(path) ?? REDACTED) }),
    });
    if (changes.length >= MAX_CHANGES) break;
  }
  return changes;
}
