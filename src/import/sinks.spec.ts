import { DirectSink, HttpSink, parseCounts, serverMessage, SinkError, webhookUrl } from './sinks';

type Call = { url: string; init: RequestInit };

function fakeFetch(replies: Array<Response | Error>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = replies.shift();
    if (next === undefined) throw new Error('no more replies');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { fetch: f, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const noSleep = jest.fn(async (_ms: number) => undefined);
beforeEach(() => noSleep.mockClear());

function sink(
  replies: Array<Response | Error>,
  extra: Partial<ConstructorParameters<typeof HttpSink>[0]> = {},
) {
  const f = fakeFetch(replies);
  const s = new HttpSink({
    url: 'http://h:1/base/',
    cluster: 'prod',
    token: 't0k',
    fetch: f.fetch,
    sleep: noSleep,
    ...extra,
  });
  return { s, calls: f.calls };
}

describe('webhookUrl', () => {
  it('appends /webhook/audit/<cluster>, keeping a path prefix', () => {
    expect(webhookUrl('https://a.example:8443', 'c1')).toBe(
      'https://a.example:8443/webhook/audit/c1',
    );
    expect(webhookUrl('http://h/base//', 'c1')).toBe('http://h/base/webhook/audit/c1');
  });
});

describe('parseCounts / serverMessage', () => {
  it('reads counts and tolerates missing duplicates/rejected', () => {
    expect(parseCounts({ accepted: 3, duplicates: 1, rejected: 2 })).toEqual({
      accepted: 3,
      duplicates: 1,
      rejected: 2,
    });
    expect(parseCounts({ accepted: 3 })).toEqual({ accepted: 3, duplicates: 0, rejected: 0 });
    expect(parseCounts({})).toBeUndefined();
    expect(parseCounts('x')).toBeUndefined();
  });

  it('prefers the JSON message, else the text, capped', () => {
    expect(
      serverMessage('{"statusCode":401,"error":"Unauthorized","message":"invalid bearer token"}'),
    ).toBe('invalid bearer token: Unauthorized');
    expect(serverMessage('plain failure\n')).toBe('plain failure');
    expect(serverMessage('x'.repeat(600))).toHaveLength(503);
  });
});

describe('HttpSink', () => {
  it('POSTs an EventList with the bearer token and returns the counts', async () => {
    const { s, calls } = sink([json(200, { accepted: 1, duplicates: 1, rejected: 0 })]);
    const r = await s.send([{ auditID: 'a' }, { auditID: 'b' }]);
    expect(r).toEqual({ accepted: 1, duplicates: 1, rejected: 0, unconfirmed: 0 });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://h:1/base/webhook/audit/prod');
    expect(calls[0].init.method).toBe('POST');
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer t0k');
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: [{ auditID: 'a' }, { auditID: 'b' }],
    });
  });

  it('sends no Authorization header without a token', async () => {
    const { s, calls } = sink([json(200, { accepted: 1 })], { token: undefined });
    await s.send([{}]);
    expect((calls[0].init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('counts events as unconfirmed when a 2xx reply has no counts', async () => {
    const { s } = sink([new Response('', { status: 200 })]);
    expect(await s.send([{}, {}])).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      unconfirmed: 2,
    });
  });

  it('retries 503 (honouring Retry-After), 500 and connection errors with backoff', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const retries: string[] = [];
    const { s, calls } = sink(
      [
        json(503, { message: 'database unavailable' }, { 'retry-after': '5' }),
        refused,
        json(500, {}),
        json(200, { accepted: 1 }),
      ],
      { onRetry: (r) => retries.push(r.reason) },
    );
    expect(await s.send([{}])).toMatchObject({ accepted: 1 });
    expect(calls).toHaveLength(4);
    expect(noSleep.mock.calls.map((c) => c[0])).toEqual([
      5000,
      expect.any(Number),
      expect.any(Number),
    ]);
    const [, second, third] = noSleep.mock.calls.map((c) => c[0]);
    expect(second).toBeGreaterThanOrEqual(1000);
    expect(third).toBeGreaterThanOrEqual(2000);
    expect(retries[0]).toMatch(/HTTP 503.*database unavailable/);
    expect(retries[1]).toMatch(/fetch failed \(ECONNREFUSED\)/);
  });

  it('gives up after maxAttempts with the last reason', async () => {
    const { s, calls } = sink(
      [json(503, {}), json(503, {}), json(503, { message: 'still down' })],
      { maxAttempts: 3 },
    );
    await expect(s.send([{}])).rejects.toThrow(
      /stayed unavailable after 3 attempts: HTTP 503.*still down/,
    );
    expect(calls).toHaveLength(3);
  });

  it('fails at once on other 4xx, with the server message', async () => {
    const { s, calls } = sink([json(403, { message: 'this token may only write to cluster dev' })]);
    const err = await s.send([{}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).status).toBe(403);
    expect((err as Error).message).toMatch(
      /server refused the import: HTTP 403.*only write to cluster dev/,
    );
    expect(calls).toHaveLength(1);
  });

  it('splits a batch the server finds too large (413)', async () => {
    const { s, calls } = sink([
      new Response('too big', { status: 413 }),
      json(200, { accepted: 2 }),
      json(200, { accepted: 1, rejected: 1 }),
    ]);
    expect(await s.send([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }])).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: 1,
      unconfirmed: 0,
    });
    expect(
      calls.map((c) => (JSON.parse(c.init.body as string) as { items: unknown[] }).items.length),
    ).toEqual([4, 2, 2]);
  });

  it('fails clearly when one event alone is too large', async () => {
    const { s } = sink([new Response('', { status: 413 })]);
    await expect(s.send([{ a: 1 }])).rejects.toThrow(/single event .* too large \(HTTP 413\)/);
  });

  it('measures the serialized size once and reuses it', async () => {
    const { s, calls } = sink([json(200, { accepted: 1 })]);
    const e = { auditID: 'x'.repeat(10) };
    expect(s.measure(e)).toBe(JSON.stringify(e).length);
    e.auditID = 'changed';
    await s.send([e]);
    expect(calls[0].init.body).toContain('x'.repeat(10));
  });
});

describe('DirectSink', () => {
  it('hands the batch to IngestService.ingestBatch for the cluster', async () => {
    const ingestBatch = jest.fn(async (_c: string, items: unknown[]) => ({
      accepted: items.length,
      duplicates: 0,
      rejected: 0,
    }));
    const close = jest.fn(async () => undefined);
    const s = new DirectSink('prod', { ingestBatch }, close);
    expect(await s.send([{}, {}])).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: 0,
      unconfirmed: 0,
    });
    expect(ingestBatch).toHaveBeenCalledWith('prod', [{}, {}]);
    await s.close();
    expect(close).toHaveBeenCalled();
  });
});
