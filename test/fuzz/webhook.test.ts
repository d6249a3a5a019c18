import fc from 'fast-check';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { loadCorpus } from '../support/corpus';
import { Backend, backends, databaseEnv, freshDatabase } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import { removeCompiledServer } from '../support/server-child';
import {
  expectHandled,
  expectHtmlPage,
  expectJsonAnswer,
  fuzzOptions,
  runs,
  Tally,
  withServerLog,
} from './answers';
import {
  mixedBatchBody,
  MixedBatchPlan,
  validBatchBody,
  webhookPlan,
  WebhookPlan,
} from './webhook-inputs';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(300_000);

/** Generated requests per backend; SQLite is the default install, MariaDB gets a share. */
const RUNS: Record<Backend, number> = {
  sqlite: runs(1300),
  mariadb: runs(450),
};
const RSS_CEILING_KIB = 1024 * 1024;
/** Content types the server reads the body of; it answers the others (415) from the headers. */
const PARSED_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
]);
/**
 * A body under a type the server does not read is cut to what the socket takes at once: the
 * server answers 415 and closes without reading the rest, and a client still uploading is reset
 * before it can read that answer (docs/fuzzing.md, "Noticed, not changed").
 */
const UNREAD_BODY_BYTES = 60_000;

function readBody(contentType: string | null, body: Buffer): Buffer {
  return contentType !== null && PARSED_TYPES.has(contentType)
    ? body
    : body.subarray(0, UNREAD_BODY_BYTES);
}

/** Batches in flight at once (each to its own cluster), as several apiservers send them. */
const PARALLEL = 3;
/** Stored hostile events read back (API item and console page) after each mixed batch. */
const READ_BACK = 2;

interface StoredItem {
  id: string;
  auditID: string;
  stage: string;
}

// The server is transpiled once per file (support/server-child.ts); remove it at the end.
afterAll(() => removeCompiledServer());

describe.each(backends())('webhook fuzz (%s)', (backend) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let corpus: Record<string, unknown>[];
  const tally = new Tally();
  let run = 0;

  beforeAll(async () => {
    corpus = (await loadCorpus()).map((e) => e.raw).filter((raw) => normalizeEvent(raw).ok);
    const fresh = freshDatabase(backend);
    drop = fresh.drop;
    server = new ServerProcess(databaseEnv(fresh.database));
    await server.start();
  });

  afterAll(async () => {
    process.stdout.write(`\n${tally.report(`webhook fuzz (${backend})`, server.peakRssKiB)}\n`);
    await server.stop();
    await drop();
  });

  /** The events stored for one cluster, read back through the API. */
  async function storedIn(cluster: string): Promise<StoredItem[]> {
    const res = await server.send({
      method: 'GET',
      path: `/api/v1/events?cluster=${cluster}&limit=500`,
    });
    const page = expectJsonAnswer(res, `listing cluster ${cluster}`) as { items: StoredItem[] };
    if (res.status !== 200) throw new Error(`listing cluster ${cluster} answered ${res.status}`);
    return page.items;
  }

  async function checkMixedBatch(plan: MixedBatchPlan, cluster: string): Promise<void> {
    const body = mixedBatchBody(plan, corpus);
    const path =
      plan.route === 'path' ? `/webhook/audit/${cluster}` : `/webhook/audit?cluster=${cluster}`;
    const res = await server.send({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body,
    });
    tally.record(`mixed batch (${plan.wrap})`, res.status);
    const answer = expectJsonAnswer(res, `a mixed batch (${plan.wrap})`) as Record<string, number>;
    const itemCount = plan.valid.length + plan.hostile.length;
    // A lone hostile document may be no Event at all: then 400 is the right answer.
    if (plan.wrap === 'single' && plan.valid.length === 0 && res.status === 400) return;
    expect(res.status).toBe(200);
    if (plan.wrap !== 'single' || plan.valid.length > 0) {
      expect(answer.accepted + answer.duplicates + answer.rejected).toBe(itemCount);
    }
    const stored = await storedIn(cluster);
    const keys = new Set(stored.map((item) => `${item.auditID}\u0000${item.stage}`));
    for (const index of plan.valid) {
      const event = corpus[index];
      const key = `${String(event.auditID)}\u0000${String(event.stage)}`;
      if (!keys.has(key)) {
        throw new Error(
          `corpus event ${String(event.auditID)} (${String(event.stage)}) was accepted in a mixed batch but is not stored`,
        );
      }
    }
    // The hostile events that were stored must be readable, as JSON and as a console page.
    const validIds = new Set(plan.valid.map((i) => String(corpus[i].auditID)));
    const hostile = stored.filter((item) => !validIds.has(item.auditID)).slice(0, READ_BACK);
    for (const item of hostile) {
      const api = await server.send({ method: 'GET', path: `/api/v1/events/${item.id}` });
      expectJsonAnswer(api, `GET /api/v1/events/${item.id} of a stored hostile event`);
      expect(api.status).toBe(200);
      const page = await server.send({ method: 'GET', path: `/events/${item.id}` });
      expectHtmlPage(page, `GET /events/${item.id} of a stored hostile event`);
      expect(page.status).toBe(200);
    }
  }

  async function check(plan: WebhookPlan): Promise<void> {
    server.assertAlive();
    run += 1;
    const cluster = `fz-${run}`;
    if (plan.kind === 'mixed') return checkMixedBatch(plan, cluster);
    if (plan.kind === 'raw') {
      const valid = Buffer.from(validBatchBody(corpus, [run % corpus.length]));
      const res = await server.send({
        method: 'POST',
        path: `/webhook/audit/${cluster}`,
        headers: plan.contentType === null ? {} : { 'content-type': plan.contentType },
        body: readBody(plan.contentType, plan.body(valid)),
      });
      tally.record('raw body', res.status);
      expectJsonAnswer(res, `a body of ${plan.label} (${String(plan.contentType)})`);
      return;
    }
    const res = await server.send({
      method: 'POST',
      path: `/webhook/audit${plan.suffix}`,
      headers: { 'content-type': 'application/json' },
      body: validBatchBody(corpus, plan.valid),
    });
    tally.record('cluster route', res.status);
    expectHandled(res, `POST /webhook/audit${plan.suffix.slice(0, 100)}`);
    expectJsonAnswer(res, `POST /webhook/audit${plan.suffix.slice(0, 100)}`);
  }

  it('answers every hostile batch with 2xx/4xx and a message, keeps the valid events, never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(webhookPlan(corpus), { minLength: PARALLEL, maxLength: PARALLEL }),
        async (plans) => {
          await withServerLog(
            () => server.log(),
            async () => {
              await Promise.all(plans.map(check));
              server.assertHealthy(RSS_CEILING_KIB);
            },
          );
        },
      ),
      fuzzOptions(Math.ceil(RUNS[backend] / PARALLEL)),
    );
    server.assertAlive();
    expect(server.peakRssKiB).toBeGreaterThan(0);
    expect(server.peakRssKiB).toBeLessThan(RSS_CEILING_KIB);
    // A replay (FUZZ_PATH) runs the one failing input.
    if (process.env.FUZZ_PATH === undefined)
      expect(tally.total()).toBeGreaterThanOrEqual(RUNS[backend]);
    expect(server.errorLines).toEqual([]);
  });
});
