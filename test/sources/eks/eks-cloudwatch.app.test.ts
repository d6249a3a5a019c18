import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEksCheckpoint } from '../../../src/sources/eks/eks-cloudwatch.source';
import { CloudWatchLogsEndpoint } from '../../support/cloudwatch-logs-endpoint';
import { sourceOutcomes } from '../../support/source-metrics';
import { storedCounts } from '../../support/stored-events';
import { queryDatabase, waitUntil } from '../../support/test-database-query';
import {
  backends,
  freshDatabase,
  startTestAppOn,
  TestApp,
  TestDatabase,
} from '../../support/test-app';
import {
  AUDIT_STREAMS,
  auditLogEvents,
  AUTHENTICATOR_STREAM,
  DUMMY_AWS_ENV,
} from './eks-source-support';

jest.setTimeout(180_000);

describe.each(backends())(
  'eks-cloudwatch through the app: SOURCES_FILE, runner, ingest, checkpoint (%s)',
  (backend) => {
    const cluster = `eks-e2e-${backend}`;
    const group = `/aws/eks/${cluster}/cluster`;
    const name = `eks-${backend}`;
    const started = Date.now();
    let endpoint: CloudWatchLogsEndpoint;
    let dir: string;
    let db: TestDatabase;
    let app: TestApp | undefined;
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      endpoint = await CloudWatchLogsEndpoint.start({ maxEventsPerPage: 200 });
      dir = mkdtempSync(join(tmpdir(), 'eks-sources-'));
      db = freshDatabase(backend);
      // The runner's sources read process.env (the server's environment).
      for (const [key, value] of Object.entries(DUMMY_AWS_ENV)) {
        saved[key] = process.env[key];
        process.env[key] = value;
      }
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
      await endpoint?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    function startApp(): Promise<TestApp> {
      const file = join(dir, 'sources.yaml');
      writeFileSync(
        file,
        [
          'sources:',
          `  - name: ${name}`,
          '    kind: eks-cloudwatch',
          `    cluster: ${cluster}`,
          '    region: eu-west-1',
          `    endpoint: ${endpoint.url}`,
          `    startFrom: ${new Date(started - 600_000).toISOString()}`,
          '    pollSeconds: 1',
          '    settleSeconds: 2',
          '',
        ].join('\n'),
      );
      return startTestAppOn(db.database, { SOURCES_FILE: file, ...DUMMY_AWS_ENV });
    }

    async function outcomes(test: TestApp): Promise<Record<string, number>> {
      const text = await fetch(`${test.url}/metrics`).then((res) => res.text());
      return sourceOutcomes(text, name);
    }

    async function position(): Promise<string | undefined> {
      const [row] = await queryDatabase<{ position: string | null }>(
        db.database,
        'SELECT position FROM source_checkpoints WHERE source = ?',
        [name],
      );
      return row?.position ?? undefined;
    }

    it('stores the audit streams once each, quarantines garbage, and resumes after a restart', async () => {
      const ids: string[] = [];
      AUDIT_STREAMS.forEach((stream, s) => {
        const batch = auditLogEvents(400, (i) => started - 300_000 + i * 500 + s);
        endpoint.put(group, stream, batch.events);
        ids.push(...batch.ids);
      });
      endpoint.put(group, AUDIT_STREAMS[0], [
        { timestamp: started - 100_000, message: 'not json at all' },
      ]);
      endpoint.put(group, AUTHENTICATOR_STREAM, [{ timestamp: started - 100_000, message: 'x' }]);

      app = await startApp();
      await waitUntil('every event stored', async () => {
        const counts = await storedCounts(db.database, cluster);
        return ids.every((id) => counts.has(id));
      });
      await waitUntil('the garbage quarantined', async () => (await outcomes(app!)).rejected === 1);
      const counts = await storedCounts(db.database, cluster);
      expect(counts.size).toBe(ids.length);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      // Read once: the source asked for nothing twice (the content hash had nothing to drop).
      expect([...endpoint.served.values()].every((n) => n === 1)).toBe(true);
      expect(await outcomes(app)).toMatchObject({
        accepted: ids.length,
        duplicate: 0,
        rejected: 1,
      });
      const reasons = await queryDatabase<{ reason: string }>(
        db.database,
        'SELECT reason FROM audit_quarantine WHERE cluster = ?',
        [cluster],
      );
      expect(reasons.map((r) => r.reason)).toEqual([
        expect.stringMatching(
          /CloudWatch event \d+ of kube-apiserver-audit-\w+: message is not valid JSON/,
        ),
      ]);
      // The authenticator stream was never asked for (the prefix is kube-apiserver-audit).
      expect(endpoint.requests.every((r) => r.logStreamNamePrefix === 'kube-apiserver-audit')).toBe(
        true,
      );

      // A restart, and events newer than the position: it holds, nothing is read twice.
      await app.close();
      app = undefined;
      const before = parseEksCheckpoint((await position()) ?? '');
      expect(before).toMatchObject({ v: 1, from: expect.any(Number) });
      const requestsBefore = endpoint.requests.length;
      const late = auditLogEvents(20, (i) => Date.now() - 1000 - i);
      endpoint.put(group, AUDIT_STREAMS[2], late.events);
      app = await startApp();
      await waitUntil('the late events stored', async () => {
        const now = await storedCounts(db.database, cluster);
        return late.ids.every((id) => now.has(id));
      });
      const after = await storedCounts(db.database, cluster);
      expect(after.size).toBe(ids.length + late.ids.length);
      expect([...after.values()].every((n) => n === 1)).toBe(true);
      expect([...endpoint.served.values()].every((n) => n === 1)).toBe(true);
      const first = endpoint.requests[requestsBefore];
      expect(typeof before !== 'string' && first.startTime).toBe(
        typeof before !== 'string' && before.from,
      );
    });
  },
);
