import { DataSource } from 'typeorm';
import { lowestIdAt } from '../../src/audit/event-filters';
import { buildQuarantineRecord } from '../../src/ingest/event-record';
import { EVENT_WRITER, EventWriter } from '../../src/ingest/event-writer.repository';
import { runPurge } from '../../src/retention/purge-command';
import { RetentionService } from '../../src/retention/retention.service';
import {
  backends,
  Backend,
  databaseEnv,
  freshDatabase,
  startTestAppOn,
  TestApp,
  TestDatabase,
} from '../support/test-app';

const DAY = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 30;
/** Ages (days) on both sides of the 30-day cutoff, and far from it so the run's clock cannot tip one. */
const AGES = [400, 90, 31, 29, 2, 0];
/** Enough old events of one age that a run needs several chunks (2000 rows on MariaDB, 200 on SQLite). */
const BULK_OLD = 4123;

type Json = Record<string, unknown>;

function event(cluster: string, ageDays: number, i: number, nowMs: number): Json {
  const at = new Date(nowMs - ageDays * DAY - i * 1000).toISOString().replace('Z', '123Z');
  return {
    level: 'Metadata',
    auditID: `${cluster}-${ageDays}d-${i}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/team/configmaps/keepsake-${ageDays}d`,
    verb: 'get',
    user: { username: 'retention-tester' },
    userAgent: 'kubectl/v1.32.0',
    objectRef: { resource: 'configmaps', namespace: 'team', name: `keepsake-${ageDays}d` },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  };
}

async function post(app: TestApp, cluster: string, items: Json[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', items: items.slice(i, i + 1000) }),
    });
    expect(res.status).toBe(200);
  }
}

async function auditIds(app: TestApp, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const url = `${app.url}/api/v1/events?${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { auditID: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.auditID));
    cursor = page.nextCursor;
  } while (cursor);
  return ids.sort();
}

async function total(app: TestApp, query: string): Promise<number> {
  const res = await fetch(`${app.url}/api/v1/stats?${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { total: number }).total;
}

