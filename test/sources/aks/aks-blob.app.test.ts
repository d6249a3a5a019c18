import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { Azurite, azuriteAvailable } from '../../support/azurite';
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
import { aksLine, append, auditEvent, blobName, lines } from './aks-blob-helpers';

jest.setTimeout(180_000);

const HOUR = 3600_000;
const ENV_NAME = 'AKS_E2E_STORAGE';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run = azuriteAvailable()
  ? describe.each(backends())
  : describe.skip.each(['sqlite' as const]);

run('aks-blob through the app: SOURCES_FILE, runner, ingest, checkpoint (%s)', (backend) => {
  const azurite = new Azurite();
  let container: ContainerClient;
  let dir: string;
  let db: TestDatabase;
  let app: TestApp | undefined;
  const cluster = `aks-e2e-${backend}`;

  beforeAll(async () => {
    await azurite.start();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    container = service.getContainerClient(
      `insights-logs-kube-audit-${randomBytes(3).toString('hex')}`,
    );
    await container.create();
    dir = mkdtempSync(join(tmpdir(), 'aks-sources-'));
    db = freshDatabase(backend);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await azurite.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    delete process.env[ENV_NAME];
  });

  async function startApp(): Promise<TestApp> {
    const file = join(dir, 'sources.yaml');
    writeFileSync(
      file,
      [
        'sources:',
        `  - name: aks-${backend}`,
        '    kind: aks-blob',
        `    cluster: ${cluster}`,
        `    container: ${container.containerName}`,
        `    connectionStringEnv: ${ENV_NAME}`,
        '    pollSeconds: 1',
        '    startFrom: beginning',
        '',
      ].join('\n'),
    );
    // The runner's sources read process.env (the server's environment).
    process.env[ENV_NAME] = azurite.connectionString;
    return startTestAppOn(db.database, {
      SOURCES_FILE: file,
      [ENV_NAME]: azurite.connectionString,
    });
  }

  /** This app's audit_source_events_total by outcome. */
  async function outcomes(test: TestApp): Promise<Record<string, number>> {
    const text = await fetch(`${test.url}/metrics`).then((res) => res.text());
    return sourceOutcomes(text, `aks-${backend}`);
  }

  async function stored(): Promise<Map<string, number>> {
    return storedCounts(db.database, cluster);
  }

  it('stores every event of the blobs once, quarantines garbage, follows appends and resumes after a restart', async () => {
    const now = Date.now();
    const previous = lines(150);
    const current = lines(150);
    await append(container, blobName(cluster, now - HOUR), previous.text);
    await append(
      container,
      blobName(cluster, now),
      current.text +
        'garbage that is not a record\n' +
        aksLine(auditEvent('guard-record'), 'guard'),
    );
    app = await startApp();
    const all = [...previous.ids, ...current.ids];
    await waitUntil('the 300 events', async () => (await stored()).size >= all.length);

    const more = lines(50);
    await append(container, blobName(cluster, now), more.text);
    await waitUntil('the 50 appended events', async () => (await stored()).size >= 350);

    const quarantined = await queryDatabase<{ reason: string; raw: string }>(
      db.database,
      'SELECT reason, raw FROM audit_quarantine WHERE cluster = ?',
      [cluster],
    );
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0].reason).toMatch(/not valid JSON/);
    expect(quarantined[0].raw).toContain('garbage that is not a record');
    // Nothing was read twice (the content hash would hide a re-read from the counts above).
    expect(await outcomes(app)).toEqual({ accepted: 350, duplicate: 0, rejected: 1, skipped: 1 });

    await app.close();
    app = undefined;
    const [checkpoint] = await queryDatabase<{ position: string }>(
      db.database,
      'SELECT position FROM source_checkpoints WHERE source = ?',
      [`aks-${backend}`],
    );
    expect(JSON.parse(checkpoint.position)).toMatchObject({ v: 1 });

    // Appended while the server was down: read from the checkpoint, nothing before it again.
    const whileDown = lines(20);
    await append(container, blobName(cluster, now), whileDown.text);
    app = await startApp();
    const expected = [...all, ...more.ids, ...whileDown.ids];
    await waitUntil(
      'the 20 events appended while down',
      async () => (await stored()).size >= expected.length,
    );
    await sleep(3000); // a few more polls: nothing else may come
    const counts = await stored();
    expect(counts.size).toBe(expected.length);
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // The second life read only what came after the checkpoint.
    expect(await outcomes(app)).toEqual({ accepted: 20, duplicate: 0, rejected: 0, skipped: 0 });
    const again = await queryDatabase<{ n: number | string }>(
      db.database,
      'SELECT COUNT(*) AS n FROM audit_quarantine WHERE cluster = ?',
      [cluster],
    );
    expect(Number(again[0].n)).toBe(1);
  });
});
