import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { createApp } from '../../src/app';
import type { DatabaseConfig } from '../../src/config/app-config';
import { parseEnvironment } from '../../src/config/environment';
import type { AuditSource, SourceBatch, SourceKind } from '../../src/sources/audit-source';
import type { SourceDefinition, SourceEntryBase } from '../../src/sources/source-definition';
import { SourcesService, SourceStatus } from '../../src/sources/sources.service';
import { backends, freshDatabase, TestDatabase } from '../support/test-app';
import { storedCounts } from '../support/stored-events';
import { queryDatabase, waitUntil } from '../support/test-database-query';

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shared wait, polled every 50 ms and given 20 s unless told. */
const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000) =>
  waitUntil(what, probe, { within: ms, every: 50 });

/** An audit event as the apiserver writes it. */
function event(n: number, run: string): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + n * 1000).toISOString();
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${run}/configmaps/cm-${n}`,
    verb: 'get',
    user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.1'],
    userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc',
    objectRef: { resource: 'configmaps', namespace: run, name: `cm-${n}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  };
}

/**
 * A source of our own contract, scripted by the test: the runner is what is tested here (the
 * clouds' sources have their own suites against their emulators).
 */
class ScriptedSource implements AuditSource {
  readonly kind: SourceKind = 'gke-pubsub';
  readonly queue: SourceBatch[] = [];
  readonly opened: (string | undefined)[] = [];
  readonly failures: Error[] = [];
  nexts = 0;
  closed = 0;
  constructor(readonly name: string) {}
  async open(checkpoint: string | undefined): Promise<void> {
    this.opened.push(checkpoint);
  }
  async next(signal: AbortSignal): Promise<SourceBatch | undefined> {
    this.nexts++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    const batch = this.queue.shift();
    if (batch) return batch;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 100);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), {
        once: true,
      });
    });
    return undefined;
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

class ScriptedEntry implements SourceEntryBase {
  @Matches(/^[a-z0-9-]+$/) name!: string;
  @IsIn(['gke-pubsub']) kind!: SourceKind;
  @IsOptional() @IsString() cluster?: string;
}

function scripted(sources: Map<string, ScriptedSource>): SourceDefinition<ScriptedEntry> {
  return {
    kind: 'gke-pubsub',
    entryClass: ScriptedEntry,
    create: (entry) => {
      const source = new ScriptedSource(entry.name);
      sources.set(`${entry.name}#${sources.size}`, source);
      return source;
    },
  };
}