async function rowCount(app: TestApp, table: string): Promise<number> {
  const [row] = (await app.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`)) as {
    n: number | string;
  }[];
  return Number(row.n);
}

async function metric(app: TestApp, name: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  if (!line) throw new Error(`metric ${name} not exported`);
  return Number(line.split(' ').pop());
}

/** Every event of AGES for both clusters, plus BULK_OLD more at 400 days for alpha. */
function corpus(nowMs: number): Map<string, Json[]> {
  const byCluster = new Map<string, Json[]>();
  for (const cluster of ['alpha', 'beta']) {
    const items = AGES.flatMap((age) => [0, 1, 2].map((i) => event(cluster, age, i, nowMs)));
    byCluster.set(cluster, items);
  }
  const bulk = Array.from({ length: BULK_OLD }, (_, i) => event('alpha', 400, 3 + i, nowMs));
  byCluster.get('alpha')?.push(...bulk);
  return byCluster;
}

function expectedKept(items: Json[], cutoffMs: number): string[] {
  return items
    .filter((item) => Date.parse(String(item.stageTimestamp)) >= cutoffMs)
    .map((item) => String(item.auditID))
    .sort();
}

describe.each(backends())('retention (%s)', (backend: Backend) => {
  let db: TestDatabase;
  let app: TestApp;
  let nowMs: number;
  let items: Map<string, Json[]>;

  beforeAll(async () => {
    db = freshDatabase(backend);
    app = await startTestAppOn(db.database, { RETENTION_DAYS: String(RETENTION_DAYS) });
    nowMs = Date.now();
    items = corpus(nowMs);
    for (const [cluster, list] of items) await post(app, cluster, list);
    const writer = app.app.get<EventWriter>(EVENT_WRITER);
    await writer.write(
      [],
      [45, 1].map((age) =>
        buildQuarantineRecord('alpha', `{"broken ${age}`, 'test', new Date(nowMs - age * DAY)),
      ),
    );
    // Who looked, 45 days and 1 day ago: the reader's trail is kept as long as the events.
    for (const age of [45, 1]) {
      const at = nowMs - age * DAY;
      await app.app
        .get(DataSource)
        .query(
          'INSERT INTO access_log (id, at_ms, username, via, action, target, client_address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [lowestIdAt(at), at, 'retention-reader', 'api-token', 'search', `age=${age}`, '', ''],
        );
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('keeps exactly the events newer than RETENTION_DAYS, in lists, text search, stats and FTS', async () => {
    const cutoff = nowMs - RETENTION_DAYS * DAY;
    const all = [...items.values()].flat();
    const kept = expectedKept(all, cutoff);
    const deletedBefore = await metric(
      app,
      'audit_retention_deleted_events_total{table="events"}',
    ).catch(() => 0);

    const outcome = await app.app.get(RetentionService).runOnce(nowMs);

    expect(outcome).toEqual({
      ran: true,
      result: {
        events: all.length - kept.length,
        quarantine: 1,
        accessLog: 1,
        dryRun: false,
        complete: true,
      },
    });
    const [trail] = (await app.app
      .get(DataSource)
      .query("SELECT target FROM access_log WHERE username = 'retention-reader'")) as {
      target: string;
    }[];
    expect(trail).toEqual({ target: 'age=1' });
    expect(await auditIds(app, 'user=retention-tester')).toEqual(kept);
    expect(await auditIds(app, 'q=keepsake')).toEqual(kept);
    // Each age has its own name: the deleted ones are not found by text either.
    expect(await auditIds(app, 'q=keepsake 400d')).toEqual([]);
    expect(await auditIds(app, 'q=keepsake 29d')).toEqual(
      expectedKept(all, cutoff).filter((id) => id.includes('-29d-')),
    );
    expect(await total(app, `from=${new Date(nowMs - 500 * DAY).toISOString()}`)).toBe(kept.length);
    expect(await rowCount(app, 'audit_quarantine')).toBe(1);
    if (backend === 'sqlite') {
      // Orphaned text rows would not show through the API (it joins the events), so count them.
      expect(await rowCount(app, 'audit_events_fts')).toBe(kept.length);
      expect(await rowCount(app, 'audit_events_fts_ids')).toBe(kept.length);
    }
    expect(await metric(app, 'audit_retention_deleted_events_total{table="events"}')).toBe(
      deletedBefore + all.length - kept.length,
    );
    expect(await metric(app, 'audit_retention_last_run_timestamp_seconds')).toBe(nowMs / 1000);
    const oldestKept = Math.min(
      ...all
        .filter((e) => kept.includes(String(e.auditID)))
        .map((e) => Date.parse(String(e.stageTimestamp))),
    );
    expect(await metric(app, 'audit_retention_oldest_event_timestamp_seconds')).toBe(
      Math.floor(oldestKept) / 1000,
    );

    // A second run finds nothing left to delete.
    const again = await app.app.get(RetentionService).runOnce(nowMs);
    expect(again).toMatchObject({ ran: true, result: { events: 0, quarantine: 0 } });
  });

  it('npm run purge --cluster deletes only that cluster; --dry-run only counts', async () => {
    const before = new Date(nowMs - 1 * DAY).toISOString();
    const env = databaseEnv(db.database);
    const betaItems = items.get('beta') ?? [];
    const alphaBefore = await auditIds(app, 'cluster=alpha');
    // What the first test's run left (newer than 30 days), older than `before`.
    const betaLeft = expectedKept(betaItems, nowMs - RETENTION_DAYS * DAY);
    const betaOld = betaLeft.length - expectedKept(betaItems, Date.parse(before)).length;
    expect(betaOld).toBeGreaterThan(0);

    const dry = capture();
    expect(
      await runPurge(['--before', before, '--cluster', 'beta', '--dry-run'], { ...dry.io, env }),
    ).toBe(0);
    expect(dry.stdout()).toBe(
      `Would delete ${betaOld} events and 0 quarantined items stamped before ${before} in cluster beta (--dry-run: nothing deleted).\n`,
    );
    expect(await auditIds(app, 'cluster=beta')).toEqual(betaLeft);

    const real = capture();
    expect(await runPurge(['--before', before, '--cluster', 'beta'], { ...real.io, env })).toBe(0);
    expect(real.stdout()).toBe(
      `Deleted ${betaOld} events and 0 quarantined items stamped before ${before} in cluster beta.\n`,
    );
    expect(await auditIds(app, 'cluster=beta')).toEqual(
      expectedKept(betaItems, Date.parse(before)),
    );
    expect(await auditIds(app, 'cluster=alpha')).toEqual(alphaBefore);
  });

  it('refuses a bad --before with a message and exit status 2', async () => {
    const out = capture();
    expect(await runPurge(['--before', 'last tuesday'], out.io)).toBe(2);
    expect(out.stderr()).toMatch(/^purge: --before "last tuesday" is not a date: use 2025-01-31/);
    const future = capture();
    expect(await runPurge(['--before', '2999-01-01'], future.io)).toBe(2);
    expect(future.stderr()).toMatch(/is in the future/);
  });
});

