/**
 * Per-cluster visibility (CLUSTER_ACCESS) through the real HTTP API on SQLite and MariaDB: the
 * corpus is posted to three clusters through the webhook, then each API token must see
 * exactly the events, counts and names of its clusters in every read the API offers.
 * Expected answers are derived from what was posted (the webhook's counts) and from the
 * answers of the token that sees everything.
 */
import type { EventItem } from '../../src/audit/audit-query';
import { hashPassword } from '../../src/auth/password';
import { loadCorpus } from '../support/corpus';
import { LoginClient } from '../support/login-client';
import { buildEvent } from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';
import { TokenClient, tokenClient } from '../support/token-client';

const TOKENS = {
  sre: 'sre-token-0123456789abcdef',
  teamA: 'team-a-token-0123456789abcdef',
  union: 'union-token-0123456789abcdef',
  outsider: 'outsider-token-0123456789abcdef',
};
const PASSWORD = 'visibility test password';
const ENV = {
  API_TOKENS: [
    `sre-bot:${TOKENS.sre}:sre`,
    `team-a-bot:${TOKENS.teamA}:team-a`,
    `union-bot:${TOKENS.union}:team-b|team-c`,
    `outsider:${TOKENS.outsider}:contractors`,
  ].join(','),
  CLUSTER_ACCESS: 'sre:*,team-a:dev|staging,team-b:prod,team-c:dev|qa',
  ADMIN_GROUPS: 'sre',
};
const CLUSTERS = ['dev', 'prod', 'staging'];
/** Each restricted token and the clusters it may see (qa has no events). */
const RESTRICTED: Array<{ who: keyof typeof TOKENS; visible: string[] }> = [
  { who: 'teamA', visible: ['dev', 'staging'] },
  { who: 'union', visible: ['dev', 'prod'] },
  { who: 'outsider', visible: [] },
];
const UNKNOWN_ID = '01890000-0000-7000-8000-000000000000';

type Item = EventItem;

async function post(app: TestApp, cluster: string, items: unknown[]): Promise<number> {
  const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accepted: number }).accepted;
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);

