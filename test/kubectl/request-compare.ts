import { isDeepStrictEqual } from 'node:util';
import { RecordedRequest } from './fake-apiserver';
import { header } from './event-from-request';
import { requestInfo } from './request-info';

/**
 * Which recorded request an audit event describes, and whether two requests are the same
 * request as far as a given reconstruction fidelity promises.
 */

export type Fidelity = 'exact' | 'equivalent' | 'partial' | 'none';

export const FIDELITY_RANK: Record<Fidelity, number> = {
  none: 0,
  partial: 1,
  equivalent: 2,
  exact: 3,
};

export type RequestPick = (r: RecordedRequest) => boolean;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isResourceRequest(r: RecordedRequest): boolean {
  return requestInfo(r.method, decodePath(r.path), new URLSearchParams(r.rawQuery))
    .isResourceRequest;
}

/** Discovery and OpenAPI fetches kubectl makes on its own before any command. */
export function isDiscovery(r: RecordedRequest): boolean {
  if (r.method !== 'GET' || isResourceRequest(r)) return false;
  return /^\/(api|apis|version|openapi)(\/|$)/.test(r.path);
}

/**
 * The request an audit event of this command would be about: with an explicit pick, the last
 * request it accepts; otherwise the last resource write, else the first connection upgrade
 * (exec/attach/port-forward try WebSocket, then SPDY: one event), else the last resource read,
 * else the last non-discovery request (`get --raw /readyz`).
 */
export function pickAuditedRequest(
  requests: RecordedRequest[],
  pick?: RequestPick,
): RecordedRequest | undefined {
  const last = (f: RequestPick) => [...requests].reverse().find(f);
  if (pick) return last(pick);
  return (
    last((r) => WRITE_METHODS.has(r.method) && !r.upgrade && isResourceRequest(r)) ??
    requests.find((r) => r.upgrade) ??
    last((r) => isResourceRequest(r)) ??
    last((r) => !isDiscovery(r))
  );
}

export interface RequestDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface CompareOptions {
  /** JSON paths (`*` for any key or index) whose values no command line can reproduce. */
  volatile?: string[][];
}

export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Query parameters as a sorted multiset of decoded `k=v`, without client-go's `timeout`. The
 * terms of a fieldSelector are sorted too: kubectl builds some selectors (describe's events
 * lookup) from a Go map, so their order changes from one run of the same command to the next.
 */
export function queryMultiset(rawQuery: string): string[] {
  return [...new URLSearchParams(rawQuery).entries()]
    .filter(([k]) => k !== 'timeout')
    .map(([k, v]) => `${k}=${k === 'fieldSelector' ? sortTerms(v) : v}`)
    .sort();
}

function sortTerms(selector: string): string {
  return selector
    .split(/(?<!\\),/)
    .sort()
    .join(',');
}

function impersonation(r: RecordedRequest): string[] {
  return r.rawHeaders
    .filter(([k]) => /^impersonate-/i.test(k))
    .map(([k, v]) => `${k.toLowerCase()}: ${v}`)
    .sort();
}

function mediaType(r: RecordedRequest): string | undefined {
  return header(r, 'content-type')[0]?.split(';')[0].trim();
}

export function redact(value: unknown, paths: string[][]): unknown {
  let out = structuredClone(value);
  for (const path of paths) out = redactPath(out, path);
  return out;
}

function redactPath(value: unknown, path: string[]): unknown {
  if (path.length === 0) return value === undefined ? value : '<volatile>';
  if (typeof value !== 'object' || value === null) return value;
  const [head, ...rest] = path;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (head === '*' || head === k) obj[k] = redactPath(obj[k], rest);
  }
  return value;
}

/**
 * What differs between the request the original command sent and the one the reconstructed
 * command sent, at the strictness the reconstruction claimed:
 * - partial: method and path;
 * - equivalent: also the query (as a multiset, without `timeout`) and impersonation headers;
 * - exact: also the media type and the body (JSON compared semantically, protobuf bytewise).
 */
