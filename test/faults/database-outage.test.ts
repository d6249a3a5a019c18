import { randomBytes } from 'node:crypto';
import {
  ApiserverSender,
  Attempt,
  corpusBatch,
  Json,
  KEEP_OLD_EVENTS,
  storableCorpus,
  SustainedIngest,
} from '../support/apiserver-sender';
import { CapturedLogger } from '../support/captured-logger';
import { MARIADB, mariadbAvailable } from '../support/mariadb';
import { printTally, storedCounts, tally } from '../support/stored-events';
import { ProxyMode, TcpProxy } from '../support/tcp-proxy';
import { freshDatabase, startTestAppOn, TestApp, TestDatabase } from '../support/test-app';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Probe {
  at: number;
  status: number;
}

/** Asks /readyz twice a second until stopped, as a kubelet readiness probe would. */
function probeReadiness(url: string): { probes: Probe[]; stop: () => Promise<void> } {
  const probes: Probe[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
        (res) => res.status,
        () => 0,
      );
      probes.push({ at: Date.now(), status });
      await sleep(500);
    }
  })();
  return {
    probes,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function readyAgain(url: string, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (
      (await fetch(`${url}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return true;
    await sleep(250);
  }
  return false;
}

const OUTAGE_MS = 20_000;

(mariadbAvailable() ? describe : describe.skip)('MariaDB cut off during sustained ingest', () => {
  let corpus: Json[];
  let db: TestDatabase;
  let proxy: TcpProxy;
  let test: TestApp;
  const logger = new CapturedLogger();

  beforeAll(async () => {
    corpus = await storableCorpus();
    db = freshDatabase('mariadb');
    proxy = new TcpProxy(MARIADB.host, MARIADB.port);
    await proxy.start();
    if (db.database.type !== 'mysql') throw new Error('expected a MariaDB database');
    test = await startTestAppOn(
      { ...db.database, host: '127.0.0.1', port: proxy.port },
      KEEP_OLD_EVENTS,
      { logger },
    );
  });
  afterAll(async () => {
    await test?.close();
    await proxy?.stop();
    await db?.drop();
  });

  /**
   * Batches go out every 250 ms (each retried on its own until acknowledged) while the proxy
   * passes, then cuts the database off for OUTAGE_MS, then passes again.
   */
  async function ingestThroughOutage(mode: ProxyMode, cluster: string) {
    const run = randomBytes(3).toString('hex');
    const sender = new ApiserverSender(`${test.url}/webhook/audit/${cluster}`);
    const ingest = new SustainedIngest(sender, (i) => corpusBatch(corpus, run, i, 25));
    const readiness = probeReadiness(test.url);
    ingest.start(250);
    await sleep(4000);
    const cutAt = Date.now();
    await proxy.setMode(mode);
    await sleep(OUTAGE_MS);
    const restoredAt = Date.now();
    await proxy.setMode('pass');
    const ready = await readyAgain(test.url, 20_000);
    await sleep(2000);
    const deliveries = await ingest.stop();
    await readiness.stop();
    const counts = await storedCounts(db.database, cluster);
    const result = tally(deliveries, counts);
    printTally(`MariaDB ${mode} ${OUTAGE_MS / 1000} s`, result);
    const attempts = deliveries.flatMap((d) => d.attempts);
    const answeredIn = (from: number, to: number) =>
      attempts.filter((a) => a.answeredAt > from && a.answeredAt < to);
    return { deliveries, result, attempts, answeredIn, readiness, cutAt, restoredAt, ready };
  }

  /** The attempts that were refused the way a sender can act on: 503 or 429 with Retry-After. */
  const refusals = (attempts: Attempt[]) =>
    attempts.filter((a) => (a.status === 503 || a.status === 429) && a.retryAfter === '5');

  function expectEveryEventOnce(result: ReturnType<typeof tally>) {
    expect(result.ackedButMissing).toEqual([]);
    expect(result.acked).toBe(result.sent);
    expect(result.stored).toBe(result.sent);
    expect(result.duplicated).toBe(0);
    expect(result.unknown).toBe(0);
  }

  it('answers 503 + Retry-After while the database refuses connections for 20 s, recovers without a restart, stores every event once', async () => {
    const r = await ingestThroughOutage('refuse', 'outage');
    // Nothing commits while the database is away, so nothing may be acknowledged then (a
    // second of slack for a batch whose commit finished just before the cut).
    const during = r.answeredIn(r.cutAt + 1000, r.restoredAt);
    expect(during.some((a) => a.status === 503)).toBe(true);
    expect(refusals(during)).toEqual(during);
    // Every answer is one the apiserver acts on: 200, or 503 / 429 (per-cluster backpressure,
    // when the retries pile up) with Retry-After; never a 500 or a dropped connection.
    expect(r.attempts.filter((a) => a.status !== 200)).toEqual(refusals(r.attempts));
    const probesDuring = r.readiness.probes.filter(
      (p) => p.at > r.cutAt + 1000 && p.at < r.restoredAt,
    );
    expect(probesDuring.length).toBeGreaterThan(10);
    expect(new Set(probesDuring.map((p) => p.status))).toEqual(new Set([503]));
    expect(r.ready).toBe(true);
    expect(r.answeredIn(r.restoredAt, Date.now()).some((a) => a.status === 200)).toBe(true);
    expectEveryEventOnce(r.result);
    expect(
      logger.errors().some((m) => /events for cluster outage not stored: .*ECONNREFUSED/.test(m)),
    ).toBe(true);
  });

  it('answers 503 within the apiserver timeout while the database is black-holed, never hangs', async () => {
    const r = await ingestThroughOutage('blackhole', 'partition');
    // The apiserver waits 30 s for an answer; an attempt sent in the first 5 s of the 20 s
    // partition must have had its 503 before the partition ended (before the fix it waited
    // for the partition to heal: a longer one would have timed the apiserver out).
    const early = r.attempts.filter((a) => a.sentAt >= r.cutAt && a.sentAt < r.cutAt + 5000);
    expect(early.length).toBeGreaterThan(5);
    expect(early.filter((a) => a.answeredAt >= r.restoredAt)).toEqual([]);
    expect(refusals(early)).toEqual(early);
    expect(early.some((a) => a.status === 503)).toBe(true);
    expect(r.attempts.filter((a) => a.status !== 200)).toEqual(refusals(r.attempts));
    const probesDuring = r.readiness.probes.filter(
      (p) => p.at > r.cutAt + 3000 && p.at < r.restoredAt,
    );
    expect(probesDuring.length).toBeGreaterThan(3);
    expect(new Set(probesDuring.map((p) => p.status))).toEqual(new Set([503]));
    expect(r.ready).toBe(true);
    expectEveryEventOnce(r.result);
    expect(
      logger
        .errors()
        .some((m) => /cluster partition not stored: .*(within 10000 ms|ETIMEDOUT)/.test(m)),
    ).toBe(true);
  });
});
