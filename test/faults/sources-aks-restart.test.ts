import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { DatabaseConfig } from '../../src/config/app-config';
import { Azurite, azuriteAvailable } from '../support/azurite';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../support/server-child';
import { sourceOutcome } from '../support/source-metrics';
import { storedCounts } from '../support/stored-events';
import { backends, databaseEnv, freshDatabase, TestDatabase } from '../support/test-app';
import { queryDatabase } from '../support/test-database-query';
import { append, blobName, lines } from '../sources/aks/aks-blob-helpers';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(240_000);

const HOUR = 3600_000;
const LINES = 3000;
/** Lines per append: the blobs grow while the server reads them, as AKS's do. */
const PER_APPEND = 25;
const ENV_NAME = 'AKS_FAULT_STORAGE';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function quarantined(database: DatabaseConfig, cluster: string): Promise<number> {
  const [row] = await queryDatabase<{ n: number | string }>(
    database,
    'SELECT COUNT(*) AS n FROM audit_quarantine WHERE cluster = ?',
    [cluster],
  );
  return Number(row.n);
}

afterAll(() => removeCompiledServer());

const run = azuriteAvailable()
  ? describe.each(backends())
  : describe.skip.each(['sqlite' as const]);

run('aks-blob source: SIGKILL while consuming, restart, drain (%s)', (backend) => {
  const azurite = new Azurite();
  let container: ContainerClient;
  let db: TestDatabase;
  let server: ServerChild;
  let dir: string;
  const cluster = `aks-kill-${backend}`;

  beforeAll(async () => {
    await azurite.start();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights-logs-kube-audit',
    );
    await container.create();
    dir = mkdtempSync(join(tmpdir(), 'aks-kill-'));
    const file = join(dir, 'sources.yaml');
    writeFileSync(
      file,
      [
        'sources:',
        '  - name: aks-kill',
        '    kind: aks-blob',
        `    cluster: ${cluster}`,
        `    connectionStringEnv: ${ENV_NAME}`,
        '    pollSeconds: 1',
        '    startFrom: beginning',
        '',
      ].join('\n'),
    );
    db = freshDatabase(backend);
    server = new ServerChild(await freeLoopbackPort(), {
      ...databaseEnv(db.database),
      RETENTION_DAYS: '0',
      DETECTIONS: 'false',
      SOURCES_FILE: file,
      [ENV_NAME]: azurite.connectionString,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    await azurite.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every line of the blobs exactly once, and no half line, across a kill -9 mid-read', async () => {
    // Four blobs: three hours of one cluster and the current hour of a second resource id in
    // the same container, appended to in turn while the server reads.
    const now = Date.now();
    const names = [
      blobName('aks-one', now - 2 * HOUR),
      blobName('aks-one', now - HOUR),
      blobName('aks-one', now),
      blobName('aks-two', now),
    ];
    const sent: string[] = [];
    const run = randomBytes(3).toString('hex');
    let appended = 0;
    let writerError: unknown;
    await server.start();
    const writer = (async () => {
      for (let i = 0; appended < LINES; i++) {
        const chunk = lines(PER_APPEND, `${run}-${i}`);
        await append(container, names[i % names.length], chunk.text);
        sent.push(...chunk.ids);
        appended += PER_APPEND;
        await sleep(15);
      }
    })().catch((error: unknown) => {
      writerError = error;
    });

    // Kill once a good part is stored and the rest is still coming.
    const deadline = Date.now() + 60_000;
    let before = 0;
    while (Date.now() < deadline) {
      before = (await storedCounts(db.database, cluster)).size;
      if (before >= LINES / 4) break;
      await sleep(50);
    }
    await server.kill();
    const atKill = (await storedCounts(db.database, cluster)).size;
    await writer;
    expect(writerError).toBeUndefined();
    // The kill came while consuming: some stored, not all.
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(LINES);
    process.stdout.write(`[faults] aks-blob ${backend}: killed with ${atKill}/${LINES} stored\n`);

    await server.start();
    const drained = Date.now() + 120_000;
    let counts = await storedCounts(db.database, cluster);
    while (counts.size < LINES && Date.now() < drained) {
      await sleep(250);
      counts = await storedCounts(db.database, cluster);
    }
    await sleep(3000); // more polls: nothing else may arrive
    counts = await storedCounts(db.database, cluster);

    const sentSet = new Set(sent);
    expect(sentSet.size).toBe(LINES);
    const missing = sent.filter((id) => !counts.has(id));
    const unknown = [...counts.keys()].filter((id) => !sentSet.has(id));
    const duplicated = [...counts.values()].filter((n) => n !== 1).length;
    process.stdout.write(
      `[faults] aks-blob ${backend}: sent=${LINES} stored=${counts.size} missing=${missing.length} duplicated=${duplicated} unknown=${unknown.length}\n`,
    );
    expect(missing).toEqual([]);
    expect(unknown).toEqual([]);
    expect(duplicated).toBe(0);
    // A checkpoint is always at a line boundary: a restart mid-blob reads no half line.
    expect(await quarantined(db.database, cluster)).toBe(0);
    // The unique content hash makes a second row impossible anyway; what shows that the second
    // life resumed at the committed position is that it read nothing already stored.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const outcome = (name: string) => sourceOutcome(metrics, name);
    expect(outcome('duplicate')).toBe(0);
    expect(outcome('accepted')).toBe(LINES - atKill);
    expect(server.log()).not.toMatch(/"level":(50|60)/);
  });
});