export function compareRequests(
  expected: RecordedRequest,
  actual: RecordedRequest,
  fidelity: Fidelity,
  options: CompareOptions = {},
): RequestDiff[] {
  const diffs: RequestDiff[] = [];
  const check = (field: string, e: unknown, a: unknown) => {
    if (!isDeepStrictEqual(e, a)) diffs.push({ field, expected: e, actual: a });
  };
  const rank = FIDELITY_RANK[fidelity];
  if (rank < FIDELITY_RANK.partial) return diffs;
  check('method', expected.method, actual.method);
  check('path', decodePath(expected.path), decodePath(actual.path));
  if (rank < FIDELITY_RANK.equivalent) return diffs;
  check('query', queryMultiset(expected.rawQuery), queryMultiset(actual.rawQuery));
  check('impersonation', impersonation(expected), impersonation(actual));
  if (rank < FIDELITY_RANK.exact) return diffs;
  check('content-type', mediaType(expected), mediaType(actual));
  const volatile = options.volatile ?? [];
  if (expected.json !== undefined || actual.json !== undefined) {
    const body = (r: RecordedRequest) => semanticBody(r, redact(r.json, volatile));
    check('body', body(expected), body(actual));
  } else if (expected.body.length > 0 || actual.body.length > 0) {
    check('body (bytes)', expected.body.toString('base64'), actual.body.toString('base64'));
  }
  return diffs;
}

/**
 * A created or replaced object as the apiserver reads it: null fields decode to nothing, a
 * top-level `status` made only of zero values (`{}`, `{"loadBalancer":{}}`, PDB counters at 0)
 * to the zero status, and `metadata.namespace` equal to the URL's namespace changes nothing.
 * kubectl's generators send such `creationTimestamp: null` and zero statuses, which a manifest
 * replayed with `create -f` does not, and `-n` writes the namespace into the body. Patches are
 * left alone: there null deletes a field.
 */
export function semanticBody(r: RecordedRequest, body: unknown): unknown {
  if ((r.method !== 'POST' && r.method !== 'PUT') || !isPlainObject(body)) return body;
  const out = dropNulls(body) as Record<string, unknown>;
  if (isZero(out.status)) delete out.status;
  const namespace = requestInfo(
    r.method,
    decodePath(r.path),
    new URLSearchParams(r.rawQuery),
  ).namespace;
  if (isPlainObject(out.metadata) && out.metadata.namespace === namespace)
    delete out.metadata.namespace;
  return out;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  );
}

function isZero(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every(isZero);
  return v === 0 || v === '' || v === false || v === null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The strictest fidelity at which two requests agree (for reports). */
export function achievedFidelity(
  expected: RecordedRequest,
  actual: RecordedRequest,
  options: CompareOptions = {},
): Fidelity {
  const levels: Fidelity[] = ['exact', 'equivalent', 'partial'];
  return levels.find((f) => compareRequests(expected, actual, f, options).length === 0) ?? 'none';
}

/**
 * `<placeholder>`s a reconstruction leaves for a person to fill in, bare or inside quotes
 * (`'<local-port>:<remote-port>'`, `--from-literal=password=<redacted>`, `<manifest.yaml>`).
 */
export const PLACEHOLDER = /<([a-z][^<>\s'"]*)>/g;

export function placeholders(command: string): string[] {
  return [...command.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

export function describeRequest(r: RecordedRequest | undefined): string {
  if (!r) return '(none)';
  const body =
    r.json !== undefined
      ? ` ${JSON.stringify(r.json)}`
      : r.body.length
        ? ` <${r.body.length} bytes ${mediaType(r)}>`
        : '';
  const imp = impersonation(r);
  return `${r.method} ${r.path}${r.rawQuery ? '?' + r.rawQuery : ''}${imp.length ? ` [${imp.join('; ')}]` : ''}${body}`;
}
