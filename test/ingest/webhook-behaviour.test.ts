import { DataSource } from 'typeorm';
import { backends, startTestApp, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;

function event(overrides: Json = {}): Json {
  return {
    level: 'Metadata',
    auditID: '4d7c7a3e-1b0f-4f8e-9a47-0e2b1d1f6a01',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/prod/secrets/db-creds',
    verb: 'get',
    user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc1234',
    objectRef: { resource: 'secrets', namespace: 'prod', name: 'db-creds', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2026-11-25T10:00:00.123456Z',
    stageTimestamp: '2026-11-25T10:00:00.130001Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    ...overrides,
  };
}

async function send(
  app: TestApp,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}

async function list(app: TestApp, cluster: string): Promise<Json[]> {
  const res = await fetch(`${app.url}/api/v1/events?cluster=${cluster}&limit=500`);
  return ((await res.json()) as { items: Json[] }).items;
}

describe.each(backends())('webhook behaviour (%s)', (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(backend);
  });
  afterAll(() => app.close());

  it('keeps two different events that share cluster, auditID and stage', async () => {
    const a = event({ auditID: 'shared-id', verb: 'get' });
    const b = event({
      auditID: 'shared-id',
      verb: 'list',
      objectRef: { resource: 'secrets', namespace: 'prod' },
    });
    const res = await send(app, '/webhook/audit/shared', { kind: 'EventList', items: [a, b] });
    expect(res.json).toEqual({ accepted: 2, duplicates: 0, rejected: 0 });
    expect((await list(app, 'shared')).map((i) => i.verb).sort()).toEqual(['get', 'list']);
  });

  it('stores a batch once when retries of it race each other', async () => {
    const items = Array.from({ length: 300 }, (_, i) => event({ auditID: `race-${i}` }));
    const body = { kind: 'EventList', items };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => send(app, '/webhook/audit/race', body)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.reduce((sum, a) => sum + Number(a.json.accepted), 0)).toBe(300);
    expect(answers.reduce((sum, a) => sum + Number(a.json.duplicates), 0)).toBe(5 * 300);
    expect(await list(app, 'race')).toHaveLength(300);
  });

  it('treats an item with or without its own kind/apiVersion as the same event', async () => {
    const bare = event({ auditID: 'typed' });
    const typed = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', ...bare };
    expect(
      (await send(app, '/webhook/audit/typed', { kind: 'EventList', items: [bare] })).json.accepted,
    ).toBe(1);
    expect((await send(app, '/webhook/audit/typed', typed)).json).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: 0,
    });
  });

  it('stores the good events of a mixed batch and quarantines the bad ones with a reason', async () => {
    const items = [
      event({ auditID: 'good-1' }),
      { kind: 'Event', auditID: 'no-verb', stage: 'ResponseComplete' },
      'not an object',
      event({
        auditID: 'bad-time',
        stageTimestamp: 'yesterday',
        requestReceivedTimestamp: undefined,
      }),
      event({ auditID: 'good-2', verb: 'delete' }),
    ];
    const res = await send(app, '/webhook/audit/mixed', { kind: 'EventList', items });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ accepted: 2, duplicates: 0, rejected: 3 });
    const rows = (await app.app
      .get(DataSource)
      .query('SELECT reason, raw FROM audit_quarantine WHERE cluster = ? ORDER BY reason', [
        'mixed',
      ])) as { reason: string; raw: string }[];
    expect(rows.map((r) => r.reason)).toEqual([
      'item 1: verb is missing',
      'item 2: event is not a JSON object',
      'item 3: timestamp "yesterday" is not an RFC 3339 time',
    ]);
    expect(JSON.parse(rows[0].raw)).toEqual(items[1]);
    // A retry of the same batch quarantines nothing twice either.
    expect((await send(app, '/webhook/audit/mixed', { kind: 'EventList', items })).json).toEqual({
      accepted: 0,
      duplicates: 2,
      rejected: 3,
    });
    const count = (await app.app
      .get(DataSource)
      .query('SELECT COUNT(*) AS n FROM audit_quarantine WHERE cluster = ?', ['mixed'])) as {
      n: number | string;
    }[];
    expect(Number(count[0].n)).toBe(3);
  });

  it('keeps events whose user-chosen keys are __proto__ or constructor', async () => {
    const hostile = JSON.stringify(
      event({
        auditID: 'proto',
        level: 'Request',
        objectRef: { resource: 'configmaps', namespace: 'prod', name: 'cm', apiVersion: 'v1' },
        requestObject: { kind: 'ConfigMap', data: { X: '1' } },
      }),
    )
      .replace('"X":"1"', '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}}')
      .replace('"alice"', '"<script>alert(1)</script>\'; DROP TABLE audit_events; --"');
    const res = await send(
      app,
      '/webhook/audit/hostile',
      `{"kind":"EventList","items":[${hostile}]}`,
    );
    expect(res.json).toEqual({ accepted: 1, duplicates: 0, rejected: 0 });
    const [item] = await list(app, 'hostile');
    expect(item.username).toBe("<script>alert(1)</script>'; DROP TABLE audit_events; --");
    const detail = (await (
      await fetch(`${app.url}/api/v1/events/${String(item.id)}`)
    ).json()) as Json;
    expect(JSON.stringify(detail.event)).toContain('"__proto__":{"polluted":"yes"}');
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('accepts a single Event, v1beta1 events with only `timestamp`, and a 10 MiB EventList', async () => {
    const v1beta1 = {
      ...event({ auditID: 'old' }),
      apiVersion: 'audit.k8s.io/v1beta1',
      kind: 'Event',
      timestamp: '2019-01-02T03:04:05Z',
    };
    delete (v1beta1 as Json).requestReceivedTimestamp;
    delete (v1beta1 as Json).stageTimestamp;
    expect((await send(app, '/webhook/audit/old', v1beta1)).json.accepted).toBe(1);
    const items = Array.from({ length: 2600 }, (_, i) =>
      event({
        auditID: `big-${i}`,
        level: 'Request',
        requestObject: { kind: 'ConfigMap', data: { blob: 'x'.repeat(3800) } },
      }),
    );
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });
    expect(body.length).toBeGreaterThan(10 * 1024 * 1024);
    expect((await send(app, '/webhook/audit/big', body)).json).toEqual({
      accepted: 2600,
      duplicates: 0,
      rejected: 0,
    });
    const page = (await (
      await fetch(`${app.url}/api/v1/events?cluster=big&limit=1`)
    ).json()) as Json;
    expect(page.nextCursor).toEqual(expect.any(String));
    const [old] = await list(app, 'old');
    expect(old?.stageTimestamp).toBe('2019-01-02T03:04:05.000000Z');
  });

  it('stores a 10 MB event whole, and one over the packet limit without its objects', async () => {
    const big = (auditID: string, megabytes: number) =>
      event({
        auditID,
        level: 'Request',
        objectRef: { resource: 'configmaps', namespace: 'prod', name: auditID, apiVersion: 'v1' },
        requestObject: { kind: 'ConfigMap', data: { blob: 'y'.repeat(megabytes * 1024 * 1024) } },
      });
    const res = await send(app, '/webhook/audit/huge', {
      kind: 'EventList',
      items: [big('ten', 10), big('sixteen', 16)],
    });
    expect(res.json).toEqual({ accepted: 2, duplicates: 0, rejected: 0 });
    const details = await Promise.all(
      (await list(app, 'huge')).map(
        async (item) =>
          (await (await fetch(`${app.url}/api/v1/events/${String(item.id)}`)).json()) as Json,
      ),
    );
    const stored = (name: string) => details.find((d) => d.auditID === name)!.event as Json;
    expect(JSON.stringify(stored('ten').requestObject).length).toBeGreaterThan(10 * 1024 * 1024);
    // MariaDB's max_allowed_packet here is 16 MiB; SQLite takes the whole event.
    const sixteen = stored('sixteen');
    if (backend === 'mariadb') {
      expect(sixteen.requestObject).toBeUndefined();
      expect((sixteen.annotations as Json)['audit.k8s.io/truncated']).toBe('true');
    } else {
      expect(JSON.stringify(sixteen.requestObject).length).toBeGreaterThan(16 * 1024 * 1024);
    }
  });

  it.each([
    ['not JSON', '{"kind":"EventList","items":[', /JSON/i],
    ['a number', '42', /body is a number/],
    ['a wrong kind', '{"kind":"PodList","items":[]}', /not an EventList or Event/],
    [
      'a wrong apiVersion',
      '{"kind":"EventList","apiVersion":"v1","items":[]}',
      /not an audit API version/,
    ],
    ['items that are not a list', '{"kind":"EventList","items":{}}', /items is an object/],
  ])('answers 400 with a reason for a body that is %s', async (_what, body, message) => {
    const res = await send(app, '/webhook/audit/bad', body);
    expect(res.status).toBe(400);
    expect(String(res.json.message)).toMatch(message);
  });

  it('answers 400 for a cluster name that is not DNS-label-like', async () => {
    for (const path of [
      '/webhook/audit/Prod',
      '/webhook/audit/a_b',
      `/webhook/audit?cluster=${'x'.repeat(64)}`,
    ]) {
      const res = await send(app, path, event());
      expect(res.status).toBe(400);
      expect(String(res.json.message)).toMatch(/cluster name/);
    }
  });
});