describe.each(backends())('retention runs one at a time (%s)', (backend: Backend) => {
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = freshDatabase(backend);
    apps.push(await startTestAppOn(db.database, { RETENTION_DAYS: String(RETENTION_DAYS) }));
    // A second replica on the same database (MariaDB); SQLite has one process per file.
    if (backend === 'mariadb') {
      apps.push(await startTestAppOn(db.database, { RETENTION_DAYS: String(RETENTION_DAYS) }));
    }
    const nowMs = Date.now();
    await post(apps[0], 'alpha', corpus(nowMs).get('alpha') ?? []);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('two runs started together: one deletes, the other skips its turn', async () => {
    const services = apps.map((app) => app.app.get(RetentionService));
    const runners = services.length > 1 ? services : [services[0], services[0]];
    const outcomes = await Promise.all(runners.map((service) => service.runOnce()));
    const ran = outcomes.filter((outcome) => outcome?.ran);
    expect(ran).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome && !outcome.ran)).toEqual([
      { ran: false, reason: 'another purge is running' },
    ]);
    expect(ran[0]).toMatchObject({ result: { events: BULK_OLD + 3 * 3 } });
  });
});

describe.each(backends())('RETENTION_DAYS=0 (%s)', (backend: Backend) => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = freshDatabase(backend);
    app = await startTestAppOn(db.database, { RETENTION_DAYS: '0' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('deletes nothing, however old', async () => {
    const old = [event('alpha', 20_000, 0, Date.now()), event('alpha', 400, 1, Date.now())];
    await post(app, 'alpha', old);
    expect(await app.app.get(RetentionService).runOnce()).toBeUndefined();
    expect(await auditIds(app, 'cluster=alpha')).toHaveLength(2);
  });
});

function capture() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    },
    stdout: () => out,
    stderr: () => err,
  };
}

describe.each(backends())('ingest during a retention run (%s)', (backend: Backend) => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = freshDatabase(backend);
    app = await startTestAppOn(db.database, { RETENTION_DAYS: String(RETENTION_DAYS) });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('keeps storing batches while old events are deleted in chunks', async () => {
    const nowMs = Date.now();
    const old = Array.from({ length: BULK_OLD }, (_, i) => event('alpha', 400, i, nowMs));
    await post(app, 'alpha', old);

    let running = true;
    const run = app.app
      .get(RetentionService)
      .runOnce(nowMs)
      .finally(() => (running = false));
    const fresh: Json[] = [];
    let answeredDuringRun = 0;
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 20 }, (_, i) =>
        event('alpha', 0, 10_000 + b * 20 + i, nowMs),
      );
      await post(app, 'alpha', batch);
      if (running) answeredDuringRun++;
      fresh.push(...batch);
    }
    const outcome = await run;

    expect(answeredDuringRun).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ ran: true, result: { events: BULK_OLD, complete: true } });
    expect(await auditIds(app, 'cluster=alpha')).toEqual(
      fresh.map((e) => String(e.auditID)).sort(),
    );
  });
});
