import { loadCorpus, CorpusEvent } from '../support/corpus';
import { backends, startTestApp, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;

/** Expected API item for a raw corpus event, derived here independently of the ingest code. */
function expectedItem(raw: Json): Json {
  const user = (raw.user ?? {}) as Json;
  const ref = (raw.objectRef ?? {}) as Json;
  const status = (raw.responseStatus ?? {}) as Json;
  const annotations = (raw.annotations ?? {}) as Json;
  const micro = (t: unknown) => {
    const [base, frac = ''] = String(t).replace('Z', '').split('.');
    return `${base}.${frac.padEnd(6, '0')}Z`;
  };
  const received = raw.requestReceivedTimestamp ?? raw.timestamp;
  return {
    auditID: raw.auditID,
    stage: raw.stage,
    level: raw.level,
    verb: raw.verb,
    username: user.username ?? '',
    groups: user.groups ?? [],
    impersonatedUser: (raw.impersonatedUser as Json | undefined)?.username ?? null,
    sourceIPs: raw.sourceIPs ?? [],
    userAgent: raw.userAgent ?? '',
    apiGroup: ref.apiGroup ?? '',
    apiVersion: ref.apiVersion ?? '',
    resource: ref.resource ?? '',
    subresource: ref.subresource ?? '',
    namespace: ref.namespace ?? '',
    name: ref.name ?? '',
    responseCode: status.code ?? null,
    decision: annotations['authorization.k8s.io/decision'] ?? null,
    requestReceivedTimestamp: micro(received),
    stageTimestamp: micro(raw.stageTimestamp ?? raw.timestamp),
    requestURI: raw.requestURI,
  };
}

function withoutTypeMeta(raw: Json): Json {
  const { kind: _kind, apiVersion, ...rest } = raw;
  return apiVersion === 'audit.k8s.io/v1' || apiVersion === undefined
    ? rest
    : { apiVersion, ...rest };
}

async function post(
  app: TestApp,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function allItems(app: TestApp, cluster: string): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ cluster, limit: '37', ...(cursor ? { cursor } : {}) });
    const page = (await (await fetch(`${app.url}/api/v1/events?${query}`)).json()) as {
      items: Json[];
      nextCursor: string | null;
    };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe.each(backends())('every corpus event through the webhook (%s)', (backend) => {
  let app: TestApp;
  let corpus: CorpusEvent[];
  const isStorable = (e: CorpusEvent) =>
    typeof e.raw.auditID === 'string' && typeof e.raw.verb === 'string';

  beforeAll(async () => {
    // Ingest and read-back only: the detector would add detections between the list and the
    // detail reads (test/detection covers it).
    app = await startTestApp(backend, { DETECTIONS: 'false' });
    corpus = await loadCorpus();
  });
  afterAll(() => app.close());

  it('stores each storable event once, quarantines the malformed one and reads all back field for field', async () => {
    const storable = corpus.filter(isStorable);
    expect(corpus.length).toBeGreaterThanOrEqual(140);
    const items = corpus.map((e) => e.raw);
    const first = await post(app, '/webhook/audit/corpus?timeout=30s', {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items,
    });
    expect(first.status).toBe(200);
    const distinct = new Set(storable.map((e) => JSON.stringify(withoutTypeMeta(e.raw))));
    expect(first.json).toEqual({
      accepted: distinct.size,
      duplicates: storable.length - distinct.size,
      rejected: corpus.length - storable.length,
    });

    const stored = await allItems(app, 'corpus');
    expect(stored).toHaveLength(distinct.size);
    const ids = stored.map((item) => String(item.id));
    expect([...ids].sort().reverse()).toEqual(ids); // newest first, keyset order

    const byContent = new Map<string, Json>();
    for (const item of stored) {
      const detail = (await (
        await fetch(`${app.url}/api/v1/events/${String(item.id)}`)
      ).json()) as Json;
      const { event, ...summary } = detail;
      expect(summary).toEqual(item);
      byContent.set(JSON.stringify(event), item);
    }
    for (const e of storable) {
      const found = byContent.get(JSON.stringify(withoutTypeMeta(e.raw)));
      const { summary, kubectl, ...item } = found ?? {};
      expect(summary).toEqual(expect.stringMatching(/\S/));
      expect(kubectl).toEqual(
        expect.objectContaining({
          fidelity: expect.stringMatching(/^(exact|equivalent|partial|none)$/),
        }),
      );
      expect({ file: e.file, item: { ...item, id: undefined, cluster: undefined } }).toEqual({
        file: e.file,
        item: { ...expectedItem(e.raw), id: undefined, cluster: undefined, detections: [] },
      });
      expect(item.cluster).toBe('corpus');
    }
  });

  it('stores nothing twice when the apiserver retries the same batch', async () => {
    const items = corpus
      .filter(isStorable)
      .slice(0, 20)
      .map((e) => e.raw);
    const first = await post(app, '/webhook/audit/retry', { kind: 'EventList', items });
    const again = await post(app, '/webhook/audit?cluster=retry', { kind: 'EventList', items });
    expect(first.json.accepted).toBeGreaterThan(0);
    expect(again.json).toEqual({ accepted: 0, duplicates: items.length, rejected: 0 });
    expect(await allItems(app, 'retry')).toHaveLength(Number(first.json.accepted));
  });
});
