/**
 * Redaction at rest: what is replaced in an audit event before it is stored, and by what
 * (docs/redaction.md). Pure: the key arrives inside the `Marker` function. Copy-on-write: an
 * event with nothing to hide comes back as the same object, so the common case costs a few
 * property reads.
 */
import { createHmac } from 'node:crypto';
import { isRedactionMarker, redactionMarker } from '../domain/redaction-marker';
import { isJsonObject, JsonLike, JsonObjectLike, Marker, withOwn } from './redaction-json';
import { redactCommandQuery, redactPodSpecs } from './token-redaction';

export type { Marker } from './redaction-json';

/** The two switches of REDACT (src/config/environment.ts). */
export interface RedactionPolicy {
  secrets: boolean;
  tokens: boolean;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const BODIES = ['requestObject', 'responseObject'] as const;

/**
 * `<redacted-hmac:` + first 12 hex digits of HMAC-SHA256(key, value) + `>`: the same value
 * gives the same marker under one key, a changed value a different one.
 */
export function hmacMarker(key: string | Buffer): Marker {
  return (value) =>
    redactionMarker(createHmac('sha256', key).update(value).digest('hex').slice(0, 12));
}

interface Context {
  marker: Marker;
  secrets: boolean;
  /** The event is about the core `secrets` resource: kind-less bodies (patches) are Secrets. */
  secretResource: boolean;
  tokens: boolean;
  /** `serviceaccounts/token`: the TokenRequest whose status carries the issued token. */
  tokenRequest: boolean;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The event with Secret values, TokenRequest tokens and bearer tokens in exec commands and
 * container specs replaced by markers, as the policy says. Works on the decoded JSON as it
 * arrived (any audit.k8s.io version: the fields it reads have the same names), so what is
 * stored, hashed and indexed all come from the redacted event.
 */
export function redactEvent<T>(event: T, policy: RedactionPolicy, marker: Marker): T {
  if (!isJsonObject(event) || (!policy.secrets && !policy.tokens)) return event;
  const ref = isJsonObject(event.objectRef) ? event.objectRef : {};
  const resource = text(ref.resource);
  const context: Context = {
    marker,
    secrets: policy.secrets,
    secretResource: policy.secrets && resource === 'secrets' && text(ref.apiGroup) === '',
    tokens: policy.tokens,
    tokenRequest:
      policy.tokens && resource === 'serviceaccounts' && text(ref.subresource) === 'token',
  };
  let out: JsonObjectLike = event;
  for (const key of BODIES) {
    const body = out[key];
    if (typeof body !== 'object' || body === null) continue;
    const next = redactBody(body, context);
    if (next !== body) out = withOwn(out, key, next);
  }
  const uri = out.requestURI;
  if (policy.tokens && typeof uri === 'string' && uri.includes('command=')) {
    const next = redactCommandQuery(uri, marker);
    if (next !== uri) out = withOwn(out, 'requestURI', next);
  }
  return out as T;
}

function redactBody(body: object, context: Context): JsonLike {
  if (Array.isArray(body)) return redactJsonPatch(body, context);
  let out = body as JsonObjectLike;
  if (context.secretResource || (context.secrets && isSecretKind(out.kind))) {
    out = redactSecretDocument(out, context);
  }
  if (context.tokenRequest) out = redactIssuedToken(out, context.marker);
  if (context.tokens) out = redactPodSpecs(out, context.marker);
  return out;
}

function isSecretKind(kind: unknown): boolean {
  return kind === 'Secret' || kind === 'SecretList';
}

/** A Secret, a patch of one (no kind), a list of them, or a Table of them (includeObject). */
function redactSecretDocument(doc: JsonObjectLike, context: Context): JsonObjectLike {
  if (doc.kind === undefined || doc.kind === 'Secret') return redactSecret(doc, context.marker);
  const listKey = Array.isArray(doc.items) ? 'items' : doc.kind === 'Table' ? 'rows' : undefined;
  const items = listKey ? doc[listKey] : undefined;
  if (!listKey || !Array.isArray(items)) return doc;
  let copy: JsonLike[] | undefined;
  items.forEach((item: JsonLike, i) => {
    const target = listKey === 'rows' && isJsonObject(item) ? item.object : item;
    if (!isJsonObject(target) || (target.kind !== undefined && target.kind !== 'Secret')) return;
    const next = redactSecret(target, context.marker);
    if (next === target) return;
    (copy ??= items.slice())[i] =
      listKey === 'rows' ? withOwn(item as JsonObjectLike, 'object', next) : next;
  });
  return copy ? withOwn(doc, listKey, copy) : doc;
}

function redactSecret(secret: JsonObjectLike, marker: Marker): JsonObjectLike {
  let out = secret;
  for (const key of ['data', 'stringData'] as const) {
    const values = out[key];
    if (values === undefined || values === null) continue;
    const next = redactValues(values, key === 'data', marker);
    if (next !== values) out = withOwn(out, key, next);
  }
  const metadata = out.metadata;
  const annotations = isJsonObject(metadata) ? metadata.annotations : undefined;
  const lastApplied = isJsonObject(annotations) ? annotations[LAST_APPLIED] : undefined;
  if (typeof lastApplied === 'string') {
    const next = redactLastApplied(lastApplied, marker);
    if (next !== lastApplied) {
      const withNote = withOwn(annotations as JsonObjectLike, LAST_APPLIED, next);
      out = withOwn(out, 'metadata', withOwn(metadata as JsonObjectLike, 'annotations', withNote));
    }
  }
  return out;
}

/** Each value of `data`/`stringData`, keeping its key; `null` (a patch removing it) stays. */
function redactValues(values: JsonLike, base64: boolean, marker: Marker): JsonLike {
  if (!isJsonObject(values)) return hideValue(values, base64, marker);
  let out = values;
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (value === null) continue;
    const next = hideValue(value, base64, marker);
    if (next !== value) out = withOwn(out, key, next);
  }
  return out;
}

/**
 * `data` holds base64: the marker is taken over the decoded bytes, so a value set through
 * `stringData` and read back through `data` gets the same marker.
 */
function hideValue(value: JsonLike, base64: boolean, marker: Marker): JsonLike {
  if (isRedactionMarker(value)) return value;
  if (typeof value !== 'string') return marker(JSON.stringify(value) ?? '');
  if (base64) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.toString('base64') === value) return marker(bytes);
  }
  return marker(Buffer.from(value, 'utf8'));
}

