/**
 * Query benchmark: loads a month of realistic audit events from five clusters into MariaDB
 * through the real ingest path (the server in its own process, concurrent webhook POSTs of
 * 400-event batches), then times the query API and the console pages on it, one request at a
 * time over loopback, and prints p50/p95/max beside each target.
 *
 *   npx ts-node --transpile-only bench/query.bench.ts [--events 1000000] [--runs 30]
 *
 * Options: --database NAME with --keep (load once, keep it, and reuse it on the next runs
 * without reloading), --clients N, --batch N (load), --warmup N, --max-seconds S (per query),
 * --export-rows N, --export-runs N, --only KEY,... (e.g. page,search,export), --explain (EXPLAIN the SQL of every query that misses its
 * target), --explain-all, --analyze (ANALYZE instead of EXPLAIN: runs the statement),
 * --json FILE. Loopback only; drops its database at the end unless --keep.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus } from 'node:os';
import { parseArgs, sleep } from './lib/args';
import { load1, mariadbPid, processCpuSeconds } from './lib/cpu';
import { captureStatements, explainStatements, formatPlan, Plan } from './lib/explain';
import { timedGet, TimedResponse } from './lib/http-get';
import { adminQuery, benchDatabaseName, dropDatabase, serverVersion } from './lib/mariadb';
import { loadAll } from './lib/query-load';
import { QueryParams, sampleParams } from './lib/query-sample';
import { QueryWorkload, WorkloadMix } from './lib/query-workload';
import { ServerHandle, startChildServer } from './lib/server-process';
import { fmt, mib, percentile } from './lib/stats';

const options = parseArgs(process.argv.slice(2), {
  events: 1_000_000,
  database: '',
  keep: false,
  clients: 4,
  batch: 400,
  days: 30,
  runs: 30,
  warmup: 3,
  maxSeconds: 90,
  exportRows: 10_000,
  exportRuns: 5,
  poolSize: 8,
  settle: 5,
  explain: false,
  explainAll: false,
  analyze: false,
  only: '',
  json: '',
});

/** `--only page,search,export`: measure just these (keys as printed); empty means all. */
const only = new Set(options.only.split(',').filter((k) => k !== ''));
const wanted = (key: string) => only.size === 0 || only.has(key);

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

const DAY_MS = 86_400_000;

type Group = 'page' | 'history' | 'search' | 'stats' | 'activity' | 'console';

interface QuerySpec {
  key: string;
  label: string;
  group: Group;
  /** p95 must stay under this (ms). */
  targetMs?: number;
  paths: string[];
  /** An HTML page of the console (probed for 200 text/html). */
  html?: boolean;
  /** Returns why a response is wrong for its request (items outside the filter), if it is. */
  check?: (path: string, body: unknown) => string | undefined;
}

interface Sample {
  path: string;
  status: number;
  ms: number;
  serverMs?: number;
  bytes: number;
  items?: number;
}

interface QueryResult {
  key: string;
  label: string;
  targetMs?: number;
  available: boolean;
  /** Why it was not measured (404, 400 with the server's message, ...). */
  unavailable?: string;
  samples: Sample[];
  errors: number;
  firstError?: string;
  wrong: number;
  firstWrong?: string;
  p50?: number;
  p95?: number;
  max?: number;
  serverP50?: number;
  serverP95?: number;
  verdict: 'ok' | 'MISS' | 'no target' | 'not available' | 'errors';
  slowestPath?: string;
  statements?: string[];
  plans?: Plan[];
}

