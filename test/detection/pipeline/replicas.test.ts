import { mariadbAvailable } from '../../support/mariadb';
import {
  freshDatabase,
  startTestAppOn,
  type TestApp,
  type TestDatabase,
} from '../../support/test-app';
import {
  auditEvent,
  dataSourceOf,
  detectionIntegrity,
  detectorStarted,
  eventually,
  post,
  TEST_RULES_ENV,
} from './helpers';

jest.setTimeout(120_000);

const RULE = 'Test ConfigMap Deleted';
const T0 = Date.parse('2026-11-28T00:00:00Z');

async function evaluatedBy(app: TestApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const match = /^audit_detection_events_evaluated_total (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

const describeMaria = mariadbAvailable() ? describe : describe.skip;

describeMaria('two replicas on one MariaDB database', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = freshDatabase('mariadb');
    a = await startTestAppOn(db.database, TEST_RULES_ENV);
    b = await startTestAppOn(db.database, TEST_RULES_ENV);
    await detectorStarted(dataSourceOf(a));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('one replica runs the detector, no event is detected twice, and the other takes over when it stops', async () => {
    const batch = (run: string, n: number, offset: number) =>
      Array.from({ length: n }, (_, i) =>
        auditEvent({
          verb: 'delete',
          resource: 'configmaps',
          name: `cm-${run}-${i % 5}`,
          user: 'replica-user',
          atMs: T0 + offset + i * 1000,
        }),
      );
    await Promise.all([
      post(a.url, 'replicas', batch('a', 200, 0)),
      post(b.url, 'replicas', batch('b', 200, 0)),
      post(a.url, 'replicas', batch('c', 200, 0)),
      post(b.url, 'replicas', batch('d', 200, 0)),
    ]);
    await eventually(async () => {
      expect((await detectionIntegrity(db.database, RULE)).detections).toBe(800);
    });
    const [byA, byB] = [await evaluatedBy(a), await evaluatedBy(b)];
    expect([byA, byB].filter((n) => n > 0)).toHaveLength(1);
    const leader = byA > 0 ? a : b;
    const follower = leader === a ? b : a;

    // The leader stops: its lock goes with its connection; the other takes it within the retry
    // interval and resumes from the checkpoint (re-reading up to the settling bound stores nothing twice).
    await leader.close();
    await post(follower.url, 'replicas', batch('e', 100, 3_600_000));
    const counts = await eventually(async () => {
      const c = await detectionIntegrity(db.database, RULE);
      expect(c.detections).toBe(900);
      return c;
    }, 30_000);
    expect(counts.events).toBe(900);
    expect(counts.alerts).toBe(25);
    expect(counts.repeats).toBe(875);
    expect(counts.orphans).toBe(0);
    expect(await evaluatedBy(follower)).toBeGreaterThan(0);
    if (leader === a) a = undefined as unknown as TestApp;
    else b = undefined as unknown as TestApp;
  });
});
