import { loadCorpus } from '../support/corpus';
import { startTestApp, TestApp } from '../support/test-app';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(60_000);

/**
 * The inputs the fuzzer (webhook.test.ts, query.test.ts) broke the product with, as fixed
 * requests against the real application (SQLite), so each fix stays fixed whatever the seed.
 */
describe('inputs found by fuzzing', () => {
  let test: TestApp;
  let corpusEvent: Record<string, unknown>;

  beforeAll(async () => {
    // The corpus is years old: retention (first run a minute after start) would delete it.
    test = await startTestApp('sqlite', { RETENTION_DAYS: '0' });
    const corpus = await loadCorpus();
    corpusEvent = corpus.find((e) => e.file.endsWith('exec_pod.json'))!.raw;
  });
  afterAll(() => test.close());

  async function post(cluster: string, items: string[]): Promise<Response> {
    return fetch(`${test.url}/webhook/audit/${cluster}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${items.join(',')}]}`,
    });
  }

  async function stored(cluster: string): Promise<{ id: string; auditID: string }[]> {
    const res = await fetch(`${test.url}/api/v1/events?cluster=${cluster}&limit=500`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { id: string; auditID: string }[] }).items;
  }

  it('a batch with an event nested 50,000 levels deep: 200, that event quarantined, the other stored', async () => {
    const depth = 50_000;
    const deep = JSON.stringify({
      ...corpusEvent,
      auditID: 'deep',
      requestObject: '\u0000',
    }).replace('"\\u0000"', '['.repeat(depth) + ']'.repeat(depth));
    const bareDeep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const res = await post('deep', [JSON.stringify(corpusEvent), deep, bareDeep]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: 2 });
    expect((await stored('deep')).map((item) => item.auditID)).toEqual([corpusEvent.auditID]);
  });

  it('an event whose user.extra and responseStatus.message are {"toString":1}: its page renders', async () => {
    const hostile = {
      ...corpusEvent,
      user: { username: 'mallory', extra: { scopes: [{ toString: 1 }], x: { toString: 1 } } },
      responseStatus: { code: 500, message: { toString: 1 }, reason: 'InternalError' },
    };
    expect((await post('tostring', [JSON.stringify(hostile)])).status).toBe(200);
    const [item] = await stored('tostring');
    const page = await fetch(`${test.url}/events/${item.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('{&quot;toString&quot;:1}');
    expect((await fetch(`${test.url}/api/v1/events/${item.id}`)).status).toBe(200);
  });

  it('a service account name longer than 100 characters: its activity, as JSON and as a page', async () => {
    // system:serviceaccount:<namespace, up to 63>:<name, up to 253>: longer than Fastify's
    // default 100-character limit for a path parameter, which answered 414.
    const username = `system:serviceaccount:${'n'.repeat(63)}:${'s'.repeat(120)}`;
    const event = { ...corpusEvent, auditID: 'long-sa', user: { username, groups: [] } };
    expect((await post('long-sa', [JSON.stringify(event)])).status).toBe(200);
    const encoded = encodeURIComponent(username);
    const api = await fetch(
      `${test.url}/api/v1/users/${encoded}/activity?from=2010-01-01T00:00:00Z`,
    );
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ username, total: 1 });
    const page = await fetch(`${test.url}/users/${encoded}?from=2010-01-01T00:00:00Z`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(username);
  });

  it('stats over 19,000 years (from=999999w): at most 121 bars, not a million', async () => {
    const res = await fetch(`${test.url}/api/v1/stats?from=999999w`);
    expect(res.status).toBe(200);
    const stats = (await res.json()) as { buckets: unknown[]; bucketSeconds: number };
    expect(stats.buckets.length).toBeLessThanOrEqual(121);
    expect(stats.bucketSeconds % 604_800).toBe(0);
    const page = await fetch(
      `${test.url}/overview?from=1000-01-01T00:00:00Z&to=9999-12-31T00:00:00Z`,
    );
    expect(page.status).toBe(200);
  });

  it('a console URL that matches no route (/users/) is a Not found page; the API and webhook keep JSON', async () => {
    for (const path of ['/users/', '/events/rows/x', '/nope']) {
      const page = await fetch(`${test.url}${path}`);
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('Not found');
    }
    for (const path of ['/api/v1/nope', '/api/v1/users/', '/healthz/x']) {
      const api = await fetch(`${test.url}${path}`);
      expect(api.status).toBe(404);
      expect(await api.json()).toMatchObject({ message: expect.stringMatching(/^Cannot GET /) });
    }
    const webhook = await fetch(`${test.url}/webhook/nope`, { method: 'POST', body: '{}' });
    expect(webhook.status).toBe(404);
    expect(webhook.headers.get('content-type')).toMatch(/json/);
  });

  it('a single Event whose apiVersion is {"toString":{...}}: 400 naming it, not 500', async () => {
    const res = await fetch(`${test.url}/webhook/audit/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...corpusEvent,
        kind: null,
        apiVersion: { toString: { polluted: 1 } },
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      message: 'apiVersion an object is not an audit API version (expected audit.k8s.io/v1)',
    });
  });
});