describe.each(backends())('per-cluster visibility (%s)', (backend) => {
  let app: TestApp;
  let as: Record<keyof typeof TOKENS, TokenClient>;
  const accepted: Record<string, number> = {};
  /** Every stored event, newest first, as the token that sees all clusters lists them. */
  let everything: Item[];
  let range: { from: string; to: string };

  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD);
    // carol is a person of team-a: the console shows her what the team-a token sees.
    app = await startTestApp(backend, { ...ENV, CONSOLE_USERS: `carol:${hash}:team-a` });
    as = {
      sre: tokenClient(app, TOKENS.sre),
      teamA: tokenClient(app, TOKENS.teamA),
      union: tokenClient(app, TOKENS.union),
      outsider: tokenClient(app, TOKENS.outsider),
    };
    const corpus = (await loadCorpus()).map((c) => c.raw);
    const third = Math.ceil(corpus.length / 3);
    for (const [i, cluster] of CLUSTERS.entries()) {
      accepted[cluster] = await post(app, cluster, corpus.slice(i * third, (i + 1) * third));
    }
    everything = await as.sre.all<Item>('/api/v1/events');
    const times = everything.map((item) => Date.parse(item.stageTimestamp));
    range = {
      from: new Date(Math.min(...times)).toISOString(),
      to: new Date(Math.max(...times) + 1000).toISOString(),
    };
  });
  afterAll(() => app?.close());

  const visibleOf = (visible: string[]) => everything.filter((i) => visible.includes(i.cluster));

  it('sre:* sees every cluster: every posted event, every cluster name', async () => {
    for (const cluster of CLUSTERS) {
      expect(accepted[cluster]).toBeGreaterThan(10);
      expect(everything.filter((i) => i.cluster === cluster)).toHaveLength(accepted[cluster]);
    }
    expect(await as.sre.json('/api/v1/clusters')).toEqual(CLUSTERS);
    const stats = await as.sre.json<{ total: number }>('/api/v1/stats', range);
    expect(stats.total).toBe(everything.length);
  });

  it.each(RESTRICTED)(
    '$who: the list, its pages and the cluster names',
    async ({ who, visible }) => {
      const expected = visibleOf(visible);
      expect(ids(await as[who].all<Item>('/api/v1/events'))).toEqual(ids(expected));
      // Small pages walk the same events.
      const firstPage = await as[who].json<{ items: Item[] }>('/api/v1/events', { limit: 7 });
      expect(ids(firstPage.items)).toEqual(ids(expected.slice(0, 7)));
      expect(await as[who].json('/api/v1/clusters')).toEqual(
        CLUSTERS.filter((c) => visible.includes(c)),
      );
    },
  );

  it.each(RESTRICTED)('$who: NDJSON and CSV exports', async ({ who, visible }) => {
    const expected = ids(visibleOf(visible));
    const ndjson = await as[who].raw('/api/v1/events/export', { format: 'ndjson' });
    expect(ndjson.status).toBe(200);
    const lines = ndjson.text.split('\n').filter((line) => line !== '');
    expect(lines.map((line) => (JSON.parse(line) as Item).id)).toEqual(expected);

    const csv = await as[who].raw('/api/v1/events/export', { format: 'csv' });
    expect(csv.status).toBe(200);
    const [header, ...rows] = csv.text.split('\r\n').filter((line) => line !== '');
    expect(header.split(',').slice(0, 3)).toEqual(['id', 'time', 'cluster']);
    // id and time never need quoting; the cluster is the third cell.
    expect(rows.map((row) => row.split(',')[0])).toEqual(expected);
    for (const row of rows) expect(visible).toContain(row.split(',')[2]);
  });

  it.each(RESTRICTED)('$who: stats count only the visible clusters', async ({ who, visible }) => {
    const stats = await as[who].json<{
      total: number;
      byCluster: { key: string; count: number }[];
      buckets: { count: number }[];
    }>('/api/v1/stats', range);
    expect(stats.total).toBe(visibleOf(visible).length);
    expect(stats.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(stats.total);
    expect(Object.fromEntries(stats.byCluster.map((c) => [c.key, c.count]))).toEqual(
      Object.fromEntries(
        visible.filter((c) => accepted[c] !== undefined).map((c) => [c, accepted[c]]),
      ),
    );
  });

  it.each(RESTRICTED)(
    '$who: a hidden cluster named in the filter gives nothing',
    async ({ who, visible }) => {
      const hidden = CLUSTERS.filter((c) => !visible.includes(c));
      for (const cluster of hidden) {
        expect(await as[who].json('/api/v1/events', { cluster })).toEqual({
          items: [],
          nextCursor: null,
        });
        const stats = await as[who].json<{ total: number }>('/api/v1/stats', { ...range, cluster });
        expect(stats.total).toBe(0);
        const csv = await as[who].raw('/api/v1/events/export', { format: 'csv', cluster });
        expect(csv.text.split('\r\n').filter((l) => l !== '')).toHaveLength(1);
      }
      // A visible one and a hidden one: only the visible one's events.
      if (visible.length > 0 && hidden.length > 0) {
        const both = await as[who].all<Item>('/api/v1/events', {
          cluster: [visible[0], hidden[0]],
        });
        expect(ids(both)).toEqual(ids(everything.filter((i) => i.cluster === visible[0])));
      }
    },
  );

  it.each(RESTRICTED)(
    '$who: an event of a hidden cluster is a 404 like an unknown id',
    async ({ who, visible }) => {
      const unknown = await as[who].raw(`/api/v1/events/${UNKNOWN_ID}`);
      expect(unknown.status).toBe(404);
      for (const cluster of CLUSTERS) {
        const event = everything.find((i) => i.cluster === cluster)!;
        const answer = await as[who].raw(`/api/v1/events/${event.id}`);
        if (visible.includes(cluster)) {
          expect(answer.status).toBe(200);
          expect((JSON.parse(answer.text) as Item).id).toBe(event.id);
        } else {
          expect(answer.status).toBe(404);
          expect(answer.text.replace(event.id, '<id>')).toBe(
            unknown.text.replace(UNKNOWN_ID, '<id>'),
          );
        }
      }
    },
  );

  it.each(RESTRICTED)('$who: object history of each cluster', async ({ who, visible }) => {
    for (const cluster of CLUSTERS) {
      const named = everything.find(
        (i) => i.cluster === cluster && i.name !== '' && i.resource !== '',
      )!;
      const ref = {
        cluster,
        apiGroup: named.apiGroup,
        resource: named.resource,
        namespace: named.namespace,
        name: named.name,
      };
      const onObject = everything.filter(
        (i) =>
          i.cluster === cluster &&
          i.apiGroup === ref.apiGroup &&
          i.resource === ref.resource &&
          i.namespace === ref.namespace &&
          i.name === ref.name,
      );
      expect(onObject.length).toBeGreaterThan(0);
      const history = await as[who].all<Item>('/api/v1/objects/history', ref);
      expect(ids(history).sort()).toEqual(visible.includes(cluster) ? ids(onObject).sort() : []);
    }
  });

  it.each(RESTRICTED)('$who: user activity', async ({ who, visible }) => {
    const counts = new Map<string, number>();
    for (const i of everything) counts.set(i.username, (counts.get(i.username) ?? 0) + 1);
    const [username] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const theirs = everything.filter(
      (i) => i.username === username || i.impersonatedUser === username,
    );
    const activity = await as[who].json<{
      total: number;
      byCluster: { key: string; count: number }[];
    }>(`/api/v1/users/${encodeURIComponent(username)}/activity`, range);
    expect(activity.total).toBe(theirs.filter((i) => visible.includes(i.cluster)).length);
    for (const { key } of activity.byCluster) expect(visible).toContain(key);
    const all = await as.sre.json<{ total: number }>(
      `/api/v1/users/${encodeURIComponent(username)}/activity`,
      range,
    );
    expect(all.total).toBe(theirs.length);
  });

  it('the live tail hands each stream only the events of its clusters', async () => {
    const streams = {
      sre: await as.sre.stream<Item>('/api/v1/events/stream', {}, 'audit'),
      teamA: await as.teamA.stream<Item>('/api/v1/events/stream', {}, 'audit'),
      union: await as.union.stream<Item>('/api/v1/events/stream', {}, 'audit'),
      outsider: await as.outsider.stream<Item>('/api/v1/events/stream', {}, 'audit'),
      teamAOnProd: await as.teamA.stream<Item>(
        '/api/v1/events/stream',
        { cluster: 'prod' },
        'audit',
      ),
    };
    try {
      // The first poll primes the tail with what is already stored.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const now = Date.now();
      for (const [n, cluster] of CLUSTERS.entries()) {
        await post(app, cluster, [
          buildEvent({
            auditID: `live-${cluster}-${now}`,
            at: now + n,
            verb: 'get',
            user: `tail-${cluster}`,
            resource: 'configmaps',
            namespace: 'tail',
            name: `cm-${cluster}`,
            code: 200,
          }),
        ]);
      }
      const clustersOf = (items: Item[]) => items.map((i) => i.cluster).sort();
      expect(clustersOf(await streams.sre.waitFor(3))).toEqual(CLUSTERS);
      expect(clustersOf(await streams.teamA.waitFor(2))).toEqual(['dev', 'staging']);
      expect(clustersOf(await streams.union.waitFor(2))).toEqual(['dev', 'prod']);
      // Every stream is served by the same read: two more polls and nothing else arrives.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(streams.outsider.items).toEqual([]);
      expect(streams.teamAOnProd.items).toEqual([]);
      expect(streams.sre.items).toHaveLength(3);
      expect(streams.teamA.items).toHaveLength(2);
    } finally {
      for (const stream of Object.values(streams)) await stream.close();
    }
  });
  it('the console shows a logged-in person only the clusters of their groups', async () => {
    const carol = new LoginClient(app.url);
    expect((await carol.logIn('carol', PASSWORD)).status).toBe(303);
    const page = async (path: string) => {
      const res = await carol.request(path);
      return { status: res.status, html: await res.text() };
    };
    // Everything stored now (the live tail test added events), in her clusters.
    const now = await as.sre.all<Item>('/api/v1/events');
    const visible = new Set(ids(now.filter((i) => ['dev', 'staging'].includes(i.cluster))));
    const eventLinks = (html: string) =>
      [...html.matchAll(/href="\/events\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

    const events = await page('/');
    expect(events.status).toBe(200);
    const shown = eventLinks(events.html);
    expect(shown.length).toBeGreaterThan(10);
    for (const id of shown) expect(visible).toContain(id);
    // The cluster switcher offers her clusters only.
    expect(events.html).toContain('href="/?cluster&#x3D;dev"');
    expect(events.html).toContain('href="/?cluster&#x3D;staging"');
    expect(events.html).not.toMatch(/cluster&#x3D;prod/);

    const onProd = await page('/?cluster=prod');
    expect(onProd.status).toBe(200);
    expect(eventLinks(onProd.html)).toEqual([]);

    const overview = await page(`/overview?from=${range.from}&to=${range.to}`);
    expect(overview.status).toBe(200);
    expect(overview.html).toMatch(/aria-label="Events over time in dev"/);
    expect(overview.html).not.toMatch(/Events over time in prod/);
    for (const id of eventLinks(overview.html)) expect(visible).toContain(id);

    const prodEvent = everything.find((i) => i.cluster === 'prod')!;
    const devEvent = everything.find((i) => i.cluster === 'dev')!;
    expect((await page(`/events/${devEvent.id}`)).status).toBe(200);
    const hidden = await page(`/events/${prodEvent.id}`);
    const unknown = await page(`/events/${UNKNOWN_ID}`);
    expect(hidden.status).toBe(404);
    expect(hidden.html.replace(prodEvent.id, '<id>')).toBe(
      unknown.html.replace(UNKNOWN_ID, '<id>'),
    );

    const history = await page(
      `/objects?${new URLSearchParams({
        cluster: 'prod',
        apiGroup: prodEvent.apiGroup,
        resource: prodEvent.resource || 'pods',
        namespace: prodEvent.namespace,
        name: prodEvent.name || 'x',
      })}`,
    );
    expect(history.status).toBe(200);
    expect(history.html).toContain('No recorded requests on this object.');
  });
});