/**
 * kubectl's copy of the applied Secret (JSON, with a trailing newline): parsed, redacted and
 * re-serialized; when it does not parse, the whole annotation is one secret value.
 */
function redactLastApplied(annotation: string, marker: Marker): string {
  if (isRedactionMarker(annotation)) return annotation;
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch {
    return marker(annotation);
  }
  if (!isJsonObject(parsed)) return marker(annotation);
  const redacted = redactSecret(parsed, marker);
  if (redacted === parsed) return annotation;
  const trailing = /\s*$/.exec(annotation)?.[0] ?? '';
  return JSON.stringify(redacted) + trailing;
}

function redactIssuedToken(doc: JsonObjectLike, marker: Marker): JsonObjectLike {
  const status = doc.status;
  if (!isJsonObject(status) || typeof status.token !== 'string') return doc;
  if (isRedactionMarker(status.token)) return doc;
  return withOwn(doc, 'status', withOwn(status, 'token', marker(status.token)));
}

/** `/data/a~1b` -> ['data', 'a/b'] (RFC 6901); undefined when it is not a pointer. */
function pointer(path: unknown): string[] | undefined {
  if (path === '') return [];
  if (typeof path !== 'string' || !path.startsWith('/')) return undefined;
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A JSON patch: each operation's value is put back where its path says (`/data/password` ->
 * `{data: {password: value}}`), redacted as a body, and taken out again. One rule set for
 * merge patches, whole objects and single-field operations.
 */
function redactJsonPatch(operations: JsonLike[], context: Context): JsonLike {
  let copy: JsonLike[] | undefined;
  operations.forEach((operation, i) => {
    if (!isJsonObject(operation) || !('value' in operation)) return;
    const path = pointer(operation.path);
    if (!path) return;
    let grafted: JsonLike = operation.value;
    for (let at = path.length - 1; at >= 0; at--) grafted = withOwn({}, path[at], grafted);
    if (typeof grafted !== 'object' || grafted === null) return;
    const redacted = redactBody(grafted, context);
    if (redacted === grafted) return;
    let value: JsonLike = redacted;
    for (const key of path) value = (value as JsonObjectLike)[key];
    (copy ??= operations.slice())[i] = withOwn(operation, 'value', value);
  });
  return copy ?? operations;
}
