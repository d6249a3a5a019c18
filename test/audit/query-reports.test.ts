/**
 * User activity, stats, export and the OpenAPI document of the query API (issue 7 contract).
 * Expected counts come from the fixture specs.
 */
import type { EventItem, EventStats, UserActivity } from '../../src/audit/audit-query';
import {
  auditIDs,
  BadRequest,
  countBy,
  EventSpec,
  get,
  getOk,
  messageOf,
  newestFirst,
  parseCsv,
  postEvents,
  Query,
  sortCounts,
  stageMs,
  walk,
} from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';

interface OpenApiDoc {
  paths?: Record<string, Record<string, { parameters?: { name: string }[] }>>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const isDenied = (s: EventSpec): boolean =>
  s.code === 401 || s.code === 403 || s.decision === 'forbid';
const isError = (s: EventSpec): boolean => s.code === 401 || s.code === 403 || (s.code ?? 0) >= 500;

/** Stats fixtures: fixed times around a 6-hour window. */
const W_FROM = Date.parse('2026-11-22T00:00:00.000Z');
const W_TO = Date.parse('2026-11-22T06:00:00.000Z');
// prettier-ignore
const STATS: EventSpec[] = [
  { auditID: 'st01', at: W_FROM, user: 'alice', verb: 'get', resource: 'pods', namespace: 'a', name: 'p1', code: 200 },
  { auditID: 'st02', at: W_FROM + 10 * MINUTE, user: 'alice', verb: 'list', resource: 'pods', namespace: 'a', code: 200 },
  { auditID: 'st03', at: W_FROM + HOUR - 1, user: 'bob', verb: 'get', resource: 'secrets', namespace: 'a', name: 's1', code: 200 },
  { auditID: 'st04', at: W_FROM + HOUR, user: 'bob', verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'a', name: 'd1', code: 201 },
  { auditID: 'st05', at: W_FROM + 150 * MINUTE, user: 'carol', verb: 'delete', resource: 'pods', namespace: 'b', name: 'p2', code: 403, decision: 'forbid' },
  { auditID: 'st06', at: W_FROM + 151 * MINUTE, user: 'carol', verb: 'get', resource: 'pods', namespace: 'b', name: 'p2', code: 500 },
  { auditID: 'st07', at: W_FROM + 3 * HOUR, user: 'system:anonymous', verb: 'get', requestURI: '/api', code: 401 },
  { auditID: 'st08', at: W_TO - 1000, user: 'alice', verb: 'get', resource: 'pods', namespace: 'a', name: 'p3', code: 404 },
  { auditID: 'st09', at: W_TO, user: 'alice', verb: 'get', resource: 'pods', namespace: 'a', name: 'p4', code: 200 },
  { auditID: 'st10', at: W_FROM - 1000, user: 'alice', verb: 'get', resource: 'pods', namespace: 'a', name: 'p5', code: 200 },
];
const IN_WINDOW = STATS.filter((s) => stageMs(s) >= W_FROM && stageMs(s) < W_TO);
const WINDOW: Query = {
  cluster: 'stats-a',
  from: new Date(W_FROM).toISOString(),
  to: new Date(W_TO).toISOString(),
};

/** Export fixtures: > 500 events plus cells that need quoting or CSV-injection protection. */
const E0 = Date.parse('2026-11-23T00:00:00.000Z');
const EXPORT_BULK: EventSpec[] = Array.from({ length: 520 }, (_, i) => ({
  auditID: `ex-${String(i).padStart(3, '0')}`,
  at: E0 + i * 1000,
  user: i % 2 === 0 ? 'alice' : 'bob',
  verb: i % 4 === 0 ? 'get' : 'list',
  resource: 'pods',
  namespace: 'exp',
  name: i % 4 === 0 ? `pod-${i}` : undefined,
  code: 200,
}));
const TRICKY_UA = 'evil "agent", with\nnewline';
// prettier-ignore
const EXPORT_TRICKY: EventSpec[] = [
  { auditID: 'ex-inject-eq', at: E0 + 600_000, user: '=HYPERLINK("http://evil.example","x")', verb: 'get', resource: 'pods', namespace: 'exp', name: 'q1', code: 200, userAgent: TRICKY_UA },
  { auditID: 'ex-inject-plus', at: E0 + 601_000, user: '+cmd|calc', verb: 'get', resource: 'pods', namespace: 'exp', name: 'q2', code: 200, userAgent: '@SUM(1+1)' },
  { auditID: 'ex-inject-minus', at: E0 + 602_000, user: '-2+3', verb: 'get', resource: 'pods', namespace: 'exp', name: 'q3', code: 200, userAgent: '-evil' },
];
const EXPORT_ALL = [...EXPORT_BULK, ...EXPORT_TRICKY];

describe.each(backends())('query reports (%s)', (backend) => {
  let app: TestApp;
  const now = Date.now();
  const dana = { user: 'dana', groups: ['system:authenticated'] };
  // prettier-ignore
  const ACTIVITY: Record<string, EventSpec[]> = {
    'act-a': [
      { ...dana, auditID: 'a1', at: now - 10 * MINUTE, verb: 'get', resource: 'pods', namespace: 'team-a', name: 'p', code: 200, decision: 'allow' },
      { ...dana, auditID: 'a2', at: now - 20 * MINUTE, verb: 'list', resource: 'pods', namespace: 'team-a', code: 200, decision: 'allow' },
      { ...dana, auditID: 'a4', at: now - 40 * MINUTE, verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'team-a', name: 'd', code: 201, decision: 'allow' },
      { ...dana, auditID: 'a6', at: now - HOUR, verb: 'patch', resource: 'configmaps', namespace: 'team-a', name: 'c', code: 403 },
      { ...dana, auditID: 'a7', at: now - 2 * DAY, verb: 'get', resource: 'pods', namespace: 'team-a', name: 'p', code: 200, decision: 'allow' },
      { ...dana, auditID: 'a8', at: now - 8 * DAY, verb: 'get', resource: 'pods', namespace: 'team-a', name: 'p', code: 200, decision: 'allow' },
      { auditID: 'a9', at: now - 5 * MINUTE, user: 'erin', verb: 'get', resource: 'pods', namespace: 'team-a', name: 'p', code: 403 },
      { auditID: 'a10', at: now - 15 * MINUTE, user: 'dana-admin', verb: 'delete', resource: 'pods', namespace: 'team-a', name: 'p', code: 403 },
      { auditID: 'a12', at: now - 5 * MINUTE, user: 'system:serviceaccount:ci:deployer', verb: 'get', resource: 'pods', namespace: 'ci', name: 'runner', code: 200 },
    ],
    'act-b': [
      { ...dana, auditID: 'a3', at: now - 30 * MINUTE, verb: 'get', resource: 'secrets', namespace: 'team-b', name: 's', code: 403, decision: 'forbid' },
      { ...dana, auditID: 'a5', at: now - 50 * MINUTE, verb: 'delete', resource: 'pods', namespace: 'team-b', name: 'p', code: 401 },
    ],
  };
  const clusterOf = (id: string): string =>
    Object.entries(ACTIVITY).find(([, specs]) => specs.some((s) => s.auditID === id))![0];
  const danaIn = (fromMs: number, toMs: number, cluster?: string): EventSpec[] =>
    Object.entries(ACTIVITY)
      .filter(([c]) => cluster === undefined || c === cluster)
      .flatMap(([, specs]) => specs)
      .filter((s) => s.user === 'dana' && stageMs(s) >= fromMs && stageMs(s) < toMs);
  const RECENT_STATS: EventSpec[] = [
    { auditID: 'n1', at: now - HOUR, verb: 'get', resource: 'pods', code: 200 },
    { auditID: 'n2', at: now - 23 * HOUR, verb: 'get', resource: 'pods', code: 500 },
    { auditID: 'n3', at: now - 25 * HOUR, verb: 'get', resource: 'pods', code: 200 },
  ];

  beforeAll(async () => {
    app = await startTestApp(backend);
    for (const [cluster, specs] of Object.entries(ACTIVITY)) await postEvents(app, cluster, specs);
    await postEvents(app, 'stats-a', STATS);
    await postEvents(app, 'stats-now', RECENT_STATS);
    await postEvents(app, 'export', EXPORT_ALL);
  });
  afterAll(() => app?.close());

  describe('GET /api/v1/users/:username/activity', () => {
    function expectActivity(activity: UserActivity, specs: EventSpec[]): void {
      expect(activity.username).toBe('dana');
      expect(activity.total).toBe(specs.length);
      expect(sortCounts(activity.byVerb)).toEqual(countBy(specs, (s) => s.verb!));
      expect(sortCounts(activity.byNamespace)).toEqual(countBy(specs, (s) => s.namespace!));
      expect(sortCounts(activity.byCluster)).toEqual(countBy(specs, (s) => clusterOf(s.auditID)));
      expect(sortCounts(activity.byCode)).toEqual(countBy(specs, (s) => String(s.code)));
      // Resource keys: `pods`, `secrets`, `configmaps`; the apps one may carry its group.
      const resources = sortCounts(
        activity.byResource.map((c) => ({
          key: c.key.startsWith('deployments') ? 'deployments' : c.key,
          count: c.count,
        })),
      );
      expect(resources).toEqual(countBy(specs, (s) => s.resource!));
      const denied = specs.filter(isDenied);
      expect(activity.denied.total).toBe(denied.length);
      expect(auditIDs(activity.denied.latest)).toEqual(newestFirst(denied));
    }

    it('defaults to the last 7 days', async () => {
      const before = Date.now();
      const activity = await getOk<UserActivity>(app, '/api/v1/users/dana/activity');
      const after = Date.now();
      expect(activity.toMs).toBeGreaterThanOrEqual(before - 1000);
      expect(activity.toMs).toBeLessThanOrEqual(after + 1000);
      expect(activity.toMs - activity.fromMs).toBe(7 * DAY);
      const specs = danaIn(now - 7 * DAY, now + MINUTE);
      expect(auditIDs(specs).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
      expectActivity(activity, specs);
      expect(activity.denied.total).toBe(3);
    });

    it('honours from/to (RFC 3339) and reports them', async () => {
      const fromMs = now - 45 * MINUTE;
      const toMs = now - 15 * MINUTE;
      const activity = await getOk<UserActivity>(app, '/api/v1/users/dana/activity', {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
      });
      expect(activity.fromMs).toBe(fromMs);
      expect(activity.toMs).toBe(toMs);
      const specs = danaIn(fromMs, toMs);
      expect(auditIDs(specs).sort()).toEqual(['a2', 'a3', 'a4']);
      expectActivity(activity, specs);
    });

    it('honours relative from and a cluster', async () => {
      const activity = await getOk<UserActivity>(app, '/api/v1/users/dana/activity', {
        from: '30d',
        cluster: 'act-b',
      });
      const specs = danaIn(now - 30 * DAY, now + MINUTE, 'act-b');
      expectActivity(activity, specs);
      expect(activity.denied.total).toBe(2);
    });

    it('takes usernames with colons, and counts only that exact user', async () => {
      const sa = await getOk<UserActivity>(
        app,
        `/api/v1/users/${encodeURIComponent('system:serviceaccount:ci:deployer')}/activity`,
      );
      expect(sa.username).toBe('system:serviceaccount:ci:deployer');
      expect(sa.total).toBe(1);
      expect(sa.byNamespace).toEqual([{ key: 'ci', count: 1 }]);
    });

    it('an unknown user has zero activity', async () => {
      const nobody = await getOk<UserActivity>(app, '/api/v1/users/nobody-at-all/activity');
      expect(nobody).toMatchObject({
        username: 'nobody-at-all',
        total: 0,
        byVerb: [],
        byResource: [],
        byNamespace: [],
        byCluster: [],
        byCode: [],
        denied: { total: 0, latest: [] },
      });
    });

    it.each<[string, Query, RegExp]>([
      ['from=yesterday', { from: 'yesterday' }, /from/],
      ['cluster=Bad_Name', { cluster: 'Bad_Name' }, /cluster/],
      ['from after to', { from: '2026-11-22T00:00:00Z', to: '2026-11-21T00:00:00Z' }, /from|to/],
    ])('answers 400 for %s', async (_label, query, names) => {
      const answer = await get<BadRequest>(app, '/api/v1/users/dana/activity', query);
      expect(answer.status).toBe(400);
      expect(messageOf(answer.body)).toMatch(names);
    });
  });

  describe('GET /api/v1/stats', () => {
    it('counts a window: totals, buckets (from inclusive, to exclusive), errors and breakdowns', async () => {
      const stats = await getOk<EventStats>(app, '/api/v1/stats', WINDOW);
      expect(stats.fromMs).toBe(W_FROM);
      expect(stats.toMs).toBe(W_TO);
      expect(stats.total).toBe(IN_WINDOW.length);
      expect(IN_WINDOW).toHaveLength(8);
      expect(stats.bucketSeconds).toBeGreaterThan(0);
      expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(stats.total);
      expect(stats.buckets.reduce((sum, b) => sum + b.errors, 0)).toBe(
        IN_WINDOW.filter(isError).length,
      );
      // Each bucket holds exactly the fixture events inside [start, start + bucketSeconds).
      const width = stats.bucketSeconds * 1000;
      for (const bucket of stats.buckets) {
        const start = Date.parse(bucket.start);
        expect(Number.isNaN(start)).toBe(false);
        const inside = IN_WINDOW.filter((s) => stageMs(s) >= start && stageMs(s) < start + width);
        expect({ start: bucket.start, count: bucket.count, errors: bucket.errors }).toEqual({
          start: bucket.start,
          count: inside.length,
          errors: inside.filter(isError).length,
        });
      }
      // Every event of the window is in a bucket.
      for (const spec of IN_WINDOW) {
        const holders = stats.buckets.filter(
          (b) =>
            Date.parse(b.start) <= stageMs(spec) && stageMs(spec) < Date.parse(b.start) + width,
        );
        expect([spec.auditID, holders.length]).toEqual([spec.auditID, 1]);
      }
      expect(sortCounts(stats.byVerb)).toEqual(countBy(IN_WINDOW, (s) => s.verb!));
      expect(sortCounts(stats.byUser)).toEqual(countBy(IN_WINDOW, (s) => s.user!));
      expect(sortCounts(stats.byCode)).toEqual(countBy(IN_WINDOW, (s) => String(s.code)));
      expect(sortCounts(stats.byCluster)).toEqual([{ key: 'stats-a', count: 8 }]);
      const pods = stats.byResource.find((c) => c.key === 'pods');
      expect(pods?.count).toBe(IN_WINDOW.filter((s) => s.resource === 'pods').length);
      expect(stats.byResource.reduce((sum, c) => sum + c.count, 0)).toBe(
        IN_WINDOW.filter((s) => s.resource !== undefined).length +
          // A non-resource request may be counted under an empty key or not at all.
          (stats.byResource.some((c) => c.key === '') ? 1 : 0),
      );
    });

    it('buckets are contiguous and cover the whole window (empty buckets included)', async () => {
      const stats = await getOk<EventStats>(app, '/api/v1/stats', WINDOW);
      const width = stats.bucketSeconds * 1000;
      const starts = stats.buckets.map((b) => Date.parse(b.start));
      expect(starts[0]).toBeLessThanOrEqual(W_FROM);
      expect(starts[starts.length - 1] + width).toBeGreaterThanOrEqual(W_TO);
      expect(starts.slice(1).map((start, i) => start - starts[i])).toEqual(
        starts.slice(1).map(() => width),
      );
    });

    it.each<[string, Query, (s: EventSpec) => boolean]>([
      ['verb=get', { verb: 'get' }, (s) => s.verb === 'get'],
      [
        'verb=get&verb=list',
        { verb: ['get', 'list'] },
        (s) => s.verb === 'get' || s.verb === 'list',
      ],
      ['code=4xx&code=5xx', { code: ['4xx', '5xx'] }, (s) => (s.code ?? 0) >= 400],
      ['user=carol', { user: 'carol' }, (s) => s.user === 'carol'],
      [
        'resource=pods&namespace=b',
        { resource: 'pods', namespace: 'b' },
        (s) => s.resource === 'pods' && s.namespace === 'b',
      ],
      ['decision=forbid', { decision: 'forbid' }, (s) => s.decision === 'forbid'],
      ['q=carol', { q: 'carol' }, (s) => s.user === 'carol'],
    ])(
      'total for %s equals the fixture count and the events walk',
      async (_label, filter, match) => {
        const stats = await getOk<EventStats>(app, '/api/v1/stats', { ...WINDOW, ...filter });
        const expected = IN_WINDOW.filter(match);
        expect(stats.total).toBe(expected.length);
        expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(expected.length);
        const { items } = await walk(app, '/api/v1/events', { ...WINDOW, ...filter }, 2);
        expect(auditIDs(items)).toEqual(newestFirst(expected));
      },
    );

    it('defaults to the last 24 hours', async () => {
      const before = Date.now();
      const stats = await getOk<EventStats>(app, '/api/v1/stats', { cluster: 'stats-now' });
      expect(stats.toMs).toBeGreaterThanOrEqual(before - 1000);
      expect(stats.toMs).toBeLessThanOrEqual(Date.now() + 1000);
      expect(stats.toMs - stats.fromMs).toBe(DAY);
      expect(stats.total).toBe(2);
      expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(2);
      expect(stats.buckets.reduce((sum, b) => sum + b.errors, 0)).toBe(1);
    });

    it.each<[string, Query, RegExp]>([
      ['code=6xx', { code: '6xx' }, /code/],
      ['decision=maybe', { decision: 'maybe' }, /decision/],
      ['from=yesterday', { from: 'yesterday' }, /from/],
      ['bogus=1', { bogus: '1' }, /bogus/],
    ])('answers 400 for %s', async (_label, query, names) => {
      const answer = await get<BadRequest>(app, '/api/v1/stats', query);
      expect(answer.status).toBe(400);
      expect(messageOf(answer.body)).toMatch(names);
    });
  });

  describe('GET /api/v1/events/export', () => {
    const exportAll = newestFirst(EXPORT_ALL);

    it('ndjson: every matching event (beyond any page limit), newest first, one item per line', async () => {
      const answer = await get(app, '/api/v1/events/export', {
        format: 'ndjson',
        cluster: 'export',
      });
      expect(answer.status).toBe(200);
      const lines = answer.text.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(EXPORT_ALL.length);
      const items = lines.map((line) => JSON.parse(line) as EventItem);
      expect(auditIDs(items)).toEqual(exportAll);
      const { items: walked } = await walk(app, '/api/v1/events', { cluster: 'export' }, 500);
      expect(items.map((i) => i.id)).toEqual(walked.map((i) => i.id));
      expect(items[0]).toEqual(walked[0]);
      expect(items[0].userAgent).toBe('-evil');
    });

    it('ndjson honours the filters', async () => {
      const answer = await get(app, '/api/v1/events/export', {
        format: 'ndjson',
        cluster: 'export',
        verb: 'get',
        user: 'alice',
      });
      const ids = answer.text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as EventItem).auditID);
      expect(ids).toEqual(
        newestFirst(EXPORT_BULK.filter((s) => s.verb === 'get' && s.user === 'alice')),
      );
    });

    it('ndjson honours the text search', async () => {
      const answer = await get(app, '/api/v1/events/export', {
        format: 'ndjson',
        cluster: 'export',
        q: 'alice',
      });
      expect(answer.status).toBe(200);
      const ids = answer.text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as EventItem).auditID);
      expect(ids).toEqual(newestFirst(EXPORT_BULK.filter((s) => s.user === 'alice')));
    });

    it('csv: a header and one row per event, with summary and kubectl columns, quoted as needed', async () => {
      const answer = await get(app, '/api/v1/events/export', { format: 'csv', cluster: 'export' });
      expect(answer.status).toBe(200);
      const rows = parseCsv(answer.text);
      const [header, ...data] = rows;
      expect(header).toContain('summary');
      expect(header.some((h) => h.startsWith('kubectl'))).toBe(true);
      expect(header).toContain('auditID');
      expect(data).toHaveLength(EXPORT_ALL.length);
      expect(data.every((row) => row.length === header.length)).toBe(true);
      const col = (name: string): number => header.indexOf(name);
      expect(data.map((row) => row[col('auditID')])).toEqual(exportAll);
      const summaries = data.map((row) => row[col('summary')]);
      expect(summaries.every((s) => s.length > 0)).toBe(true);
      const tricky = data.find((row) => row[col('auditID')] === 'ex-inject-eq')!;
      expect(tricky).toContain(TRICKY_UA);
    });

    it('csv is injection-safe: no cell starts with = + - @, the original is kept after a quote', async () => {
      const answer = await get(app, '/api/v1/events/export', {
        format: 'csv',
        cluster: 'export',
        name: ['q1', 'q2', 'q3'],
      });
      const [header, ...data] = parseCsv(answer.text);
      expect(data).toHaveLength(3);
      for (const row of data) {
        for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
      }
      const byId = new Map(data.map((row) => [row[header.indexOf('auditID')], row]));
      // Column names beyond summary/kubectl are not in the contract: look for the cell itself.
      expect(byId.get('ex-inject-eq')).toContain(`'=HYPERLINK("http://evil.example","x")`);
      expect(byId.get('ex-inject-plus')).toContain(`'+cmd|calc`);
      expect(byId.get('ex-inject-plus')).toContain(`'@SUM(1+1)`);
      expect(byId.get('ex-inject-minus')).toContain(`'-2+3`);
      expect(byId.get('ex-inject-minus')).toContain(`'-evil`);
    });

    it('csv row count equals the events walk for a filter', async () => {
      const filter: Query = {
        cluster: 'export',
        user: 'bob',
        from: new Date(E0 + 100_000).toISOString(),
      };
      const answer = await get(app, '/api/v1/events/export', { format: 'csv', ...filter });
      const [, ...data] = parseCsv(answer.text);
      const { items } = await walk(app, '/api/v1/events', filter, 100);
      const expected = EXPORT_ALL.filter((s) => s.user === 'bob' && stageMs(s) >= E0 + 100_000);
      expect(items).toHaveLength(expected.length);
      expect(data).toHaveLength(expected.length);
    });

    it('an empty result is a header only (csv) or nothing (ndjson)', async () => {
      const csv = await get(app, '/api/v1/events/export', {
        format: 'csv',
        cluster: 'nothing-here',
      });
      expect(csv.status).toBe(200);
      expect(parseCsv(csv.text)).toHaveLength(1);
      const ndjson = await get(app, '/api/v1/events/export', {
        format: 'ndjson',
        cluster: 'nothing-here',
      });
      expect(ndjson.status).toBe(200);
      expect(ndjson.text.trim()).toBe('');
    });

    it.each<[string, Query, RegExp]>([
      ['format=xml', { format: 'xml', cluster: 'export' }, /format/],
      ['code=6xx', { format: 'csv', code: '6xx' }, /code/],
      ['limit-less: from=yesterday', { format: 'ndjson', from: 'yesterday' }, /from/],
    ])('answers 400 for %s', async (_label, query, names) => {
      const answer = await get<BadRequest>(app, '/api/v1/events/export', query);
      expect(answer.status).toBe(400);
      expect(messageOf(answer.body)).toMatch(names);
    });
  });

  describe('OpenAPI document', () => {
    it('lists the query routes and their parameters', async () => {
      let doc = await get<OpenApiDoc>(app, '/api/docs-json');
      if (doc.status !== 200 || !doc.body?.paths) doc = await get<OpenApiDoc>(app, '/api/docs');
      expect(doc.status).toBe(200);
      const paths = doc.body.paths ?? {};
      for (const path of [
        '/api/v1/events',
        '/api/v1/events/{id}',
        '/api/v1/events/export',
        '/api/v1/objects/history',
        '/api/v1/users/{username}/activity',
        '/api/v1/stats',
      ]) {
        expect(Object.keys(paths)).toContain(path);
        expect(paths[path].get).toBeDefined();
      }
      const eventParams = (paths['/api/v1/events'].get.parameters ?? []).map((p) => p.name);
      expect(eventParams).toEqual(
        expect.arrayContaining([
          'cluster',
          'user',
          'group',
          'verb',
          'resource',
          'apiGroup',
          'namespace',
          'name',
          'code',
          'decision',
          'sourceIP',
          'userAgent',
          'q',
          'from',
          'to',
          'stage',
          'auditID',
          'limit',
          'cursor',
        ]),
      );
      const historyParams = (paths['/api/v1/objects/history'].get.parameters ?? []).map(
        (p) => p.name,
      );
      expect(historyParams).toEqual(
        expect.arrayContaining([
          'cluster',
          'apiGroup',
          'resource',
          'namespace',
          'name',
          'limit',
          'cursor',
        ]),
      );
      const exportParams = (paths['/api/v1/events/export'].get.parameters ?? []).map((p) => p.name);
      expect(exportParams).toEqual(expect.arrayContaining(['format', 'cluster', 'verb']));
    });
  });
});
