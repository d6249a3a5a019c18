import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsEndpoint } from '../support/cloudwatch-logs-endpoint';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../support/server-child';
import { storedCounts } from '../support/stored-events';
import { backends, databaseEnv, freshDatabase, TestDatabase } from '../support/test-app';
import { AUDIT_STREAMS, auditEvent, DUMMY_AWS_ENV } from '../sources/eks/eks-source-support';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EVENTS = 3000;
const STREAMS = AUDIT_STREAMS;
/** Service-side page size and delay: the 3000 events take about 60 calls and 6 s to read. */
const PAGE_EVENTS = 50;
const CALL_DELAY_MS = 100;
/** The source stops a batch after 10 pages: at most this many events are read but uncommitted. */
const BATCH_EVENTS = 10 * PAGE_EVENTS;

/** A `get` of its own configmap per event, its times in milliseconds (not microseconds). */
function message(auditID: string, timestamp: number): string {
  const at = new Date(timestamp).toISOString();
  return auditEvent(auditID, timestamp, {
    requestURI: `/api/v1/namespaces/shop/configmaps/cm-${auditID.slice(0, 8)}`,
    verb: 'get',
    objectRef: { resource: 'configmaps', namespace: 'shop', apiVersion: 'v1' },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  });
}

afterAll(() => removeCompiledServer());

describe.each(backends())(
  'eks-cloudwatch source: SIGKILL while consuming, restart (%s)',
  (backend) => {
    let endpoint: CloudWatchLogsEndpoint;
    let db: TestDatabase;
    let server: ServerChild;
    let dir: string;
    const cluster = `eks-kill-${backend}`;
    const group = `/aws/eks/${cluster}/cluster`;

    beforeAll(async () => {
      endpoint = await CloudWatchLogsEndpoint.start({
        maxEventsPerPage: PAGE_EVENTS,
        delayMs: CALL_DELAY_MS,
      });
      db = freshDatabase(backend);
      dir = mkdtempSync(join(tmpdir(), 'eks-kill-'));
      const file = join(dir, 'sources.yaml');
      writeFileSync(
        file,
        [
          'sources:',
          `  - name: eks-kill-${backend}`,
          '    kind: eks-cloudwatch',
          `    cluster: ${cluster}`,
          '    region: eu-west-1',
          `    endpoint: ${endpoint.url}`,
          `    startFrom: ${new Date(Date.now() - 3_600_000).toISOString()}`,
          '    pollSeconds: 1',
          '    settleSeconds: 5',
          '',
        ].join('\n'),
      );
      server = new ServerChild(await freeLoopbackPort(), {
        ...databaseEnv(db.database),
        SOURCES_FILE: file,
        // Dummy keys: the endpoint (ours, in this process) checks that requests are signed.
        ...DUMMY_AWS_ENV,
        // The events are minutes old: keep them.
        RETENTION_DAYS: '0',
      });
    });
    afterAll(async () => {
      await server?.stop();
      await db?.drop();
      await endpoint?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('stores every event exactly once, re-reading at most the batch the kill cut off', async () => {
      const ids: string[] = [];
      const base = Date.now() - 1_800_000;
      STREAMS.forEach((stream, s) => {
        const events = [];
        for (let i = 0; i < EVENTS / STREAMS.length; i++) {
          const id = randomUUID();
          ids.push(id);
          // Interleaved across streams, ties included.
          const timestamp = base + i * 300 + (s % 2);
          events.push({ timestamp, message: message(id, timestamp) });
        }
        endpoint.put(group, stream, events);
      });

      await server.start();
      // Kill once some batches are committed, while more are being read.
      const deadline = Date.now() + 60_000;
      let before = new Map<string, number>();
      while (before.size < 2 * BATCH_EVENTS) {
        if (Date.now() > deadline) throw new Error(`no progress:\n${server.log()}`);
        await sleep(50);
        before = await storedCounts(db.database, cluster);
      }
      // Into the next batch's pages (about 1 s for 10), so the kill usually cuts one off.
      await sleep(300);
      await server.kill();
      before = await storedCounts(db.database, cluster);
      const servedBefore = endpoint.requests.length;
      // The kill came mid-consumption.
      expect(before.size).toBeLessThan(EVENTS);
      expect([...before.values()].every((n) => n === 1)).toBe(true);

      await server.start();
      await new Promise<void>((resolve, reject) => {
        const end = Date.now() + 120_000;
        const poll = async () => {
          const now = await storedCounts(db.database, cluster);
          if (ids.every((id) => now.has(id))) return resolve();
          if (Date.now() > end) return reject(new Error(`not drained:\n${server.log()}`));
          setTimeout(() => void poll(), 200);
        };
        void poll();
      });
      await sleep(3000); // anything read twice would be written by now
      const after = await storedCounts(db.database, cluster);
      await server.stop();

      expect(after.size).toBe(EVENTS);
      expect([...after.values()].filter((n) => n !== 1)).toEqual([]);
      expect([...after.keys()].every((id) => ids.includes(id))).toBe(true);
      // The restart resumed mid-window with the committed token, not from the window's start...
      expect(endpoint.requests[servedBefore].nextToken).toBeDefined();
      // ...so CloudWatch gave again only what the kill left uncommitted (one batch at most).
      const twice = [...endpoint.served.values()].filter((n) => n > 1).length;
      expect([...endpoint.served.values()].every((n) => n <= 2)).toBe(true);
      expect(twice).toBeLessThanOrEqual(BATCH_EVENTS);
      process.stdout.write(
        `[faults] ${backend} eks-cloudwatch kill -9: events=${EVENTS} stored before kill=${before.size} ` +
          `after restart=${after.size} duplicated=0 re-read from CloudWatch=${twice}\n`,
      );
      expect(server.log()).not.toMatch(/"level":(50|60)/);
    });
  },
);
