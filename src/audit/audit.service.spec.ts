import { ALL_CLUSTERS, canSee, ClusterVisibility } from '../auth/identity';
import type { StoredEvent } from '../database/events-table';
import { bufferToUuid } from '../database/events-table';
import { normalizeEvent } from '../domain/normalize-event';
import { buildEventRecord } from '../ingest/event-record';
import { ReconstructionService } from '../reconstruction/reconstruction.service';
import type { DetectionSummary, StoredDetection } from '../detection/detection';
import type { DetectionReader } from '../detection/query/detection-reader.repository';
import type { Count, EventQuery, HistoryItem, ObjectRef } from './audit-query';
import { AuditService, bucketSecondsFor } from './audit.service';
import { idTimeMs, matchesQuery } from './event-matcher';
import type {
  BucketCount,
  CountDimension,
  EventReader,
  StoredEventWithJson,
} from './event-reader.repository';

const ALL = ALL_CLUSTERS;
const T0 = Date.UTC(2026, 10, 30, 0, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Json = Record<string, unknown>;

interface Spec {
  at: number;
  verb?: string;
  level?: 'Metadata' | 'Request' | 'RequestResponse';
  stage?: string;
  code?: number;
  user?: string;
  impersonate?: string;
  cluster?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  decision?: 'allow' | 'forbid';
  request?: unknown;
  response?: unknown;
}

let auditSeq = 0;

/** An audit.k8s.io/v1 Event as the apiserver sends it. */
function rawEvent(spec: Spec): Json {
  const stage = new Date(spec.at).toISOString().replace('Z', '000Z');
  const group = spec.apiGroup ?? '';
  const resource = spec.resource ?? 'configmaps';
  const namespace = spec.namespace ?? 'prod';
  const name = spec.name ?? 'app-config';
  const prefix = group === '' ? '/api/v1' : `/apis/${group}/v1`;
  const objectPath = `${prefix}/namespaces/${namespace}/${resource}`;
  const verb = spec.verb ?? 'get';
  let uri = verb === 'create' ? objectPath : `${objectPath}/${name}`;
  if (spec.subresource) uri += `/${spec.subresource}`;
  const stageName = spec.stage ?? 'ResponseComplete';
  const code = spec.code ?? (verb === 'create' ? 201 : 200);
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: spec.level ?? 'Metadata',
    auditID: `00000000-0000-4000-8000-${(++auditSeq).toString().padStart(12, '0')}`,
    stage: stageName,
    requestURI: uri,
    verb,
    user: { username: spec.user ?? 'alice', groups: ['system:authenticated'] },
    ...(spec.impersonate ? { impersonatedUser: { username: spec.impersonate } } : {}),
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd',
    objectRef: {
      resource,
      namespace,
      name,
      apiVersion: 'v1',
      ...(group === '' ? {} : { apiGroup: group }),
      ...(spec.subresource ? { subresource: spec.subresource } : {}),
    },
    ...(stageName === 'RequestReceived' ? {} : { responseStatus: { metadata: {}, code } }),
    ...(spec.request === undefined ? {} : { requestObject: spec.request }),
    ...(spec.response === undefined ? {} : { responseObject: spec.response }),
    requestReceivedTimestamp: stage,
    stageTimestamp: stage,
    annotations: { 'authorization.k8s.io/decision': spec.decision ?? 'allow' },
  };
}

/** The row the ingest path would store for `spec` in `cluster`. */
function row(spec: Spec): StoredEventWithJson {
  const raw = rawEvent(spec);
  const json = JSON.stringify(raw);
  const normalized = normalizeEvent(raw);
  if (!normalized.ok) throw new Error(normalized.reason);
  const record = buildEventRecord(
    spec.cluster ?? 'prod-eu',
    normalized.event,
    json,
    normalized.stageEpochMs,
  );
  const event: StoredEvent = {
    id: bufferToUuid(record.id),
    cluster: record.cluster,
    auditID: record.auditID,
    stage: record.stage,
    level: record.level,
    verb: record.verb,
    username: record.username,
    groups: [...record.groups],
    impersonatedUser: record.impersonatedUser,
    sourceIPs: [...record.sourceIPs],
    userAgent: record.userAgent,
    apiGroup: record.apiGroup,
    apiVersion: record.apiVersion,
    resource: record.resource,
    subresource: record.subresource,
    namespace: record.namespace,
    name: record.name,
    responseCode: record.responseCode,
    decision: record.decision,
    requestReceivedTimestamp: record.requestReceivedTimestamp,
    stageTimestamp: record.stageTimestamp,
    requestURI: record.requestURI,
  };
  return { event, json };
}

const byIdAsc = (a: StoredEventWithJson, b: StoredEventWithJson) =>
  a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0;

function isError(event: StoredEvent): boolean {
  const code = event.responseCode;
  return (
    code === 401 || code === 403 || (code !== null && code >= 500) || event.decision === 'forbid'
  );
}

/**
 * In memory, what the port promises (and what SqlEventReader does): keyset pages on the id,
 * the same filters, lastStateChange with the adapter's conditions.
 */
class FakeEventReader implements EventReader {
  readonly calls: {
    method: string;
    visibility?: ClusterVisibility;
    query?: EventQuery;
    arg?: unknown;
  }[] = [];
  private readonly rows: StoredEventWithJson[];

  constructor(rows: StoredEventWithJson[]) {
    this.rows = [...rows].sort(byIdAsc);
  }

  private matching(visibility: ClusterVisibility, query: EventQuery): StoredEventWithJson[] {
    return this.rows.filter((r) => matchesQuery(r.event, visibility, query));
  }

  private visible(visibility: ClusterVisibility): StoredEventWithJson[] {
    return this.rows.filter((r) => canSee(visibility, r.event.cluster));
  }