async function startApp(
  database: DatabaseConfig,
  definition: SourceDefinition<ScriptedEntry>,
  name: string,
  cluster: string,
  more: { name: string; cluster?: string }[] = [],
  env: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  const config = {
    ...parseEnvironment({ HTTP_PORT: '1', RETENTION_DAYS: '0', DETECTIONS: 'false', ...env }),
    database,
  };
  const entries = [{ name, cluster }, ...more].map((e) =>
    Object.assign(new ScriptedEntry(), { kind: 'gke-pubsub', ...e }),
  );
  config.sources = {
    file: 'test',
    sources: entries.map((entry) => ({ entry, definition: definition as SourceDefinition })),
  };
  const app = await createApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

/** A statement on the test's database, read-write (CREATE/DROP TRIGGER as well as SELECT). */
const sql = <T>(database: DatabaseConfig, query: string, params: unknown[] = []) =>
  queryDatabase<T>(database, query, params, { write: true });

function statusOf(app: NestFastifyApplication, name: string): SourceStatus | undefined {
  return app
    .get(SourcesService)
    .list()
    .find((s) => s.name === name);
}

describe.each(backends())('sources runner (%s)', (backend) => {
  let db: TestDatabase;
  const apps: NestFastifyApplication[] = [];
  beforeEach(() => {
    db = freshDatabase(backend);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await db.drop();
  });

  it('stores each batch with its position in one transaction, acknowledges after the commit, and reopens at the committed position', async () => {
    const run = randomBytes(3).toString('hex');
    const sources = new Map<string, ScriptedSource>();
    const app = await startApp(db.database, scripted(sources), 'src-a', 'managed-a');
    apps.push(app);
    const source = await until('the source to open', () => [...sources.values()][0]);
    expect(source.opened).toEqual([undefined]);

    const acked: Map<string, number>[] = [];
    const first = [event(1, run), event(2, run)];
    source.queue.push({
      cluster: 'managed-a',
      items: first,
      rejected: [{ record: '{"not json', reason: 'message 7: not JSON' }],
      skipped: 3,
      checkpoint: 'position-1',
      acknowledge: async () => {
        // What is acknowledged is already stored: the cloud may forget it from now on.
        acked.push(await storedCounts(db.database, 'managed-a'));
      },
    });
    await until('the acknowledgement', () => acked[0]);
    expect([...acked[0].keys()].sort()).toEqual(first.map((e) => e.auditID).sort());
    const [row] = await sql<{ position: string; last_event_ms: number | string }>(
      db.database,
      'SELECT position, last_event_ms FROM source_checkpoints WHERE source = ?',
      ['src-a'],
    );
    expect(row.position).toBe('position-1');
    expect(Number(row.last_event_ms)).toBe(Date.parse(first[1].stageTimestamp as string));
    const quarantine = await sql<{ reason: string; raw: string }>(
      db.database,
      "SELECT reason, raw FROM audit_quarantine WHERE cluster = 'managed-a'",
    );
    expect(quarantine).toEqual([{ reason: 'src-a: message 7: not JSON', raw: '{"not json' }]);

    // A batch without a checkpoint (only acknowledgements) keeps the stored position.
    source.queue.push({ cluster: 'managed-a', items: [event(3, run)], rejected: [], skipped: 0 });
    await until('the third event', async () =>
      (await storedCounts(db.database, 'managed-a')).size === 3 ? true : undefined,
    );
    await until('the status', () =>
      statusOf(app, 'src-a')?.lastEventMs === Date.parse(event(3, run).stageTimestamp as string)
        ? true
        : undefined,
    );
    const metrics = await (await fetch(`${await app.getUrl()}/metrics`)).text();
    expect(metrics).toMatch(/audit_source_events_total\{source="src-a",outcome="accepted"\} 3/);
    expect(metrics).toMatch(/audit_source_events_total\{source="src-a",outcome="skipped"\} 3/);
    expect(metrics).toMatch(/audit_source_events_total\{source="src-a",outcome="rejected"\} 1/);
    expect(metrics).toMatch(/audit_source_leader\{source="src-a"\} 1/);

    // A restart opens the source where the last commit left it.
    await app.close();
    apps.splice(0);
    const again = await startApp(db.database, scripted(sources), 'src-a', 'managed-a');
    apps.push(again);
    const reopened = await until('the second source to open', () => [...sources.values()][1]);
    expect(reopened.opened).toEqual(['position-1']);
    expect(source.closed).toBe(1);
  });

  it('retries a batch the database refused, without reading past it, and commits its position only with it', async () => {
    const run = randomBytes(3).toString('hex');
    const sources = new Map<string, ScriptedSource>();
    const app = await startApp(db.database, scripted(sources), 'src-b', 'managed-b');
    apps.push(app);
    const source = await until('the source to open', () => [...sources.values()][0]);
    // The database refuses this cluster's events until the trigger goes.
    if (backend === 'sqlite') {
      await sql(
        db.database,
        "CREATE TRIGGER refuse BEFORE INSERT ON audit_events WHEN NEW.cluster = 'managed-b' BEGIN SELECT RAISE(ABORT, 'refused by test'); END",
      );
    } else {
      await sql(
        db.database,
        "CREATE TRIGGER refuse BEFORE INSERT ON audit_events FOR EACH ROW BEGIN IF NEW.cluster = 'managed-b' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test'; END IF; END",
      );
    }
    let acknowledged = 0;
    source.queue.push(
      {
        cluster: 'managed-b',
        items: [event(1, run)],
        rejected: [],
        skipped: 0,
        checkpoint: 'p1',
        acknowledge: async () => void acknowledged++,
      },
      {
        cluster: 'managed-b',
        items: [event(2, run)],
        rejected: [],
        skipped: 0,
        checkpoint: 'p2',
        acknowledge: async () => void acknowledged++,
      },
    );
    const failed = await until('the store error', () => statusOf(app, 'src-b')?.lastError);
    expect(failed.stage).toBe('store');
    expect(failed.message).toContain('refused by test');
    const nextsWhileRefused = source.nexts;
    await sleep(1500);
    // Nothing read past the refused batch, nothing acknowledged, no position stored.
    expect(source.nexts).toBe(nextsWhileRefused);
    expect(source.queue).toHaveLength(1);
    expect(acknowledged).toBe(0);
    expect(await sql(db.database, 'SELECT position FROM source_checkpoints')).toEqual([]);

    await sql(db.database, 'DROP TRIGGER refuse');
    await until(
      'both batches',
      async () => ((await storedCounts(db.database, 'managed-b')).size === 2 ? true : undefined),
      30_000,
    );
    await until('both acknowledgements', () => (acknowledged === 2 ? true : undefined));
    const [row] = await sql<{ position: string }>(
      db.database,
      'SELECT position FROM source_checkpoints',
    );
    expect(row.position).toBe('p2');
    expect(statusOf(app, 'src-b')?.lastError).toBeUndefined();
  });

  it('shows each source in /readyz, GET /api/v1/sources and the console cluster list', async () => {
    const run = randomBytes(3).toString('hex');
    const sources = new Map<string, ScriptedSource>();
    const app = await startApp(db.database, scripted(sources), 'src-e', 'managed-e');
    apps.push(app);
    const url = await app.getUrl();
    const source = await until('the source to open', () => [...sources.values()][0]);
    source.queue.push({
      cluster: 'managed-e',
      items: [event(1, run)],
      rejected: [],
      skipped: 0,
      checkpoint: 'p',
    });
    await until('the event', async () =>
      (await storedCounts(db.database, 'managed-e')).size === 1 ? true : undefined,
    );

    const ready = (await (await fetch(`${url}/readyz`)).json()) as {
      status: string;
      sources: unknown[];
    };
    expect(ready.status).toBe('ok');
    expect(ready.sources).toEqual([
      // Public: the state, and whether it fails, never the error's text.
      { name: 'src-e', kind: 'gke-pubsub', state: 'leading', failing: false },
    ]);

    const api = (await (await fetch(`${url}/api/v1/sources`)).json()) as Record<string, unknown>[];
    expect(api).toEqual([
      expect.objectContaining({
        name: 'src-e',
        cluster: 'managed-e',
        state: 'leading',
        lastEventAt: event(1, run).stageTimestamp,
        committedAt: expect.stringMatching(/^2\d{3}-/),
      }),
    ]);

    // The cloud keeps refusing (a success or an empty read would clear the error).
    for (let n = 0; n < 100; n++) {
      source.failures.push(new Error('PERMISSION_DENIED: <script>alert(1)</script>'));
    }
    // A success clears the last error: this one comes after the event, and stays.
    await until('the error', () => statusOf(app, 'src-e')?.lastError);
    const page = await (await fetch(`${url}/clusters`)).text();
    expect(page).toContain('data-cluster="managed-e"');
    expect(page).toContain('source src-e');
    expect(page).toContain('data-source="src-e"');
    expect(page).toContain('GKE (Pub/Sub)');
    // The last error is shown, escaped (an error message can quote what a cloud sent).
    expect(page).toContain('PERMISSION_DENIED: &lt;script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    // /readyz (public) says the source fails, not why; the pod stays ready.
    const failing = await fetch(`${url}/readyz`);
    expect(failing.status).toBe(200);
    const text = await failing.text();
    expect(JSON.parse(text).sources).toEqual([
      { name: 'src-e', kind: 'gke-pubsub', state: 'leading', failing: true },
    ]);
    expect(text).not.toContain('PERMISSION_DENIED');
  });

  it('shows people only the sources of clusters they may see', async () => {
    const sources = new Map<string, ScriptedSource>();
    const app = await startApp(
      db.database,
      scripted(sources),
      'src-prod',
      'prod',
      [{ name: 'src-dev', cluster: 'dev' }, { name: 'src-spanning' }],
      {
        API_TOKENS: 'sre-bot:sre-token-0123456789abcdef:sre,dev-bot:dev-token-0123456789abcdef:dev',
        CLUSTER_ACCESS: 'sre:*,dev:dev',
      },
    );
    apps.push(app);
    const url = await app.getUrl();
    const names = async (token: string) => {
      const res = await fetch(`${url}/api/v1/sources`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { name: string }[]).map((s) => s.name).sort();
    };
    expect(await names('sre-token-0123456789abcdef')).toEqual([
      'src-dev',
      'src-prod',
      'src-spanning',
    ]);
    // A source spanning clusters (GKE's default) is for those who see every cluster.
    expect(await names('dev-token-0123456789abcdef')).toEqual(['src-dev']);
    expect((await fetch(`${url}/api/v1/sources`)).status).toBe(401);
  });

  it('backs off after a read error and reads on', async () => {
    const run = randomBytes(3).toString('hex');
    const sources = new Map<string, ScriptedSource>();
    const app = await startApp(db.database, scripted(sources), 'src-c', 'managed-c');
    apps.push(app);
    const source = await until('the source to open', () => [...sources.values()][0]);
    source.failures.push(new Error('ThrottlingException: Rate exceeded'));
    source.queue.push({ cluster: 'managed-c', items: [event(1, run)], rejected: [], skipped: 0 });
    const failed = await until('the read error', () => statusOf(app, 'src-c')?.lastError);
    expect(failed).toMatchObject({
      stage: 'read',
      message: 'Error: ThrottlingException: Rate exceeded',
    });
    await until('the event', async () =>
      (await storedCounts(db.database, 'managed-c')).size === 1 ? true : undefined,
    );
    const metrics = await (await fetch(`${await app.getUrl()}/metrics`)).text();
    expect(metrics).toMatch(/audit_source_errors_total\{source="src-c",stage="read"\} 1/);
  });

  if (backend === 'mariadb') {
    it('is read by one replica at a time; another takes over when the leader stops', async () => {
      const sources = new Map<string, ScriptedSource>();
      const definition = scripted(sources);
      const one = await startApp(db.database, definition, 'src-d', 'managed-d');
      apps.push(one);
      await until('the leader', () =>
        statusOf(one, 'src-d')?.state === 'leading' ? true : undefined,
      );
      const two = await startApp(db.database, definition, 'src-d', 'managed-d');
      apps.push(two);
      await until('the standby', () =>
        statusOf(two, 'src-d')?.state === 'standby' ? true : undefined,
      );
      expect(sources.size).toBe(1);
      await one.close();
      apps.splice(apps.indexOf(one), 1);
      await until(
        'the takeover',
        () => (statusOf(two, 'src-d')?.state === 'leading' ? true : undefined),
        20_000,
      );
      expect(sources.size).toBe(2);
    });
  }
});