interface ExportResult {
  available: boolean;
  unavailable?: string;
  format: string;
  path: string;
  runs: { ms: number; headersMs: number; rows: number; bytes: number; peakRssBytes: number }[];
  rssBeforeBytes: number;
  /** Rows the filter should match (the events stored after its `from`). */
  expectedRows: number;
  /** A measured run that did not answer 200. */
  failed?: string;
  rowsPerSecond?: number;
  csv?: { ms: number; rows: number; bytes: number; peakRssBytes: number; status: number };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function qs(values: Record<string, string | number | undefined>): string {
  const parts = Object.entries(values)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

interface ApiItem {
  id?: string;
  username?: string;
  impersonatedUser?: string | null;
  namespace?: string;
  resource?: string;
  apiGroup?: string;
  responseCode?: number | null;
  stageTimestamp?: string;
}

function itemsOf(body: unknown): ApiItem[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const items = (body as { items?: unknown }).items;
  return Array.isArray(items) ? (items as ApiItem[]) : undefined;
}

function searchParam(path: string, name: string): string | undefined {
  return new URL(path, 'http://127.0.0.1').searchParams.get(name) ?? undefined;
}

/** Newest first: ids (UUIDv7, time-ordered) must decrease down the page. */
function checkOrder(items: ApiItem[]): string | undefined {
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1].id ?? '';
    const b = items[i].id ?? '';
    if (a && b && a < b) return `item ${i} (${b}) is newer than item ${i - 1} (${a})`;
  }
  return undefined;
}

function listCheck(test?: (path: string, item: ApiItem) => string | undefined) {
  return (path: string, body: unknown): string | undefined => {
    const items = itemsOf(body);
    if (!items) return 'no items array in the response';
    const order = checkOrder(items);
    if (order) return order;
    if (!test) return undefined;
    for (const item of items) {
      const wrong = test(path, item);
      if (wrong) return wrong;
    }
    return undefined;
  };
}

