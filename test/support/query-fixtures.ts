/**
 * Builders and HTTP helpers for the query API suites (test/audit/query-*.test.ts). Events are
 * made from small specs whose stage time the test controls; expected results are always derived
 * from these specs, never from the implementation.
 */
import type { EventItem, Page } from '../../src/audit/audit-query';
import type { TestApp } from './test-app';

export type Json = Record<string, unknown>;

export const UA = {
  kubectl32: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc1234',
  kubectl31: 'kubectl/v1.31.2 (darwin/arm64) kubernetes/def5678',
  kubectl30: 'kubectl/v1.30.1 (linux/amd64) kubernetes/0a1b2c3',
  argocd: 'argocd-application-controller/v2.9.3+abc (linux/amd64)',
  lens: 'Mozilla/5.0 (X11; Linux x86_64) Lens/6.5.2',
  terraform: 'HashiCorp/1.0 Terraform/1.6.4',
  curl: 'curl/8.5.0',
  go: 'Go-http-client/2.0',
  helm: 'Helm/3.14.2',
} as const;

export interface EventSpec {
  auditID: string;
  /** stageTimestamp: epoch ms, or a MicroTime string ("2026-11-20T10:00:00.000001Z"). */
  at: number | string;
  verb?: string;
  user?: string;
  groups?: string[];
  impersonate?: string;
  sourceIPs?: string[];
  userAgent?: string;
  /** '' is the core group. */
  apiGroup?: string;
  apiVersion?: string;
  /** No objectRef at all when undefined (a non-resource request such as GET /api). */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** No responseStatus when undefined (RequestReceived). */
  code?: number;
  decision?: 'allow' | 'forbid';
  stage?: string;
  level?: string;
  requestURI?: string;
  requestObject?: unknown;
  responseObject?: unknown;
}

/** MicroTime text of an epoch-ms instant: "2026-11-20T10:00:00.123000Z". */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/** The spec's stage time as MicroTime text (sorts lexically in time order). */
export function stageOf(spec: EventSpec): string {
  return typeof spec.at === 'number' ? microTime(spec.at) : spec.at;
}

export function stageMs(spec: EventSpec): number {
  return Date.parse(stageOf(spec));
}

function defaultUri(spec: EventSpec): string {
  const group = spec.apiGroup ?? '';
  const version = spec.apiVersion ?? 'v1';
  let uri = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  if (spec.namespace) uri += `/namespaces/${spec.namespace}`;
  uri += `/${spec.resource ?? ''}`;
  if (spec.name) uri += `/${spec.name}`;
  if (spec.subresource) uri += `/${spec.subresource}`;
  if (spec.verb === 'watch') uri += '?watch=true';
  return uri;
}

/** An audit.k8s.io/v1 Event (as an EventList item) from a spec. */
export function buildEvent(spec: EventSpec): Json {
  const stage = stageOf(spec);
  // The request arrived 5 s before the stage time: time filters must use stageTimestamp.
  const received = microTime(Date.parse(stage) - 5000);
  const event: Json = {
    level: spec.level ?? 'Metadata',
    auditID: spec.auditID,
    stage: spec.stage ?? 'ResponseComplete',
    requestURI: spec.requestURI ?? defaultUri(spec),
    verb: spec.verb ?? 'get',
    user: {
      username: spec.user ?? 'alice',
      groups: spec.groups ?? ['system:authenticated'],
    },
    sourceIPs: spec.sourceIPs ?? ['10.0.0.1'],
    userAgent: spec.userAgent ?? UA.kubectl32,
    requestReceivedTimestamp: received,
    stageTimestamp: stage,
  };
  if (spec.impersonate !== undefined) event.impersonatedUser = { username: spec.impersonate };
  if (spec.resource !== undefined) {
    const ref: Json = { resource: spec.resource, apiVersion: spec.apiVersion ?? 'v1' };
    if (spec.apiGroup) ref.apiGroup = spec.apiGroup;
    if (spec.namespace) ref.namespace = spec.namespace;
    if (spec.name) ref.name = spec.name;
    if (spec.subresource) ref.subresource = spec.subresource;
    event.objectRef = ref;
  }
  if (spec.code !== undefined) {
    event.responseStatus =
      spec.code >= 400
        ? { metadata: {}, status: 'Failure', code: spec.code }
        : { metadata: {}, code: spec.code };
  }
  if (spec.decision !== undefined) {
    event.annotations = {
      'authorization.k8s.io/decision': spec.decision,
      'authorization.k8s.io/reason': spec.decision === 'allow' ? 'RBAC: allowed' : '',
    };
  }
  if (spec.requestObject !== undefined) event.requestObject = spec.requestObject;
  if (spec.responseObject !== undefined) event.responseObject = spec.responseObject;
  return event;
}