  private onObject(visibility: ClusterVisibility, ref: ObjectRef): StoredEventWithJson[] {
    return this.visible(visibility).filter(
      ({ event: e }) =>
        e.cluster === ref.cluster &&
        e.resource === ref.resource &&
        e.namespace === ref.namespace &&
        e.name === ref.name &&
        (ref.apiGroup === undefined || e.apiGroup === ref.apiGroup),
    );
  }

  list(
    visibility: ClusterVisibility,
    query: EventQuery,
    page: { limit: number; before?: string },
  ): Promise<StoredEventWithJson[]> {
    this.calls.push({ method: 'list', visibility, query, arg: page });
    const found = this.matching(visibility, query)
      .filter((r) => page.before === undefined || r.event.id < page.before)
      .reverse()
      .slice(0, page.limit);
    return Promise.resolve(found);
  }

  get(visibility: ClusterVisibility, id: string): Promise<StoredEventWithJson | undefined> {
    this.calls.push({ method: 'get', visibility, arg: id });
    return Promise.resolve(this.visible(visibility).find((r) => r.event.id === id));
  }

  getMany(visibility: ClusterVisibility, ids: readonly string[]): Promise<StoredEventWithJson[]> {
    this.calls.push({ method: 'getMany', visibility, arg: ids });
    return Promise.resolve(
      this.visible(visibility)
        .filter((r) => ids.includes(r.event.id))
        .reverse(),
    );
  }

  objectEvents(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    page: { limit: number; after?: string },
  ): Promise<StoredEventWithJson[]> {
    this.calls.push({ method: 'objectEvents', visibility, arg: page });
    return Promise.resolve(
      this.onObject(visibility, ref)
        .filter((r) => page.after === undefined || r.event.id > page.after)
        .slice(0, page.limit),
    );
  }

  lastStateChange(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    beforeId: string,
  ): Promise<StoredEventWithJson | undefined> {
    this.calls.push({ method: 'lastStateChange', visibility, arg: beforeId });
    const found = this.onObject(visibility, ref).filter(
      ({ event: e }) =>
        e.id < beforeId &&
        e.stage === 'ResponseComplete' &&
        ['', 'status', 'scale'].includes(e.subresource) &&
        (e.responseCode === null || (e.responseCode >= 200 && e.responseCode < 300)) &&
        ((['create', 'update'].includes(e.verb) &&
          ['Request', 'RequestResponse'].includes(e.level)) ||
          (e.verb === 'patch' && e.level === 'RequestResponse') ||
          (e.verb === 'delete' && e.subresource === '')),
    );
    return Promise.resolve(found[found.length - 1]);
  }

  count(visibility: ClusterVisibility, query: EventQuery): Promise<number> {
    this.calls.push({ method: 'count', visibility, query });
    return Promise.resolve(this.matching(visibility, query).length);
  }

  countBy(
    visibility: ClusterVisibility,
    query: EventQuery,
    dimension: CountDimension,
    limit: number,
  ): Promise<Count[]> {
    this.calls.push({ method: `countBy:${dimension}`, visibility, query, arg: limit });
    const counts = new Map<string, number>();
    for (const { event: e } of this.matching(visibility, query)) {
      const key =
        dimension === 'resource'
          ? [e.resource, e.subresource].filter((p, i) => i === 0 || p !== '').join('/')
          : String(e[dimension] ?? '');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return Promise.resolve(
      [...counts]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
        .slice(0, limit),
    );
  }

  histogram(
    visibility: ClusterVisibility,
    query: EventQuery,
    bucketSeconds: number,
  ): Promise<BucketCount[]> {
    this.calls.push({ method: 'histogram', visibility, query, arg: bucketSeconds });
    const buckets = new Map<number, BucketCount>();
    for (const { event: e } of this.matching(visibility, query)) {
      const bucket = Math.floor(Date.parse(e.stageTimestamp) / 1000 / bucketSeconds);
      const b = buckets.get(bucket) ?? { bucket, count: 0, errors: 0 };
      b.count++;
      if (isError(e)) b.errors++;
      buckets.set(bucket, b);
    }
    return Promise.resolve([...buckets.values()].sort((a, b) => a.bucket - b.bucket));
  }

  idsSince(fromMs: number, limit: number): Promise<string[]> {
    return Promise.resolve(
      this.rows
        .filter((r) => idTimeMs(r.event.id) >= fromMs)
        .reverse()
        .slice(0, limit)
        .map((r) => r.event.id),
    );
  }

  clusters(visibility: ClusterVisibility): Promise<string[]> {
    this.calls.push({ method: 'clusters', visibility });
    return Promise.resolve(
      [...new Set(this.visible(visibility).map((r) => r.event.cluster))].sort(),
    );
  }

  newestId(visibility: ClusterVisibility, cluster: string): Promise<string | undefined> {
    this.calls.push({ method: 'newestId', visibility });
    const ids = this.visible(visibility)
      .filter((r) => r.event.cluster === cluster)
      .map((r) => r.event.id)
      .sort();
    return Promise.resolve(ids.at(-1));
  }
}

/** Detections by event id; records each call (one per page is the contract). */
class FakeDetectionReader implements DetectionReader {
  readonly calls: { visibility: ClusterVisibility; ids: readonly string[] }[] = [];
  constructor(private readonly byEvent = new Map<string, DetectionSummary[]>()) {}