function buildSpecs(params: QueryParams, deepPaths: string[]): QuerySpec[] {
  const now = Date.now();
  const users = params.users;
  const cycle = <T>(list: T[], n: number): T[] =>
    list.length === 0 ? [] : Array.from({ length: n }, (_, i) => list[i % list.length]);
  const tenDaysAgo = Array.from(
    { length: 10 },
    (_, i) => now - 10 * DAY_MS + (i - 5) * 2.3 * 3600e3,
  );
  const words = [...params.nameWords, ...params.userWords];
  return [
    {
      key: 'page',
      label: 'events page, no filter',
      group: 'page',
      targetMs: 100,
      paths: ['/api/v1/events?limit=50'],
      check: listCheck(),
    },
    {
      key: 'user',
      label: 'events by user',
      group: 'page',
      targetMs: 100,
      paths: users.map((u) => `/api/v1/events${qs({ user: u, limit: 50 })}`),
      check: listCheck((path, item) => {
        const user = searchParam(path, 'user');
        return item.username === user || item.impersonatedUser === user
          ? undefined
          : `user=${user} returned an event of ${item.username}`;
      }),
    },
    {
      key: 'ns-resource',
      label: 'events by namespace + resource',
      group: 'page',
      targetMs: 100,
      paths: params.nsResources.map(
        (r) => `/api/v1/events${qs({ namespace: r.namespace, resource: r.resource, limit: 50 })}`,
      ),
      check: listCheck((path, item) => {
        const ns = searchParam(path, 'namespace');
        const resource = (searchParam(path, 'resource') ?? '').split('.')[0].split('/')[0];
        return item.namespace === ns && item.resource === resource
          ? undefined
          : `namespace=${ns}&resource=${resource} returned ${item.namespace}/${item.resource}`;
      }),
    },
    {
      key: 'code-class',
      label: 'events by code class (4xx; also per cluster, 5xx)',
      group: 'page',
      targetMs: 100,
      paths: [
        `/api/v1/events${qs({ code: '4xx', limit: 50 })}`,
        ...params.clusters.map(
          (c) => `/api/v1/events${qs({ code: '4xx', cluster: c, limit: 50 })}`,
        ),
        `/api/v1/events${qs({ code: '5xx', limit: 50 })}`,
      ],
      check: listCheck((path, item) => {
        const cls = Number((searchParam(path, 'code') ?? '4')[0]);
        const code = item.responseCode ?? 0;
        return Math.floor(code / 100) === cls
          ? undefined
          : `code=${cls}xx returned code ${item.responseCode}`;
      }),
    },
    {
      key: 'time-range',
      label: 'events in a 1 h window 10 days ago',
      group: 'page',
      targetMs: 100,
      paths: tenDaysAgo.map(
        (t) => `/api/v1/events${qs({ from: iso(t), to: iso(t + 3600e3), limit: 50 })}`,
      ),
      check: listCheck((path, item) => {
        const from = Date.parse(searchParam(path, 'from') ?? '');
        const to = Date.parse(searchParam(path, 'to') ?? '');
        const t = Date.parse(item.stageTimestamp ?? '');
        return t >= from && t < to
          ? undefined
          : `from/to returned an event at ${item.stageTimestamp}`;
      }),
    },
    {
      key: 'deep-page',
      label: 'keyset page 21 (cursor 20 pages in)',
      group: 'page',
      targetMs: 100,
      paths: deepPaths,
      check: listCheck(),
    },
    {
      key: 'history',
      label: 'object history of a often-written object',
      group: 'history',
      targetMs: 100,
      paths: params.objects.map(
        (o) =>
          `/api/v1/objects/history${qs({ cluster: o.cluster, apiGroup: o.apiGroup, resource: o.resource, namespace: o.namespace, name: o.name })}`,
      ),
    },
    {
      key: 'search',
      label: 'text search q= (name fragment, user word)',
      group: 'search',
      targetMs: 300,
      paths: words.map((w) => `/api/v1/events${qs({ q: w, limit: 50 })}`),
      check: listCheck(),
    },
    {
      key: 'stats-24h',
      label: 'stats, last 24 h',
      group: 'stats',
      targetMs: 500,
      paths: [
        '/api/v1/stats?from=24h',
        ...params.clusters.map((c) => `/api/v1/stats${qs({ from: '24h', cluster: c })}`),
      ],
    },
    {
      key: 'stats-7d',
      label: 'stats, last 7 d',
      group: 'stats',
      paths: [
        '/api/v1/stats?from=7d',
        ...params.clusters.map((c) => `/api/v1/stats${qs({ from: '7d', cluster: c })}`),
      ],
    },
    {
      key: 'activity',
      label: 'user activity, last 7 d',
      group: 'activity',
      paths: [...params.humans, ...users].map(
        (u) => `/api/v1/users/${encodeURIComponent(u)}/activity?from=7d`,
      ),
    },
    {
      key: 'console-events',
      label: 'console: events page /',
      group: 'console',
      targetMs: 200,
      html: true,
      paths: [
        '/',
        ...params.clusters.map((c) => `/${qs({ cluster: c })}`),
        `/${qs({ user: users[0] })}`,
      ],
    },
    {
      key: 'console-detail',
      label: 'console: event detail /events/:id',
      group: 'console',
      html: true,
      paths: cycle(params.ids, Math.min(params.ids.length, 40)).map((id) => `/events/${id}`),
    },
    {
      key: 'console-overview',
      label: 'console: overview /overview',
      group: 'console',
      html: true,
      paths: ['/overview'],
    },
  ];
}

function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A GET that never throws: a refused or timed-out request comes back as status 0. */
async function get(
  agent: Agent,
  port: number,
  path: string,
  options: Parameters<typeof timedGet>[3] = {},
): Promise<TimedResponse> {
  try {
    return await timedGet(agent, port, path, options);
  } catch (error) {
    return {
      status: 0,
      contentType: '',
      ms: NaN,
      headersMs: NaN,
      bytes: 0,
      lines: 0,
      text: error instanceof Error ? error.message : String(error),
    };
  }
}

/** 404 (no such route), 400 (parameter not known yet) and 5xx make a query "not available". */
function unavailableReason(response: TimedResponse, html: boolean): string | undefined {
  if (response.status === 200) {
    if (html && !response.contentType.startsWith('text/html'))
      return `200 but ${response.contentType || 'no content type'}, not text/html`;
    return undefined;
  }
  let message = '';
  try {
    const body = JSON.parse(response.text ?? '') as { message?: unknown };
    message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? '');
  } catch {
    message = (response.text ?? '').slice(0, 160);
  }
  return `${response.status}${message ? `: ${message.slice(0, 200)}` : ''}`;
}