/** auditIDs of the specs, newest stage time first (the specs must have distinct times). */
export function newestFirst(specs: readonly EventSpec[]): string[] {
  const times = new Set(specs.map(stageOf));
  if (times.size !== specs.length) throw new Error('newestFirst needs distinct stage times');
  return [...specs].sort((a, b) => (stageOf(a) < stageOf(b) ? 1 : -1)).map((spec) => spec.auditID);
}

export function oldestFirst(specs: readonly EventSpec[]): string[] {
  return newestFirst(specs).reverse();
}

export type QueryValue = string | number | readonly (string | number)[];
export type Query = Record<string, QueryValue | undefined>;

/** `?a=1&a=2&b=x`: arrays become repeated parameters. */
export function qs(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface Answer<T> {
  status: number;
  body: T;
  text: string;
  contentType: string;
}

/** GET a path (with query) and parse the body as JSON when it is JSON. */
export async function get<T = unknown>(
  app: TestApp,
  path: string,
  query?: Query,
): Promise<Answer<T>> {
  const res = await fetch(`${app.url}${path}${qs(query)}`);
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: res.status,
    body: body as T,
    text,
    contentType: res.headers.get('content-type') ?? '',
  };
}

/** GET that must answer 200; the failure message shows the request and the answer. */
export async function getOk<T>(app: TestApp, path: string, query?: Query): Promise<T> {
  const answer = await get<T>(app, path, query);
  if (answer.status !== 200) {
    throw new Error(
      `GET ${path}${qs(query)} answered ${answer.status}: ${answer.text.slice(0, 500)}`,
    );
  }
  return answer.body;
}

/** Posts the events of specs (or raw events) to one cluster; every one must be accepted. */
export async function postEvents(
  app: TestApp,
  cluster: string,
  events: readonly (EventSpec | Json)[],
): Promise<void> {
  const items = events.map((e) => ('at' in e ? buildEvent(e as EventSpec) : e));
  const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  });
  const answer = await res.text();
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${answer}`);
  const counts = JSON.parse(answer) as { accepted: number };
  if (counts.accepted !== items.length) {
    throw new Error(`ingest accepted ${counts.accepted} of ${items.length}: ${answer}`);
  }
}

export interface Walk<T> {
  pages: Page<T>[];
  items: T[];
}

/** Follows nextCursor from the first page to the last (guarding against cursor loops). */
export async function walk<T = EventItem>(
  app: TestApp,
  path: string,
  query: Query,
  limit: number,
): Promise<Walk<T>> {
  const pages: Page<T>[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await getOk<Page<T>>(app, path, { ...query, limit, cursor });
    pages.push(page);
    if (page.nextCursor === null) break;
    if (seen.has(page.nextCursor)) throw new Error(`cursor ${page.nextCursor} repeated`);
    if (pages.length > 2000) throw new Error('more than 2000 pages');
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
  return { pages, items: pages.flatMap((p) => p.items) };
}

export function auditIDs(items: readonly { auditID: string }[]): string[] {
  return items.map((item) => item.auditID);
}

export interface BadRequest {
  statusCode: number;
  message: string[] | string;
  error: string;
}

/** The message(s) of a 400 answer as one string, for matching. */
export function messageOf(body: BadRequest | undefined): string {
  if (!body) return '';
  return Array.isArray(body.message) ? body.message.join(' | ') : String(body.message);
}

/** A minimal RFC 4180 parser: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // handled by the \n branch next
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Counts of values as sorted [{key, count}] (order-independent comparison of Count[]). */
export function countBy<T>(
  values: readonly T[],
  key: (v: T) => string,
): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(key(value), (counts.get(key(value)) ?? 0) + 1);
  return sortCounts([...counts].map(([k, count]) => ({ key: k, count })));
}

export function sortCounts(
  counts: readonly { key: string; count: number }[],
): { key: string; count: number }[] {
  return [...counts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