  forEvents(visibility: ClusterVisibility, eventIds: readonly string[]) {
    this.calls.push({ visibility, ids: eventIds });
    const found = new Map<string, DetectionSummary[]>();
    for (const id of eventIds) {
      const detections = this.byEvent.get(id);
      if (detections) found.set(id, detections);
    }
    return Promise.resolve(found);
  }
  ofEvent(): Promise<StoredDetection[]> {
    return Promise.resolve([]);
  }
  list(): Promise<StoredDetection[]> {
    return Promise.resolve([]);
  }
  summary() {
    return Promise.resolve([]);
  }
}

function serviceOf(
  rows: StoredEventWithJson[],
  detections = new FakeDetectionReader(),
): {
  service: AuditService;
  reader: FakeEventReader;
  detections: FakeDetectionReader;
} {
  const reader = new FakeEventReader(rows);
  return {
    service: new AuditService(reader, new ReconstructionService(), detections),
    reader,
    detections,
  };
}

describe('bucketSecondsFor', () => {
  const SIZES = [60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800];

  it('picks the smallest bucket that keeps a range within 120 bars', () => {
    expect(bucketSecondsFor(0)).toBe(60);
    expect(bucketSecondsFor(15 * MINUTE)).toBe(60);
    expect(bucketSecondsFor(HOUR)).toBe(60);
    expect(bucketSecondsFor(2 * HOUR)).toBe(60);
    expect(bucketSecondsFor(2 * HOUR + 1000)).toBe(300);
    expect(bucketSecondsFor(6 * HOUR)).toBe(300);
    expect(bucketSecondsFor(DAY)).toBe(900);
    expect(bucketSecondsFor(7 * DAY)).toBe(10_800);
    expect(bucketSecondsFor(30 * DAY)).toBe(21_600);
    expect(bucketSecondsFor(60 * DAY)).toBe(43_200);
    expect(bucketSecondsFor(120 * DAY)).toBe(86_400);
  });

  it('takes whole weeks for ranges past 120 weeks, so no range has more than 121 bars', () => {
    const WEEK = 604_800;
    expect(bucketSecondsFor(365 * DAY)).toBe(WEEK);
    expect(bucketSecondsFor(10 * 365 * DAY)).toBe(5 * WEEK);
    // `from=999999w` (found by fuzzing) asked for a million bars of one week.
    for (const rangeMs of [121 * 7 * DAY, 10 * 365 * DAY, 999_999 * 7 * DAY, 8.64e15]) {
      const size = bucketSecondsFor(rangeMs);
      expect(size % WEEK).toBe(0);
      expect(Math.ceil(rangeMs / 1000 / size) + 1).toBeLessThanOrEqual(121);
    }
  });

  it('for every range up to 120 weeks: at most 120 bars, and no smaller size would do', () => {
    for (let rangeMs = 1000; rangeMs <= 120 * 7 * DAY; rangeMs = Math.ceil(rangeMs * 1.07)) {
      const size = bucketSecondsFor(rangeMs);
      expect(SIZES).toContain(size);
      expect(rangeMs / 1000 / size).toBeLessThanOrEqual(120);
      const smaller = SIZES.filter((s) => s < size);
      for (const s of smaller) expect(rangeMs / 1000 / s).toBeGreaterThan(120);
    }
  });
});

describe('AuditService.listEvents', () => {
  const rows = Array.from({ length: 7 }, (_, i) =>
    row({ at: T0 + i * MINUTE, verb: i % 2 === 0 ? 'get' : 'delete', name: `cm-${i}` }),
  );

  it('newest first, one page at a time, nextCursor until the last page', async () => {
    const { service } = serviceOf(rows);
    const seen: string[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    for (let n = 0; n < 10; n++) {
      const page = await service.listEvents(ALL, {}, { limit: 3, cursor });
      pages.push(page.items.length);
      seen.push(...page.items.map((item) => item.name));
      if (page.nextCursor === null) break;
      expect(page.nextCursor).toBe(page.items[page.items.length - 1].id);
      cursor = page.nextCursor;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual(['cm-6', 'cm-5', 'cm-4', 'cm-3', 'cm-2', 'cm-1', 'cm-0']);
  });

  it('an exactly full last page has no next cursor', async () => {
    const { service } = serviceOf(rows);
    const page = await service.listEvents(ALL, {}, { limit: 7 });
    expect(page.items).toHaveLength(7);
    expect(page.nextCursor).toBeNull();
  });

  it('no match: an empty page', async () => {
    const { service } = serviceOf(rows);
    expect(await service.listEvents(ALL, { verb: ['patch'] }, { limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('filters through the reader and explains each item', async () => {
    const { service } = serviceOf(rows);
    const page = await service.listEvents(ALL, { verb: ['delete'] }, { limit: 10 });
    expect(page.items.map((i) => i.name)).toEqual(['cm-5', 'cm-3', 'cm-1']);
    for (const item of page.items) {
      expect(item.verb).toBe('delete');
      expect(item.summary).toContain('alice');
      expect(item.summary).toContain(item.name);
      expect(item.kubectl.command).toContain('kubectl delete');
      expect(item.kubectl.command).toContain(item.name);
    }
  });

  it('asks the reader for one row more than the page, from the cursor', async () => {
    const { service, reader } = serviceOf(rows);
    await service.listEvents(ALL, {}, { limit: 2, cursor: rows[5].event.id });
    expect(reader.calls).toContainEqual({
      method: 'list',
      visibility: ALL,
      query: {},
      arg: { limit: 3, before: rows[5].event.id },
    });
  });

  it("attaches the detections of the page with one read, in the caller's visibility", async () => {
    const detection: DetectionSummary = {
      rule: 'Delete ConfigMap',
      priority: 'WARNING',
      output: 'alice deleted cm-5',
      tags: ['k8s'],
    };
    const fake = new FakeDetectionReader(new Map([[rows[5].event.id, [detection]]]));
    const { service, detections } = serviceOf(rows, fake);
    const visibility: ClusterVisibility = { all: false, clusters: ['prod-eu'] };
    const page = await service.listEvents(visibility, {}, { limit: 3 });
    expect(detections.calls).toEqual([{ visibility, ids: page.items.map((item) => item.id) }]);
    expect(page.items.map((item) => item.detections)).toEqual([[], [detection], []]);
  });

  it('an empty page asks for no detections', async () => {
    const { service, detections } = serviceOf(rows);
    await service.listEvents(ALL, { verb: ['patch'] }, { limit: 10 });
    expect(detections.calls).toEqual([]);
  });

  it('an unreadable stored row is still listed, with the reason', async () => {
    const broken = { ...row({ at: T0 + HOUR }), json: '{"not":"an event"' };
    const { service } = serviceOf([...rows, broken]);
    const page = await service.listEvents(ALL, {}, { limit: 1 });
    expect(page.items[0].id).toBe(broken.event.id);
    expect(page.items[0].summary).toMatch(/^unreadable event/);
    expect(page.items[0].kubectl).toEqual({ command: '', fidelity: 'none', notes: [] });
  });
});

describe('AuditService.stats', () => {
  it('fills every bucket of the range, with zeros where nothing happened, summing to total', async () => {
    const from = T0;
    const to = T0 + 2 * HOUR;
    const rows = [
      row({ at: from, verb: 'get' }),
      row({ at: from + 30_000, verb: 'get', code: 403 }),
      row({ at: from + 10 * MINUTE + 5, verb: 'list' }),
      row({ at: from + 10 * MINUTE + 59_999, verb: 'create', code: 500 }),
      row({ at: to - 1, verb: 'delete' }),
      row({ at: to, verb: 'get' }), // outside: `to` is exclusive
      row({ at: from - 1, verb: 'get' }), // outside
    ];
    const { service, reader } = serviceOf(rows);
    const stats = await service.stats(ALL, { fromMs: from, toMs: to }, T0 + DAY);

    expect(stats.fromMs).toBe(from);
    expect(stats.toMs).toBe(to);
    expect(stats.bucketSeconds).toBe(60);
    expect(stats.buckets).toHaveLength(120);
    expect(stats.total).toBe(5);
    expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(stats.total);
    stats.buckets.forEach((bucket, i) => {
      expect(bucket.start).toBe(new Date(from + i * MINUTE).toISOString());
    });
    const nonEmpty = stats.buckets
      .map((b, i) => ({ i, count: b.count, errors: b.errors }))
      .filter((b) => b.count > 0);
    expect(nonEmpty).toEqual([
      { i: 0, count: 2, errors: 1 },
      { i: 10, count: 2, errors: 1 },
      { i: 119, count: 1, errors: 0 },
    ]);
    for (const b of stats.buckets) expect(b.errors).toBeLessThanOrEqual(b.count);
    expect(reader.calls.find((c) => c.method === 'histogram')?.arg).toBe(60);
  });

  it('a range not on bucket boundaries covers its partial first and last buckets', async () => {
    const from = T0 + 30_000;
    const to = T0 + HOUR + 30_000;
    const rows = [row({ at: from }), row({ at: to - 1 })];
    const { service } = serviceOf(rows);
    const stats = await service.stats(ALL, { fromMs: from, toMs: to }, T0 + DAY);
    expect(stats.bucketSeconds).toBe(60);
    expect(stats.buckets[0].start).toBe(new Date(T0).toISOString());
    expect(stats.buckets[stats.buckets.length - 1].start).toBe(new Date(T0 + HOUR).toISOString());
    expect(stats.buckets).toHaveLength(61);
    expect(stats.buckets[0].count).toBe(1);
    expect(stats.buckets[60].count).toBe(1);
    expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(stats.total);
    expect(stats.total).toBe(2);
  });

  it('defaults to the 24 hours before now, and asks the reader for exactly that range', async () => {
    const now = T0 + 3 * DAY;
    const rows = [
      row({ at: now - DAY - 1 }),
      row({ at: now - DAY }),
      row({ at: now - HOUR }),
      row({ at: now - 1 }),
    ];
    const { service, reader } = serviceOf(rows);
    const stats = await service.stats(ALL, { verb: ['get'] }, now);
    expect(stats.fromMs).toBe(now - DAY);
    expect(stats.toMs).toBe(now);
    expect(stats.bucketSeconds).toBe(900);
    expect(stats.buckets).toHaveLength(96);
    expect(stats.total).toBe(3);
    expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(3);
    expect(stats.buckets.every((b) => b.count >= 0 && b.errors >= 0)).toBe(true);
    for (const call of reader.calls) {
      expect(call.query).toEqual({ verb: ['get'], fromMs: now - DAY, toMs: now });
    }
    expect(reader.calls.map((c) => c.method).sort()).toEqual([
      'countBy:cluster',
      'countBy:resource',
      'countBy:responseCode',
      'countBy:username',
      'countBy:verb',
      'histogram',
    ]);
  });

  it('a range with only `to` spans the day before `to`', async () => {
    const to = T0 + 2 * DAY;
    const { service } = serviceOf([]);
    const stats = await service.stats(ALL, { toMs: to }, T0 + 10 * DAY);
    expect(stats.fromMs).toBe(to - DAY);
    expect(stats.toMs).toBe(to);
  });

  it('an empty store: every bucket zero, total zero', async () => {
    const { service } = serviceOf([]);
    const stats = await service.stats(ALL, { fromMs: T0, toMs: T0 + 7 * DAY }, T0 + 7 * DAY);
    expect(stats.bucketSeconds).toBe(10_800);
    expect(stats.buckets).toHaveLength(56);
    expect(stats.total).toBe(0);
    expect(stats.buckets.every((b) => b.count === 0 && b.errors === 0)).toBe(true);
    expect(stats.byVerb).toEqual([]);
  });

  it('top lists: counts per verb, user, resource, code and cluster, largest first', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'get', user: 'alice', cluster: 'a' }),
      row({ at: T0 + 2, verb: 'get', user: 'bob', cluster: 'a', code: 404 }),
      row({
        at: T0 + 3,
        verb: 'get',
        user: 'bob',
        cluster: 'b',
        resource: 'pods',
        subresource: 'log',
      }),
      row({ at: T0 + 4, verb: 'list', user: 'bob', cluster: 'b', resource: 'pods' }),
    ];
    const { service } = serviceOf(rows);
    const stats = await service.stats(ALL, { fromMs: T0, toMs: T0 + HOUR }, T0 + HOUR);
    expect(stats.byVerb).toEqual([
      { key: 'get', count: 3 },
      { key: 'list', count: 1 },
    ]);
    expect(stats.byUser).toEqual([
      { key: 'bob', count: 3 },
      { key: 'alice', count: 1 },
    ]);
    expect(stats.byResource).toEqual(
      expect.arrayContaining([
        { key: 'configmaps', count: 2 },
        { key: 'pods/log', count: 1 },
        { key: 'pods', count: 1 },
      ]),
    );
    expect(stats.byCode).toEqual([
      { key: '200', count: 3 },
      { key: '404', count: 1 },
    ]);
    expect(stats.byCluster).toEqual([
      { key: 'a', count: 2 },
      { key: 'b', count: 2 },
    ]);
  });
});

describe('AuditService.userActivity', () => {
  const rows = [
    row({ at: T0 + 1 * MINUTE, user: 'alice', verb: 'get', namespace: 'prod' }),
    row({ at: T0 + 2 * MINUTE, user: 'alice', verb: 'delete', namespace: 'prod', code: 403 }),
    row({
      at: T0 + 3 * MINUTE,
      user: 'admin',
      impersonate: 'alice',
      verb: 'create',
      namespace: 'dev',
    }),
    row({ at: T0 + 4 * MINUTE, user: 'alice', verb: 'list', code: 401, cluster: 'dev-us' }),
    row({ at: T0 + 5 * MINUTE, user: 'bob', verb: 'delete', code: 403 }),
    row({ at: T0 + 6 * MINUTE, user: 'alice', verb: 'get', code: 500 }),
    row({ at: T0 + 2 * HOUR, user: 'alice', verb: 'get', code: 403 }), // after the range
  ];
  const range = { fromMs: T0, toMs: T0 + HOUR };

  it('counts what the user did (also as the impersonated user) in the range', async () => {
    const { service } = serviceOf(rows);
    const activity = await service.userActivity(ALL, 'alice', range);
    expect(activity.username).toBe('alice');
    expect(activity.fromMs).toBe(range.fromMs);
    expect(activity.toMs).toBe(range.toMs);
    expect(activity.total).toBe(5);
    expect(activity.byVerb).toEqual([
      { key: 'get', count: 2 },
      { key: 'create', count: 1 },
      { key: 'delete', count: 1 },
      { key: 'list', count: 1 },
    ]);
    expect(activity.byNamespace).toEqual([
      { key: 'prod', count: 4 },
      { key: 'dev', count: 1 },
    ]);
    expect(activity.byCluster).toEqual([
      { key: 'prod-eu', count: 4 },
      { key: 'dev-us', count: 1 },
    ]);
    expect(activity.byCode.reduce((sum, c) => sum + c.count, 0)).toBe(5);
    expect(activity.byResource).toEqual([{ key: 'configmaps', count: 5 }]);
  });

  it('denied: 401 and 403 only (not 5xx), newest first', async () => {
    const { service } = serviceOf(rows);
    const activity = await service.userActivity(ALL, 'alice', range);
    expect(activity.denied.total).toBe(2);
    expect(activity.denied.latest.map((i) => [i.verb, i.responseCode])).toEqual([
      ['list', 401],
      ['delete', 403],
    ]);
    for (const item of activity.denied.latest) {
      expect(typeof item.summary).toBe('string');
      expect(item.kubectl).toBeDefined();
    }
  });

  it('at most 20 latest denied events, but the full denied count', async () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      row({ at: T0 + i * 1000, user: 'mallory', verb: 'get', code: 403, name: `s-${i}` }),
    );
    const { service } = serviceOf(many);
    const activity = await service.userActivity(ALL, 'mallory', range);
    expect(activity.denied.total).toBe(25);
    expect(activity.denied.latest).toHaveLength(20);
    expect(activity.denied.latest[0].name).toBe('s-24');
    expect(activity.denied.latest[19].name).toBe('s-5');
  });

  it('restricts to the clusters asked for, and only then', async () => {
    const { service, reader } = serviceOf(rows);
    const activity = await service.userActivity(ALL, 'alice', { ...range, cluster: ['dev-us'] });
    expect(activity.total).toBe(1);
    expect(activity.denied.total).toBe(1);
    for (const call of reader.calls) expect(call.query?.cluster).toEqual(['dev-us']);

    const unrestricted = serviceOf(rows);
    await unrestricted.service.userActivity(ALL, 'alice', range);
    for (const call of unrestricted.reader.calls) {
      expect(call.query).toBeDefined();
      expect(call.query).not.toHaveProperty('cluster');
      expect(call.query).toMatchObject({ user: ['alice'], fromMs: T0, toMs: T0 + HOUR });
    }
  });

  it('a user with nothing in the range: zeros and empty lists', async () => {
    const { service } = serviceOf(rows);
    const activity = await service.userActivity(ALL, 'nobody', range);
    expect(activity).toMatchObject({
      total: 0,
      byVerb: [],
      byResource: [],
      byNamespace: [],
      byCluster: [],
      byCode: [],
      denied: { total: 0, latest: [] },
    });
  });
});

describe('AuditService.objectHistory', () => {
  const REF: ObjectRef = {
    cluster: 'prod-eu',
    resource: 'configmaps',
    namespace: 'prod',
    name: 'app-config',
  };

  function configMap(data: Json, resourceVersion = '1'): Json {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'prod', resourceVersion },
      data,
    };
  }

  /** The whole history, read `limit` items a page. */
  async function allPages(service: AuditService, ref: ObjectRef, limit: number) {
    const items: HistoryItem[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 100; n++) {
      const page = await service.objectHistory(ALL, ref, { limit, cursor });
      items.push(...page.items);
      if (page.nextCursor === null) return items;
      expect(page.nextCursor).toBe(page.items[page.items.length - 1].id);
      cursor = page.nextCursor;
    }
    throw new Error('no last page');
  }

  /** diff and diffNote of each item, the part that must not depend on paging. */
  const outcome = (items: HistoryItem[]) =>
    items.map((i) => ({ id: i.id, diff: i.diff, diffNote: i.diffNote }));

  const changesOf = (item: HistoryItem) => (item.diff ?? []).filter((c) => c.path !== '');

  it('oldest first; reads carry no diff and no note', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 2, verb: 'get' }),
      row({ at: T0 + 3, verb: 'watch' }),
    ];
    const { service } = serviceOf(rows);
    const page = await service.objectHistory(ALL, REF, { limit: 10 });
    expect(page.items.map((i) => i.verb)).toEqual(['create', 'get', 'watch']);
    expect(page.nextCursor).toBeNull();
    for (const item of page.items.slice(1)) {
      expect(item.diff).toBeNull();
      expect(item.diffNote).toBeUndefined();
    }
    expect(page.items[1].summary).toContain('app-config');
  });

  it('a create diffs against nothing: its fields are added', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
    ];
    const { service } = serviceOf(rows);
    const [create] = (await service.objectHistory(ALL, REF, { limit: 10 })).items;
    expect(changesOf(create)).toEqual(
      expect.arrayContaining([
        { path: 'data.a', op: 'added', after: '"1"' },
        { path: 'metadata.name', op: 'added', after: '"app-config"' },
      ]),
    );
    expect(changesOf(create).every((c) => c.op === 'added')).toBe(true);
    // resourceVersion is bookkeeping
    expect(create.diff!.map((c) => c.path)).not.toContain('metadata.resourceVersion');
  });

  // BUG (object-diff.ts diffStates): the create's diff also holds { path: '', op: 'removed', before: '{}' }.
  it('a create diff holds only added fields (no removed root)', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
    ];
    const { service } = serviceOf(rows);
    const [create] = (await service.objectHistory(ALL, REF, { limit: 10 })).items;
    expect(create.diff!.every((c) => c.op === 'added' && c.path !== '')).toBe(true);
  });

  it('each write diffs against the previous known state', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({
        at: T0 + 2,
        verb: 'update',
        level: 'RequestResponse',
        request: configMap({ a: '2' }, '1'),
        response: configMap({ a: '2' }, '2'),
      }),
      row({
        at: T0 + 3,
        verb: 'patch',
        level: 'RequestResponse',
        request: { data: { b: 'x' } },
        response: configMap({ a: '2', b: 'x' }, '3'),
      }),
    ];
    const { service } = serviceOf(rows);
    const [, update, patch] = (await service.objectHistory(ALL, REF, { limit: 10 })).items;
    expect(update.diff).toEqual([{ path: 'data.a', op: 'changed', before: '"1"', after: '"2"' }]);
    expect(patch.diff).toEqual([{ path: 'data.b', op: 'added', after: '"x"' }]);
  });

  it('seeds the first item of a page from lastStateChange', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 2, verb: 'update', level: 'Request', request: configMap({ a: '2' }) }),
      row({ at: T0 + 3, verb: 'get' }),
      row({ at: T0 + 4, verb: 'update', level: 'Request', request: configMap({ a: '3' }) }),
    ];
    const { service, reader } = serviceOf(rows);
    const first = await service.objectHistory(ALL, REF, { limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([rows[0].event.id, rows[1].event.id]);
    expect(first.nextCursor).toBe(rows[1].event.id);
    const second = await service.objectHistory(ALL, REF, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.verb)).toEqual(['get', 'update']);
    expect(second.nextCursor).toBeNull();
    expect(second.items[1].diff).toEqual([
      { path: 'data.a', op: 'changed', before: '"2"', after: '"3"' },
    ]);
    expect(reader.calls).toContainEqual({
      method: 'lastStateChange',
      visibility: ALL,
      arg: rows[2].event.id,
    });
    expect(reader.calls).toContainEqual({
      visibility: ALL,
      method: 'objectEvents',
      arg: { limit: 3, after: rows[1].event.id },
    });

    // A page starting with the update itself
    const third = await service.objectHistory(ALL, REF, { limit: 5, cursor: rows[2].event.id });
    expect(third.items[0].diff).toEqual([
      { path: 'data.a', op: 'changed', before: '"2"', after: '"3"' },
    ]);
  });

  it('a write with nothing known before it (not a create) is a first recorded state', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'update', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 2, verb: 'update', level: 'Request', request: configMap({ a: '2' }) }),
    ];
    const { service } = serviceOf(rows);
    const [first, second] = (await service.objectHistory(ALL, REF, { limit: 10 })).items;
    expect(first.diff).toBeNull();
    expect(first.diffNote).toMatch(/first recorded state/);
    expect(second.diff).toEqual([{ path: 'data.a', op: 'changed', before: '"1"', after: '"2"' }]);
  });

  it('marks deletes; a create after a delete starts from nothing', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 2, verb: 'delete', level: 'Request', code: 403 }),
      row({ at: T0 + 3, verb: 'delete' }),
      row({ at: T0 + 4, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 5, verb: 'update', level: 'Request', request: configMap({ a: '9' }) }),
    ];
    const { service } = serviceOf(rows);
    const [, denied, deleted, recreated, update] = (
      await service.objectHistory(ALL, REF, { limit: 10 })
    ).items;
    expect(denied.diff).toBeNull();
    expect(denied.diffNote).toMatch(/failed.*403/);
    expect(deleted.diff).toBeNull();
    expect(deleted.diffNote).toBe('deleted');
    // same content as before the delete, yet every field is new again
    expect(changesOf(recreated).length).toBeGreaterThan(0);
    expect(changesOf(recreated).every((c) => c.op === 'added')).toBe(true);
    expect(update.diff).toEqual([{ path: 'data.a', op: 'changed', before: '"1"', after: '"9"' }]);
  });

  it('a write after a delete, with no create seen, is a first recorded state', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 2, verb: 'delete' }),
      row({ at: T0 + 3, verb: 'update', level: 'Request', request: configMap({ a: '2' }) }),
    ];
    const { service } = serviceOf(rows);
    const items = (await service.objectHistory(ALL, REF, { limit: 10 })).items;
    expect(items[2].diff).toBeNull();
    expect(items[2].diffNote).toMatch(/first recorded state/);
  });

  it('notes Metadata-level writes; the next recorded write diffs against the last known state', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({ at: T0 + 2, verb: 'update', level: 'Metadata' }),
      row({ at: T0 + 3, verb: 'patch', level: 'Metadata' }),
      row({ at: T0 + 4, verb: 'update', level: 'Request', request: configMap({ a: '3' }) }),
    ];
    const { service } = serviceOf(rows);
    const [, update, patch, next] = (await service.objectHistory(ALL, REF, { limit: 10 })).items;
    for (const item of [update, patch]) {
      expect(item.diff).toBeNull();
      expect(item.diffNote).toMatch(/Metadata/);
    }
    expect(next.diff).toEqual([{ path: 'data.a', op: 'changed', before: '"1"', after: '"3"' }]);
  });

  it('notes failed writes, patches without response and non-final stages', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
      row({
        at: T0 + 2,
        verb: 'update',
        level: 'Request',
        request: configMap({ a: 'x' }),
        code: 409,
      }),
      row({ at: T0 + 3, verb: 'patch', level: 'Request', request: { data: { a: '2' } } }),
      row({
        at: T0 + 4,
        verb: 'update',
        level: 'Request',
        stage: 'RequestReceived',
        request: configMap({ a: 'y' }),
      }),
    ];
    const { service } = serviceOf(rows);
    const [, failed, patch, received] = (await service.objectHistory(ALL, REF, { limit: 10 }))
      .items;
    expect(failed.diff).toBeNull();
    expect(failed.diffNote).toMatch(/409/);
    expect(patch.diff).toBeNull();
    expect(patch.diffNote).toMatch(/patch/);
    expect(received.diff).toBeNull();
    expect(received.diffNote).toMatch(/RequestReceived/);
  });

  it('Secret history reports changed keys but never their values', async () => {
    const ref: ObjectRef = {
      cluster: 'prod-eu',
      resource: 'secrets',
      namespace: 'prod',
      name: 'db',
    };
    const oldValue = Buffer.from('old-password-1').toString('base64');
    const newValue = Buffer.from('new-password-2').toString('base64');
    const secret = (password: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'prod' },
      data: { password },
    });
    const rows = [
      row({
        at: T0 + 1,
        verb: 'create',
        level: 'Request',
        resource: 'secrets',
        name: 'db',
        request: secret(oldValue),
      }),
      row({
        at: T0 + 2,
        verb: 'patch',
        level: 'RequestResponse',
        resource: 'secrets',
        name: 'db',
        request: { stringData: { password: 'new-password-2' } },
        response: secret(newValue),
      }),
    ];
    const { service } = serviceOf(rows);
    const page = await service.objectHistory(ALL, ref, { limit: 10 });
    const text = JSON.stringify(page);
    for (const value of [oldValue, newValue, 'old-password-1', 'new-password-2']) {
      expect(text).not.toContain(value);
    }
    expect(page.items[1].diff).toEqual([
      { path: 'data.password', op: 'changed', before: '"<redacted>"', after: '"<redacted>"' },
    ]);
  });

  it('an empty history: no items, no cursor, no lastStateChange lookup', async () => {
    const { service, reader } = serviceOf([]);
    expect(await service.objectHistory(ALL, REF, { limit: 5 })).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(reader.calls.map((c) => c.method)).not.toContain('lastStateChange');
  });

  it('only events of that object: other names, namespaces and clusters are left out', async () => {
    const rows = [
      row({ at: T0 + 1, verb: 'get' }),
      row({ at: T0 + 2, verb: 'get', name: 'other' }),
      row({ at: T0 + 3, verb: 'get', namespace: 'dev' }),
      row({ at: T0 + 4, verb: 'get', cluster: 'dev-us' }),
    ];
    const { service } = serviceOf(rows);
    const page = await service.objectHistory(ALL, REF, { limit: 10 });
    expect(page.items.map((i) => i.id)).toEqual([rows[0].event.id]);
  });

  describe('the diffs do not depend on where the pages break', () => {
    async function expectPageInvariant(rows: StoredEventWithJson[]) {
      const { service } = serviceOf(rows);
      const whole = outcome(await allPages(service, REF, 100));
      expect(whole).toHaveLength(rows.length);
      for (let limit = 1; limit < rows.length; limit++) {
        expect(outcome(await allPages(service, REF, limit))).toEqual(whole);
      }
    }

    it('creates, recorded updates and patches, Metadata-level writes and reads', async () => {
      await expectPageInvariant([
        row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
        row({ at: T0 + 2, verb: 'get' }),
        row({ at: T0 + 3, verb: 'update', level: 'Request', request: configMap({ a: '2' }) }),
        row({ at: T0 + 4, verb: 'update', level: 'Metadata' }),
        row({
          at: T0 + 5,
          verb: 'patch',
          level: 'RequestResponse',
          request: { data: { b: '1' } },
          response: configMap({ a: '2', b: '1' }),
        }),
        row({
          at: T0 + 6,
          verb: 'update',
          level: 'Request',
          request: configMap({ a: '3', b: '1' }),
        }),
      ]);
    });

    // BUG: lastStateChange (SqlEventReader, and so this fake) returns a Request-level patch,
    // whose stateAfter is undefined, so a page starting after it loses the known state.
    it('a Request-level patch before the page break', async () => {
      await expectPageInvariant([
        row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
        row({ at: T0 + 2, verb: 'patch', level: 'Request', request: { data: { b: '1' } } }),
        row({ at: T0 + 3, verb: 'update', level: 'Request', request: configMap({ a: '3' }) }),
      ]);
    });

    // BUG: same with a failed write (the reader does not filter on the response code).
    it('a failed write before the page break', async () => {
      await expectPageInvariant([
        row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
        row({
          at: T0 + 2,
          verb: 'update',
          level: 'Request',
          code: 409,
          request: configMap({ a: 'x' }),
        }),
        row({ at: T0 + 3, verb: 'update', level: 'Request', request: configMap({ a: '3' }) }),
      ]);
    });

    // BUG: a delete is not a "recorded write", so a page starting after create, delete sees
    // the deleted object's state: the re-create diffs against it instead of adding every field.
    it('a delete before the page break', async () => {
      await expectPageInvariant([
        row({ at: T0 + 1, verb: 'create', level: 'Request', request: configMap({ a: '1' }) }),
        row({ at: T0 + 2, verb: 'delete' }),
        row({ at: T0 + 3, verb: 'create', level: 'Request', request: configMap({ a: '2' }) }),
      ]);
    });
  });
});