async function measure(agent: Agent, port: number, spec: QuerySpec): Promise<QueryResult> {
  const result: QueryResult = {
    key: spec.key,
    label: spec.label,
    targetMs: spec.targetMs,
    available: false,
    samples: [],
    errors: 0,
    wrong: 0,
    verdict: 'not available',
  };
  if (spec.paths.length === 0) {
    result.unavailable =
      spec.key === 'deep-page'
        ? 'no page 21: the events list failed or has fewer than 21 pages'
        : 'no parameter values in the loaded data';
    return result;
  }
  const accept = spec.html ? 'text/html' : 'application/json';
  const probe = await get(agent, port, spec.paths[0], { accept });
  const reason = unavailableReason(probe, spec.html ?? false);
  if (reason) {
    result.unavailable = reason;
    // A route that exists but fails is a bug to report, not a missing feature.
    if (probe.status >= 500 || probe.status === 0) {
      result.verdict = 'errors';
      result.firstError = `${spec.paths[0]}: ${reason}`;
    }
    return result;
  }
  result.available = true;
  // Warm-up: at most a third of the query's time budget (a 10 s query gets fewer).
  const warmupEnd = performance.now() + (options.maxSeconds * 1000) / 3;
  for (let i = 0; i < options.warmup && performance.now() < warmupEnd; i++)
    await get(agent, port, spec.paths[i % spec.paths.length], { accept });
  const started = performance.now();
  for (let i = 0; i < options.runs; i++) {
    if (performance.now() - started > options.maxSeconds * 1000) break;
    const path = spec.paths[i % spec.paths.length];
    const response = await get(agent, port, path, { accept });
    const sample: Sample = {
      path,
      status: response.status,
      ms: response.ms,
      serverMs: response.serverMs,
      bytes: response.bytes,
    };
    if (response.status !== 200) {
      result.errors++;
      result.firstError ??= `${path}: ${unavailableReason(response, false)}`;
    } else if (!spec.html) {
      try {
        const body: unknown = JSON.parse(response.text ?? '');
        sample.items = itemsOf(body)?.length;
        const wrong = spec.check?.(path, body);
        if (wrong) {
          result.wrong++;
          result.firstWrong ??= `${path}: ${wrong}`;
        }
      } catch {
        result.errors++;
        result.firstError ??= `${path}: response is not JSON`;
      }
    }
    result.samples.push(sample);
  }
  const ok = result.samples.filter((s) => s.status === 200);
  const ms = ok.map((s) => s.ms);
  result.p50 = percentile(ms, 50);
  result.p95 = percentile(ms, 95);
  result.max = ms.length > 0 ? Math.max(...ms) : undefined;
  const server = ok.map((s) => s.serverMs).filter((v): v is number => v !== undefined);
  if (server.length > 0) {
    result.serverP50 = percentile(server, 50);
    result.serverP95 = percentile(server, 95);
  }
  result.slowestPath = ok.reduce<Sample | undefined>(
    (a, s) => (!a || s.ms > a.ms ? s : a),
    undefined,
  )?.path;
  result.verdict =
    ok.length === 0
      ? 'errors'
      : spec.targetMs === undefined
        ? 'no target'
        : (result.p95 ?? 0) < spec.targetMs
          ? 'ok'
          : 'MISS';
  return result;
}

/**
 * Follows nextCursor 20 pages deep from a few starting filters (none, a cluster, a user);
 * returns the paths of their 21st pages.
 */
