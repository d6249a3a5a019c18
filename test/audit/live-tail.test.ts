import { LiveTailService, POLL_INTERVAL_MS } from '../../src/audit/live-tail.service';
import { backends, freshDatabase, startTestAppOn, TestApp } from '../support/test-app';

type Item = { id: string; auditID: string; username: string; verb: string; summary: string };

function event(auditID: string, username: string, verb: string, stampMs = Date.now()) {
  const time = new Date(stampMs).toISOString().replace('Z', '000Z');
  return {
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/tail/configmaps/c1',
    verb,
    user: { username },
    objectRef: { resource: 'configmaps', namespace: 'tail', name: 'c1', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
}

async function post(app: TestApp, cluster: string, items: unknown[]): Promise<void> {
  const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', items }),
  });
  expect(res.status).toBe(200);
}

/** An SSE client on /api/v1/events/stream that collects the `audit` events it receives. */
class Stream {
  readonly items: Item[] = [];
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  readonly opened: Promise<void>;

  constructor(app: TestApp, query: string) {
    let open!: () => void;
    this.opened = new Promise((resolve) => (open = resolve));
    this.done = (async () => {
      const res = await fetch(`${app.url}/api/v1/events/stream?${query}`, {
        signal: this.abort.signal,
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      open();
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (type === 'audit' && data) this.items.push(JSON.parse(data) as Item);
        }
      }
    })().catch((error: unknown) => {
      if ((error as Error).name !== 'AbortError') throw error;
    });
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<Item[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < count && Date.now() < deadline) await sleep(50);
    return this.items;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends())('live tail (%s)', (backend) => {
  const fresh = freshDatabase(backend);
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestAppOn(fresh.database);
    // A second replica on the same database, as behind one Service.
    b = await startTestAppOn(fresh.database);
    await post(a, 'prod', [event('before-tail', 'alice', 'get')]);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await fresh.drop();
  });

  it('streams new matching events within 2 s of the commit, not what was stored before', async () => {
    const alice = new Stream(a, 'user=alice');
    const deletes = new Stream(a, 'verb=delete&cluster=prod');
    await Promise.all([alice.opened, deletes.opened]);
    await sleep(POLL_INTERVAL_MS + 200); // the tail has begun
    const posted = Date.now();
    await post(a, 'prod', [
      event('a-1', 'alice', 'update', posted),
      event('b-1', 'bob', 'delete', posted + 1),
      event('a-2', 'alice', 'delete', posted + 2),
    ]);
    await post(a, 'dev', [event('b-2', 'bob', 'delete')]);
    expect((await alice.waitFor(2)).map((i) => i.auditID)).toEqual(['a-1', 'a-2']);
    expect(Date.now() - posted).toBeLessThan(2000);
    expect((await deletes.waitFor(2)).map((i) => i.auditID).sort()).toEqual(['a-2', 'b-1']);
    expect(alice.items[0].summary).toMatch(/^alice updated ConfigMap `c1`/);
    await sleep(300);
    expect(alice.items).toHaveLength(2);
    expect(deletes.items).toHaveLength(2);
    await Promise.all([alice.close(), deletes.close()]);
  });

  it('shows events another replica committed (the database is the feed between replicas)', async () => {
    const onB = new Stream(b, 'user=carol');
    await onB.opened;
    await sleep(POLL_INTERVAL_MS + 200);
    await post(a, 'prod', [event('c-1', 'carol', 'create')]);
    expect((await onB.waitFor(1, 4000)).map((i) => i.auditID)).toEqual(['c-1']);
    await onB.close();
  });

  it('reads the database once per interval however many streams are open', async () => {
    const tail = a.app.get(LiveTailService);
    const streams = Array.from({ length: 12 }, () => new Stream(a, 'verb=patch'));
    await Promise.all(streams.map((s) => s.opened));
    await sleep(300);
    const before = tail.polls;
    await sleep(3 * POLL_INTERVAL_MS + 100);
    const polls = tail.polls - before;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(4);
    await post(a, 'prod', [event('p-1', 'dave', 'patch')]);
    for (const stream of streams) {
      expect((await stream.waitFor(1)).map((i) => i.auditID)).toEqual(['p-1']);
    }
    await Promise.all(streams.map((s) => s.close()));
    for (let i = 0; i < 40 && tail.streams > 0; i++) await sleep(50);
    expect(tail.streams).toBe(0);
    const idle = tail.polls;
    await sleep(POLL_INTERVAL_MS + 300);
    expect(tail.polls).toBe(idle);
  });

  it('rejects an invalid filter with 400 before streaming', async () => {
    const res = await fetch(`${a.url}/api/v1/events/stream?code=6xx`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/code must be/);
  });
});
