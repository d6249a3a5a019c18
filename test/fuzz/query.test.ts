import fc from 'fast-check';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { loadCorpus } from '../support/corpus';
import { Backend, backends, databaseEnv, freshDatabase } from '../support/test-app';
import { RawResponse, ServerProcess } from '../support/server-process';
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
  API_ROUTES,
  CONSOLE_ROUTES,
  KnownValues,
  queryRequest,
  QueryRequest,
} from './query-inputs';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(300_000);

/** Generated requests per backend and surface. */
const RUNS: Record<Backend, { api: number; console: number }> = {
  sqlite: { api: runs(4000), console: runs(2500) },
  mariadb: { api: runs(1300), console: runs(500) },
};
const RSS_CEILING_KIB = 1024 * 1024;
/** Requests in flight at once: two cores, shared with the database. */
const PARALLEL = 4;

// The server is transpiled once per file (support/server-child.ts); remove it at the end.
afterAll(() => removeCompiledServer());

describe.each(backends())('query API and console fuzz (%s)', (backend) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let known: KnownValues;
  const tally = new Tally();

  beforeAll(async () => {
    const fresh = freshDatabase(backend);
    drop = fresh.drop;
    server = new ServerProcess(databaseEnv(fresh.database));
    await server.start();
    await withServerLog(() => server.log(), seed);
  });

  /** The real corpus, in two clusters, so that filters match, pages have rows and ids exist. */
  async function seed(): Promise<void> {
    const corpus = (await loadCorpus()).map((e) => e.raw).filter((raw) => normalizeEvent(raw).ok);
    for (const cluster of ['fuzz', 'dev']) {
      const res = await server.send({
        method: 'POST',
        path: `/webhook/audit/${cluster}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: corpus }),
      });
      expect(res.status).toBe(200);
    }
    const listed = await server.send({ method: 'GET', path: '/api/v1/events?limit=500' });
    const items = (
      expectJsonAnswer(listed, 'listing the corpus') as { items: Record<string, string>[] }
    ).items;
    expect(items.length).toBeGreaterThan(100);
    known = {
      ids: items.map((item) => item.id),
      usernames: [...new Set(items.map((item) => item.username).filter(Boolean))],
      auditIDs: [...new Set(items.map((item) => item.auditID))],
      names: [...new Set(items.map((item) => item.name).filter(Boolean))],
      objects: items
        .filter((item) => item.resource && item.name)
        .map(({ cluster, apiGroup, resource, namespace, name }) => ({
          cluster,
          apiGroup,
          resource,
          namespace,
          name,
        })),
    };
  }

  afterAll(async () => {
    process.stdout.write(`\n${tally.report(`query fuzz (${backend})`, server.peakRssKiB)}\n`);
    await server.stop();
    await drop();
  });

  async function check(request: QueryRequest): Promise<void> {
    server.assertAlive();
    const { route, path } = request;
    const res = await server.send({ method: 'GET', path, headersOnly: route.stream });
    const noRoute = route.answers === 'html' && reachedNoRoute(res);
    const target = noRoute
      ? 'console URL matching no route'
      : `${route.answers === 'json' ? 'api' : 'console'} ${route.path}`;
    tally.record(target, res.status);
    const what = `GET ${path.length > 300 ? `${path.slice(0, 300)}...` : path}`;
    if (route.redirects && res.status === 302) {
      // Only to a path of this console: never an open redirect built from the input.
      expect(String(res.headers.location)).toMatch(/^\/[^/\\]/);
    } else if (route.stream && res.status === 200) {
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    } else if (route.export && res.status === 200) {
      expectHandled(res, what);
      expect(res.headers['content-type']).toMatch(/^(application\/x-ndjson|text\/csv)/);
    } else if (route.answers === 'json') {
      expectJsonAnswer(res, what);
    } else if (noRoute) {
      // A path with broken percent-encoding (`/events/%zz`) is refused by Fastify's router
      // before Nest sees it: a JSON message (see docs/fuzzing.md).
      expectJsonAnswer(res, what);
    } else {
      expectHtmlPage(res, what);
    }
  }

  /** Whether Fastify's router refused the URL (broken percent-encoding) before Nest saw it. */
  function reachedNoRoute(res: RawResponse): boolean {
    if (!String(res.headers['content-type']).includes('application/json')) return false;
    const body = JSON.parse(res.body) as { message?: unknown; code?: unknown };
    return body.code === 'FST_ERR_BAD_URL';
  }

  /** Runs `numRuns` generated requests, PARALLEL at a time (each run sends PARALLEL of them). */
  async function fuzz(routes: typeof API_ROUTES, numRuns: number): Promise<void> {
    await fc.assert(
      fc.asyncProperty(
        fc.array(queryRequest(routes, known), { minLength: PARALLEL, maxLength: PARALLEL }),
        async (requests) => {
          await withServerLog(
            () => server.log(),
            async () => {
              await Promise.all(requests.map(check));
              server.assertAlive();
            },
          );
        },
      ),
      fuzzOptions(Math.ceil(numRuns / PARALLEL)),
    );
    server.assertAlive();
    expect(server.peakRssKiB).toBeLessThan(RSS_CEILING_KIB);
    expect(server.errorLines).toEqual([]);
  }

  it('answers every hostile query of /api/v1/** with 2xx/4xx and a JSON message', async () => {
    await fuzz(API_ROUTES, RUNS[backend].api);
  });

  it('answers every hostile query of the console with a page (2xx/4xx)', async () => {
    await fuzz(CONSOLE_ROUTES, RUNS[backend].console);
    // A replay (FUZZ_PATH) runs the one failing input.
    if (process.env.FUZZ_PATH === undefined)
      expect(tally.total()).toBeGreaterThanOrEqual(RUNS[backend].api + RUNS[backend].console);
  });
});