async function deepPagePaths(agent: Agent, port: number, params: QueryParams): Promise<string[]> {
  const starts = [
    '/api/v1/events?limit=50',
    ...params.clusters.slice(0, 3).map((c) => `/api/v1/events${qs({ cluster: c, limit: 50 })}`),
    ...params.users.slice(0, 2).map((u) => `/api/v1/events${qs({ user: u, limit: 50 })}`),
  ];
  const out: string[] = [];
  // Bounded like a query: slow filters (the first pages by user) may not get 20 pages deep.
  const deadline = performance.now() + options.maxSeconds * 1000;
  for (const start of starts) {
    let path = start;
    let ok = true;
    for (let page = 0; page < 20 && ok; page++) {
      if (performance.now() > deadline) {
        ok = false;
        break;
      }
      const response = await get(agent, port, path);
      if (response.status !== 200) {
        ok = false;
        break;
      }
      let cursor: string | null | undefined;
      try {
        cursor = (JSON.parse(response.text ?? '{}') as { nextCursor?: string | null }).nextCursor;
      } catch {
        cursor = undefined;
      }
      if (!cursor) {
        ok = false;
        break;
      }
      path = `${start}&cursor=${encodeURIComponent(cursor)}`;
    }
    if (ok) out.push(path);
  }
  return out;
}

async function measureExport(
  agent: Agent,
  port: number,
  pid: number,
  params: QueryParams,
): Promise<ExportResult> {
  const filter = qs({ from: iso(params.exportFromMs), to: iso(Date.now() + 60_000) }).slice(1);
  const path = `/api/v1/events/export?format=ndjson&${filter}`;
  const result: ExportResult = {
    available: false,
    format: 'ndjson',
    path,
    runs: [],
    rssBeforeBytes: rssBytes(pid),
    expectedRows: params.exportRows,
  };
  const probe = await get(agent, port, path, { keepBody: false, accept: '*/*' });
  if (probe.status !== 200) {
    const body = await get(agent, port, path, { accept: '*/*' });
    result.unavailable = unavailableReason(body, false);
    return result;
  }
  result.available = true;
  const once = async (p: string, csv = false) => {
    let peak = rssBytes(pid);
    const timer = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 20);
    try {
      const response = await get(agent, port, p, { keepBody: false, accept: '*/*', csv });
      return { response, peak: Math.max(peak, rssBytes(pid)) };
    } finally {
      clearInterval(timer);
    }
  };
  if (options.warmup > 0) await once(path);
  const started = performance.now();
  for (let i = 0; i < options.exportRuns; i++) {
    if (performance.now() - started > options.maxSeconds * 1000) break;
    const { response, peak } = await once(path);
    if (response.status !== 200) {
      result.failed = `${response.status} (${(response.text ?? '').slice(0, 160)})`;
      continue;
    }
    result.runs.push({
      ms: response.ms,
      headersMs: response.headersMs,
      rows: response.lines,
      bytes: response.bytes,
      peakRssBytes: peak,
    });
  }
  const rates = result.runs.map((r) => r.rows / (r.ms / 1000));
  result.rowsPerSecond = percentile(rates, 50);
  const csv = await once(path.replace('format=ndjson', 'format=csv'), true);
  result.csv = {
    ms: csv.response.ms,
    rows: Math.max(0, csv.response.lines - 1),
    bytes: csv.response.bytes,
    peakRssBytes: csv.peak,
    status: csv.response.status,
  };
  return result;
}

function num(v: number | undefined, digits = 0): string {
  return v === undefined || !Number.isFinite(v) ? '-' : fmt(v, digits);
}