describe('webhook limits and authentication (sqlite)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite', {
      WEBHOOK_TOKEN: 'global-secret',
      WEBHOOK_TOKENS: 'prod=prod-secret,dev=dev-secret',
      MAX_BODY_BYTES: String(64 * 1024),
    });
  });
  afterAll(() => app.close());

  it.each([
    ['no token', {}, 401],
    ['a wrong token', { authorization: 'Bearer nope' }, 401],
    ['a Basic header', { authorization: 'Basic Zm9vOmJhcg==' }, 401],
    ['another cluster token', { authorization: 'Bearer dev-secret' }, 403],
    ['its own cluster token', { authorization: 'Bearer prod-secret' }, 200],
    ['the global token', { authorization: 'Bearer global-secret' }, 200],
  ])('with %s a write to cluster prod answers %s', async (_what, headers, status) => {
    const res = await send(
      app,
      '/webhook/audit/prod?timeout=30s',
      event({ auditID: `auth-${status}` }),
      headers,
    );
    expect(res.status).toBe(status);
    if (status !== 200) expect(String(res.json.message)).toMatch(/token/);
  });

  it('refuses an unauthenticated body before reading it, and a body over MAX_BODY_BYTES with 413', async () => {
    const huge = JSON.stringify({
      kind: 'EventList',
      items: [event({ requestObject: { x: 'y'.repeat(70 * 1024) } })],
    });
    expect((await send(app, '/webhook/audit/prod', huge)).status).toBe(401);
    const res = await send(app, '/webhook/audit/prod', huge, {
      authorization: 'Bearer prod-secret',
    });
    expect(res.status).toBe(413);
  });

  it('answers 503 with Retry-After when the database is gone, and stores nothing', async () => {
    const other = await startTestApp('sqlite');
    await other.app.get(DataSource).destroy();
    const res = await send(other, '/webhook/audit/x', event());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${other.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    await other.close().catch(() => undefined);
  });
});
