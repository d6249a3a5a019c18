import { plainToInstance } from 'class-transformer';
import type { EventItem } from '../../src/audit/audit-query';
import { ALL_CLUSTERS, ClusterVisibility } from '../../src/auth/identity';
import { matchesQuery } from '../../src/audit/event-matcher';
import { EVENT_READER } from '../../src/audit/event-reader.repository';
import { EventsQueryDto, toEventQuery } from '../../src/audit/events-query.dto';
import { SqlEventReader, TEXT_SCAN_ROWS } from '../../src/audit/sql-event-reader.repository';
import { loadCorpus } from '../support/corpus';
import { backends, startTestApp, TestApp } from '../support/test-app';

type Params = Record<string, string | string[]>;

function search(params: Params): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out;
}

async function walk(app: TestApp, params: Params): Promise<EventItem[]> {
  const items: EventItem[] = [];
  let cursor: string | null = null;
  do {
    const query = search({ limit: '500', ...params, ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${app.url}/api/v1/events?${query}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: EventItem[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

function mostCommon(values: string[], skip = 0): string {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[skip]?.[0] ?? 'none';
}

/**
 * Live tail matches new events in memory (event-matcher.ts); the events page asks SQL. On the
 * real corpus, both must pick exactly the same events for every filter and their combinations.
 */
describe.each(backends())('in-memory matcher agrees with the SQL filters (%s)', (backend) => {
  let app: TestApp;
  let all: EventItem[];
  const queries: Params[] = [];

  beforeAll(async () => {
    app = await startTestApp(backend);
    const corpus = await loadCorpus();
    for (let i = 0; i < corpus.length; i += 500) {
      const items = corpus.slice(i, i + 500).map((c) => c.raw);
      const cluster = i % 1000 === 0 ? 'blue' : 'green';
      const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'EventList', items }),
      });
      expect(res.status).toBe(200);
    }
    all = await walk(app, {});
    const times = all.map((item) => Date.parse(item.stageTimestamp)).sort((x, y) => x - y);
    const mid = new Date(times[Math.floor(times.length / 2)]).toISOString();
    const late = new Date(times[Math.floor((times.length * 3) / 4)]).toISOString();
    const impersonated = all.find((item) => item.impersonatedUser)?.impersonatedUser;
    const named = mostCommon(all.map((item) => item.name));
    const word = /[a-z]{4,}/.exec(named)?.[0] ?? 'kube';
    queries.push(
      { cluster: 'blue' },
      { user: mostCommon(all.map((item) => item.username)) },
      {
        user: [
          mostCommon(
            all.map((item) => item.username),
            1,
          ),
          impersonated ?? 'nobody',
        ],
      },
      { group: 'system:masters' },
      { group: ['system:authenticated', 'system:nodes'] },
      { verb: ['get', 'list'] },
      { resource: 'pods' },
      { resource: 'pods/exec' },
      { resource: ['deployments.apps', 'secrets'] },
      { apiGroup: 'apps' },
      { namespace: mostCommon(all.map((item) => item.namespace)) },
      { name: named },
      { code: '403' },
      { code: ['2xx', '101'] },
      { code: '4xx' },
      { decision: 'allow' },
      { decision: 'forbid' },
      { sourceIP: mostCommon(all.flatMap((item) => item.sourceIPs)) },
      { userAgent: 'KUBECTL' },
      { q: word },
      { q: 'kube system' },
      { q: 'namespaces pods' },
      { stage: 'ResponseComplete' },
      { auditID: all[0].auditID },
      { from: mid },
      { from: mid, to: late },
      { verb: 'get', namespace: 'kube-system', code: '2xx' },
      { cluster: 'green', resource: 'pods', q: 'api' },
      { q: 'v1' },
      { user: mostCommon(all.map((item) => item.username)), q: 'api' },
    );
  });
  afterAll(() => app.close());

  it('stores the whole corpus', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it('selects the same events for every filter', async () => {
    const now = Date.now();
    for (const params of queries) {
      const query = toEventQuery(plainToInstance(EventsQueryDto, params), now);
      const expected = all
        .filter((item) => matchesQuery(item, ALL_CLUSTERS, query))
        .map((item) => item.id);
      const got = (await walk(app, params)).map((item) => item.id);
      expect({ params, ids: got }).toEqual({ params, ids: expected });
    }
    // Text search first checks the newest rows one by one (MariaDB), then asks the full-text
    // index; with a shallow scan both paths and their hand-over are exercised here.
    const reader = app.app.get<symbol, SqlEventReader>(EVENT_READER);
    reader.textScanRows = 7;
    try {
      for (const params of queries.filter((p) => p.q !== undefined || p.user !== undefined)) {
        const query = toEventQuery(plainToInstance(EventsQueryDto, params), now);
        const expected = all
          .filter((item) => matchesQuery(item, ALL_CLUSTERS, query))
          .map((item) => item.id);
        for (const limit of ['3', '500']) {
          const got = (await walk(app, { ...params, limit })).map((item) => item.id);
          expect({ params, limit, ids: got }).toEqual({ params, limit, ids: expected });
        }
      }
    } finally {
      reader.textScanRows = TEXT_SCAN_ROWS;
    }
    // The filters were chosen to select something, and not everything, most of the time.
    const sizes = await Promise.all(
      queries.map(async (params) => (await walk(app, params)).length),
    );
    expect(sizes.filter((n) => n > 0 && n < all.length).length).toBeGreaterThan(queries.length / 2);
  });

  it("keeps to the caller's clusters the same way", async () => {
    // The corpus fits in one batch (all 'blue'): a second cluster gets the same events.
    const res = await fetch(`${app.url}/webhook/audit/green`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', items: (await loadCorpus()).map((c) => c.raw) }),
    });
    expect(res.status).toBe(200);
    const everything = await walk(app, {});
    const reader = app.app.get<symbol, SqlEventReader>(EVENT_READER);
    const now = Date.now();
    const visibilities: ClusterVisibility[] = [
      { all: false, clusters: ['blue'] },
      { all: false, clusters: ['green', 'elsewhere'] },
      { all: false, clusters: ['elsewhere'] },
      { all: false, clusters: [] },
    ];
    for (const visibility of visibilities) {
      for (const params of [{}, { cluster: 'blue' }, { verb: ['get', 'list'] }, { q: 'kube' }]) {
        const query = toEventQuery(plainToInstance(EventsQueryDto, params), now);
        const expected = everything
          .filter((item) => matchesQuery(item, visibility, query))
          .map((item) => item.id);
        const got = (await reader.list(visibility, query, { limit: 10_000 })).map(
          (row) => row.event.id,
        );
        expect({ visibility, params, ids: got }).toEqual({ visibility, params, ids: expected });
      }
    }
    const blue = everything.filter((item) => item.cluster === 'blue').length;
    expect(blue).toBeGreaterThan(0);
    expect(blue).toBeLessThan(everything.length);
  });
});