function printTable(
  results: QueryResult[],
  exported: ExportResult | undefined,
  events: number,
): void {
  const anyServer = results.some((r) => r.serverP50 !== undefined);
  log();
  log(`## Figures at ${fmt(events)} events (ms, wall time per request on loopback, one at a time)`);
  log();
  log(
    `| query | runs | p50 | p95 | max |${anyServer ? ' server p50 / p95 |' : ''} target (p95) | verdict | notes |`,
  );
  log(`|---|---:|---:|---:|---:|${anyServer ? '---:|' : ''}---:|---|---|`);
  for (const r of results) {
    const notes: string[] = [];
    if (!r.available)
      notes.push(
        r.verdict === 'errors'
          ? `SERVER ERROR ${r.unavailable}`
          : `not available (${r.unavailable})`,
      );
    const items = r.samples.map((s) => s.items).filter((v): v is number => v !== undefined);
    if (items.length > 0)
      notes.push(`${fmt(items.reduce((a, b) => a + b, 0) / items.length, 0)} items/page`);
    if (r.samples.length > 0)
      notes.push(
        `${mib(r.samples.reduce((a, s) => a + s.bytes, 0) / r.samples.length).replace(' MiB', ' MiB/resp')}`,
      );
    if (r.errors > 0) notes.push(`${r.errors} errors, first: ${r.firstError}`);
    if (r.wrong > 0) notes.push(`WRONG RESULTS in ${r.wrong} responses, first: ${r.firstWrong}`);
    log(
      `| ${r.label} | ${r.samples.length} | ${num(r.p50)} | ${num(r.p95)} | ${num(r.max)} |` +
        `${anyServer ? ` ${num(r.serverP50)} / ${num(r.serverP95)} |` : ''} ` +
        `${r.targetMs !== undefined ? `< ${r.targetMs}` : '-'} | ${r.verdict} | ${notes.join('; ')} |`,
    );
  }
  if (exported) {
    log();
    if (!exported.available) {
      log(`export: not available (${exported.unavailable})`);
    } else {
      const run = exported.runs;
      const ms = run.map((r) => r.ms);
      const headers = run.map((r) => r.headersMs);
      const peak = Math.max(...run.map((r) => r.peakRssBytes));
      if (run.length === 0) log(`export (ndjson): every run failed: ${exported.failed}`);
      else
        log(
          `export (ndjson, ${fmt(run[0].rows)} rows for ~${fmt(exported.expectedRows)} expected, ${mib(run[0].bytes)}): ` +
            `${run.length} runs, ${num(exported.rowsPerSecond)} rows/s (p50), wall p50 ${num(percentile(ms, 50))} ms, ` +
            `max ${num(Math.max(...ms))} ms, first byte p50 ${num(percentile(headers, 50))} ms; ` +
            `server RSS ${mib(exported.rssBeforeBytes)} before, peak ${mib(peak)} during` +
            (exported.failed ? `; a run failed: ${exported.failed}` : ''),
        );
      if (exported.csv) {
        log(
          exported.csv.status === 200
            ? `export (csv): ${fmt(exported.csv.rows)} rows, ${mib(exported.csv.bytes)} in ${num(exported.csv.ms)} ms ` +
                `(${num(exported.csv.rows / (exported.csv.ms / 1000))} rows/s), peak RSS ${mib(exported.csv.peakRssBytes)}`
            : `export (csv): HTTP ${exported.csv.status}`,
        );
      }
    }
  }
}