describe("AuditService: every read keeps to the caller's clusters", () => {
  const rows = [
    row({ at: T0 + 1 * MINUTE, cluster: 'prod-eu', verb: 'create', level: 'Request', request: {} }),
    row({ at: T0 + 2 * MINUTE, cluster: 'dev-us', verb: 'update', level: 'Request', request: {} }),
    row({ at: T0 + 3 * MINUTE, cluster: 'dev-us', verb: 'get', code: 403 }),
  ];
  const DEV: ClusterVisibility = { all: false, clusters: ['dev-us'] };
  const NONE: ClusterVisibility = { all: false, clusters: [] };
  const range = { fromMs: T0, toMs: T0 + HOUR };
  const devRef: ObjectRef = {
    cluster: 'dev-us',
    resource: 'configmaps',
    namespace: 'prod',
    name: 'app-config',
  };

  /** Runs every use case as `visibility`; each reader call must have carried it. */
  async function everyUseCase(visibility: ClusterVisibility) {
    const { service, reader } = serviceOf(rows);
    const results = {
      list: (await service.listEvents(visibility, {}, { limit: 10 })).items.map((i) => i.cluster),
      export: [] as string[],
      stats: (await service.stats(visibility, range, T0 + HOUR)).byCluster,
      activity: (await service.userActivity(visibility, 'alice', range)).byCluster,
      history: (await service.objectHistory(visibility, devRef, { limit: 10 })).items.length,
      clusters: await service.clusters(visibility, T0),
      byIds: (
        await service.eventsByIds(
          visibility,
          rows.map((r) => r.event.id),
        )
      ).length,
    };
    for await (const item of service.exportEvents(visibility, {}))
      results.export.push(item.cluster);
    expect(reader.calls.length).toBeGreaterThan(10);
    for (const call of reader.calls) expect(call.visibility).toBe(visibility);
    return results;
  }

  it('one cluster: only its events, counts and name', async () => {
    expect(await everyUseCase(DEV)).toEqual({
      list: ['dev-us', 'dev-us'],
      export: ['dev-us', 'dev-us'],
      stats: [{ key: 'dev-us', count: 2 }],
      activity: [{ key: 'dev-us', count: 2 }],
      history: 2,
      clusters: ['dev-us'],
      byIds: 2,
    });
  });

  it('no cluster: nothing at all', async () => {
    expect(await everyUseCase(NONE)).toEqual({
      list: [],
      export: [],
      stats: [],
      activity: [],
      history: 0,
      clusters: [],
      byIds: 0,
    });
  });

  it('all clusters: everything', async () => {
    const all = await everyUseCase(ALL);
    expect(all.list).toEqual(['dev-us', 'dev-us', 'prod-eu']);
    expect(all.clusters).toEqual(['dev-us', 'prod-eu']);
  });

  it('an event of a hidden cluster is answered exactly as an unknown id', async () => {
    const { service } = serviceOf(rows);
    const hidden = rows[0].event.id;
    const unknown = '01890000-0000-7000-8000-000000000000';
    const failure = async (id: string) =>
      service.getEvent(DEV, id).then(
        () => 'found',
        (error: { getStatus(): number; getResponse(): unknown }) => ({
          status: error.getStatus(),
          body: JSON.stringify(error.getResponse()).replace(id, '<id>'),
        }),
      );
    expect(await failure(hidden)).toEqual(await failure(unknown));
    expect(await failure(hidden)).toMatchObject({ status: 404 });
    expect((await service.getEvent(ALL, hidden)).cluster).toBe('prod-eu');
  });

  it('caches the cluster list per visibility', async () => {
    const { service, reader } = serviceOf(rows);
    expect(await service.clusters(DEV, T0)).toEqual(['dev-us']);
    expect(await service.clusters(ALL, T0)).toEqual(['dev-us', 'prod-eu']);
    expect(await service.clusters(DEV, T0 + 1000)).toEqual(['dev-us']);
    expect(reader.calls.filter((c) => c.method === 'clusters')).toHaveLength(2);
  });
});
