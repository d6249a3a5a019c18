import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../../support/server-child';
import { backends, databaseEnv, freshDatabase, type TestDatabase } from '../../support/test-app';
import {
  auditEvent,
  detectionIntegrity,
  eventually,
  post,
  queryDatabase,
  sleep,
  TEST_RULES_ENV,
} from './helpers';

jest.setTimeout(240_000);

afterAll(() => removeCompiledServer());

const RULE = 'Test ConfigMap Deleted';
const T0 = Date.parse('2026-11-29T00:00:00Z');

/** `count` ConfigMap deletes (10 objects, so 10 groups) of one run, 1 s apart from `fromMs`. */
function deletes(run: string, count: number, fromMs: number) {
  return Array.from({ length: count }, (_, i) =>
    auditEvent({
      verb: 'delete',
      resource: 'configmaps',
      name: `cm-${run}-${i % 10}`,
      user: 'restart-user',
      atMs: fromMs + i * 1000,
    }),
  );
}

describe.each(backends())('detector across kill -9 and restart (%s)', (backend) => {
  let db: TestDatabase;
  let server: ServerChild;

  beforeAll(async () => {
    db = freshDatabase(backend);
    server = new ServerChild(await freeLoopbackPort(), {
      ...databaseEnv(db.database),
      ...TEST_RULES_ENV,
      RETENTION_DAYS: '0',
    });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('evaluates every matching event exactly once, including a late one posted after newer events', async () => {
    await eventually(async () => {
      const rows = await queryDatabase(
        db.database,
        "SELECT value FROM audit_settings WHERE name = 'detection_checkpoint'",
      );
      expect(rows).toHaveLength(1);
    }, 30_000);

    // First life: batches in parallel, killed as soon as they are acknowledged (the detector is
    // somewhere in them, or has not started them).
    const first = deletes('a', 1200, T0);
    await Promise.all(
      Array.from({ length: 6 }, (_, b) =>
        post(server.url, 'restart', first.slice(b * 200, (b + 1) * 200)),
      ),
    );
    await server.kill();
    const [before] = await queryDatabase(
      db.database,
      'SELECT COUNT(*) AS n FROM detections WHERE rule = ?',
      [RULE],
    );
    process.stdout.write(
      `${backend}: ${Number(before.n)} of 1200 detections stored when the server was killed\n`,
    );

    await server.start();
    // Second life: newer events, then one stamped a day before everything else.
    await post(server.url, 'restart', deletes('b', 100, T0 + 3_600_000));
    await post(server.url, 'restart', [
      auditEvent({
        verb: 'delete',
        resource: 'configmaps',
        name: 'late-object',
        user: 'restart-user',
        atMs: T0 - 86_400_000,
      }),
    ]);
    const expected = 1200 + 100 + 1;
    const counts = await eventually(async () => {
      const c = await detectionIntegrity(db.database, RULE);
      expect(c.detections).toBe(expected);
      return c;
    }, 60_000);
    // Give a re-evaluation (checkpoint behind the settling bound) the time to store a duplicate.
    await sleep(2500);
    const settled = await detectionIntegrity(db.database, RULE);
    expect(settled).toEqual(counts);
    expect(settled.events).toBe(expected);
    // 10 objects per run and the late one: one alert each, every other detection repeats one.
    expect(settled.alerts).toBe(21);
    expect(settled.repeats).toBe(expected - 21);
    expect(settled.orphans).toBe(0);
    const [late] = await queryDatabase(
      db.database,
      "SELECT COUNT(*) AS n FROM detections WHERE output LIKE '%late-object%'",
    );
    expect(Number(late.n)).toBe(1);
  });
});