function printMix(mix: WorkloadMix): void {
  const share = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${fmt((v / mix.events) * 100, 1)}%`)
      .join(', ');
  log(
    `  mix: ${fmt(mix.users)} users, ${fmt(mix.namespaces)} namespaces, avg event ${fmt(mix.bytes / mix.events)} B`,
  );
  log(`  verbs: ${share(mix.byVerb)}`);
  log(`  codes: ${share(mix.byCode)}`);
  log(`  levels: ${share(mix.byLevel)}; clusters: ${share(mix.byCluster)}`);
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = (await adminQuery(
    `SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`,
  )) as { n: number }[];
  return Number(rows[0].n) > 0;
}

async function storedEvents(name: string): Promise<number> {
  try {
    const rows = (await adminQuery(`SELECT COUNT(*) AS n FROM \`${name}\`.audit_events`)) as {
      n: number;
    }[];
    return Number(rows[0].n);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const database = options.database || benchDatabaseName();
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database))
    throw new Error('--database must be letters, digits and _ only');
  const existed = await databaseExists(database);
  if (existed && !options.keep)
    throw new Error(`database ${database} exists: pass --keep to reuse it (it is then kept)`);
  const reuse = existed && (await storedEvents(database)) > 0;
  const version = await serverVersion();
  log(`# query benchmark ${new Date().toISOString()}`);
  log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), MariaDB ${version}, load average ${fmt(load1(), 1)}`,
  );
  log(
    `database ${database}${reuse ? ' (reused: not loaded again)' : ''}${options.keep ? ', kept at the end' : ', dropped at the end'}`,
  );

  let server: ServerHandle | undefined;
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    options,
    mariadb: version,
    database,
  };
  try {
    server = await startChildServer({
      database,
      poolSize: options.poolSize,
    });
    if (!reuse) {
      const workload = await QueryWorkload.create({
        events: options.events,
        batch: options.batch,
        spanDays: options.days,
      });
      log(
        `loading ${fmt(options.events)} events over ${options.days} days through POST /webhook/audit/:cluster ` +
          `(${options.clients} clients x ${options.batch}-event batches, server in a child process)`,
      );
      const dbPid = mariadbPid();
      const before = {
        server: processCpuSeconds(server.pid),
        db: dbPid ? processCpuSeconds(dbPid) : NaN,
        load: load1(),
      };
      const loaded = await loadAll(workload, server.port, {
        clients: options.clients,
        progress: log,
      });
      const cpu = {
        serverUsPerEvent: ((processCpuSeconds(server.pid) - before.server) * 1e6) / loaded.events,
        mariadbUsPerEvent: dbPid
          ? ((processCpuSeconds(dbPid) - before.db) * 1e6) / loaded.events
          : NaN,
        load1: (before.load + load1()) / 2,
      };
      log(
        `load: ${fmt(loaded.events)} events in ${fmt(loaded.seconds, 1)} s = ${fmt(loaded.events / loaded.seconds)} events/s ` +
          `(${fmt(loaded.batches)} batches, ${fmt(loaded.accepted)} accepted, ${fmt(loaded.duplicates)} duplicates, ` +
          `${fmt(loaded.rejected)} rejected, ${loaded.failures} failed); ack p50 ${fmt(percentile(loaded.latenciesMs, 50))} ms, ` +
          `p99 ${fmt(percentile(loaded.latenciesMs, 99))} ms; CPU per event: server ${fmt(cpu.serverUsPerEvent)} us, ` +
          `MariaDB ${fmt(cpu.mariadbUsPerEvent)} us; load average ${fmt(cpu.load1, 1)}`,
      );
      const mix = workload.describe();
      printMix(mix);
      report.load = {
        ...loaded,
        latenciesMs: undefined,
        eventsPerSecond: loaded.events / loaded.seconds,
        cpu,
        mix,
      };
      await sleep(options.settle * 1000);
    }

    const params = await sampleParams(database, {
      sampleRows: 20_000,
      exportRows: options.exportRows,
    });
    log(
      `stored: ${fmt(params.total)} events from ${iso(params.oldestMs)} to ${iso(params.newestMs)}; ` +
        `parameters from the newest 20,000: ${params.users.length} users, ${params.nsResources.length} namespace+resource pairs, ` +
        `${params.objects.length} written objects (top: ${params.objects[0] ? `${params.objects[0].resource} ${params.objects[0].namespace}/${params.objects[0].name}` : 'none'}), ` +
        `words ${[...params.nameWords.slice(0, 3), ...params.userWords.slice(0, 2)].join(', ')}`,
    );
    report.params = params;
    const table = (await adminQuery(
      `SELECT ROUND(data_length/1048576) AS dataMiB, ROUND(index_length/1048576) AS indexMiB
         FROM information_schema.TABLES WHERE table_schema = '${database}' AND table_name = 'audit_events'`,
    )) as { dataMiB: number; indexMiB: number }[];
    if (table[0])
      log(
        `events table: data ${table[0].dataMiB} MiB, indexes ${table[0].indexMiB} MiB (InnoDB estimate)`,
      );

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const deep = wanted('deep-page') ? await deepPagePaths(agent, server.port, params) : [];
    const specs = buildSpecs(params, deep);
    const results: QueryResult[] = [];
    const loadBefore = load1();
    log();
    log(
      `measuring: ${options.warmup} warm-up + ${options.runs} runs per query (at most ${options.maxSeconds} s each)`,
    );
    for (const spec of specs.filter((s) => wanted(s.key))) {
      const r = await measure(agent, server.port, spec);
      results.push(r);
      log(
        r.available
          ? `  ${spec.key}: p50 ${num(r.p50)} ms, p95 ${num(r.p95)} ms, max ${num(r.max)} ms (${r.samples.length} runs) ${r.verdict}`
          : `  ${spec.key}: not available (${r.unavailable})`,
      );
    }
    const exported = wanted('export')
      ? await measureExport(agent, server.port, server.pid, params)
      : undefined;
    if (exported)
      log(
        `  export: ${exported.available ? `${num(exported.rowsPerSecond)} rows/s` : `not available (${exported.unavailable})`}`,
      );
    log(
      `load average during the measurements ${fmt((loadBefore + load1()) / 2, 1)} on ${cpus().length} CPUs`,
    );
    printTable(results, exported, params.total);

    const misses = results.filter((r) => r.verdict === 'MISS');
    log();
    const measured = results.filter((r) => r.available && r.verdict !== 'errors');
    if (measured.length === 0) log('targets: no query could be measured');
    else if (misses.length === 0)
      log(
        `targets: the ${measured.length} measured queries meet their targets (where they have one)`,
      );
    for (const r of misses)
      log(
        `MISS: ${r.label}: p95 ${num(r.p95)} ms, target < ${r.targetMs} ms (slowest: ${r.slowestPath})`,
      );
    const failing = results.filter((r) => r.verdict === 'errors');
    if (failing.length > 0)
      log(`SERVER ERRORS: ${failing.map((r) => `${r.key} (${r.firstError})`).join('; ')}`);
    const unavailable = results.filter((r) => !r.available && r.verdict !== 'errors');
    if (unavailable.length > 0)
      log(
        `not available yet: ${unavailable.map((r) => r.key).join(', ')}${exported && !exported.available ? ', export' : ''}`,
      );

    const toExplain = options.explainAll
      ? results.filter((r) => r.available)
      : options.explain
        ? misses
        : [];
    if (!options.explain && !options.explainAll && misses.length > 0)
      log('(run with --explain to print the SQL and the plan of each miss)');
    for (const r of toExplain) {
      const path = r.slowestPath ?? '';
      const captured = await captureStatements(database, () =>
        get(agent, server!.port, path, { keepBody: false }),
      );
      r.statements = captured.map((c) => c.sql);
      r.plans = await explainStatements(database, r.statements, { analyze: options.analyze });
      log();
      log(`### ${r.label} (${r.verdict}, p95 ${num(r.p95)} ms): GET ${path}`);
      log(
        `${captured.length} statements; ${options.analyze ? 'ANALYZE' : 'EXPLAIN'} of each SELECT:`,
      );
      for (const plan of r.plans) {
        log();
        log(formatPlan(plan));
      }
      if (r.plans.length === 0) log('  (no SELECT captured)');
    }
    agent.destroy();
    report.results = results;
    report.export = exported;
    const usage = await server.stop();
    server = undefined;
    log();
    log(
      `server peak RSS over the whole run ${mib(usage.maxRssBytes)}, CPU ${fmt(usage.cpuMs / 1000, 1)} s`,
    );
    report.server = usage;
    if (options.json) {
      writeFileSync(options.json, JSON.stringify(report, null, 2));
      log(`raw figures: ${options.json}`);
    }
  } finally {
    if (server) await server.stop().catch(() => undefined);
    if (!options.keep) await dropDatabase(database);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
