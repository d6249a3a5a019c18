import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../../support/server-child';
import { freshDatabase, startTestAppOn } from '../../support/test-app';
import {
  auditEvent,
  dataSourceOf,
  detections,
  detectorStarted,
  eventually,
  post,
  sleep,
  TEST_RULES_ENV,
} from './helpers';

jest.setTimeout(60_000);

describe('detector startup (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rules-startup-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    removeCompiledServer();
  });

  it('a rules file that does not load stops startup, naming the file, the line and RULES_FILES', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      '- rule: Broken\n  desc: d\n  condition: ka.verb in (get\n  output: o\n  priority: WARNING\n  source: k8s_audit\n',
    );
    // Nest exits the process when a provider fails at startup: run the real server as a child.
    const server = new ServerChild(await freeLoopbackPort(), {
      DB_PATH: join(dir, 'audit.db'),
      RULES_DEFAULT: 'false',
      RULES_FILES: broken,
    });
    await expect(server.start(60_000)).rejects.toThrow(
      /exited during startup[\s\S]*broken\.yaml.*line \d+.*RULES_FILES/,
    );
  });

  it('DETECTIONS=false: nothing is evaluated; the store order is skipped, so the SQLite feed stays empty and turning detections on starts at the present', async () => {
    const db = freshDatabase('sqlite');
    const deleteAt = (name: string) =>
      auditEvent({ verb: 'delete', resource: 'configmaps', name, atMs: Date.now() });
    try {
      let app = await startTestAppOn(db.database, { ...TEST_RULES_ENV, DETECTIONS: 'false' });
      try {
        await post(app.url, 'off', [deleteAt('while-off-1')]);
        await sleep(1500);
        expect(await detections(dataSourceOf(app))).toEqual([]);
      } finally {
        await app.close();
      }
      // Still off after a restart: the skip at startup moves the checkpoint past that event and
      // empties the feed the trigger filled.
      app = await startTestAppOn(db.database, { ...TEST_RULES_ENV, DETECTIONS: 'false' });
      try {
        const ds = dataSourceOf(app);
        await eventually(async () => {
          const feed = (await ds.query('SELECT COUNT(*) AS n FROM detection_feed')) as {
            n: number;
          }[];
          expect(Number(feed[0].n)).toBe(0);
        });
        const checkpoint = (await ds.query(
          "SELECT value FROM audit_settings WHERE name = 'detection_checkpoint'",
        )) as { value: string }[];
        expect(Number(checkpoint[0]?.value)).toBeGreaterThan(0);
        await post(app.url, 'off', [deleteAt('while-off-2')]);
        expect(await detections(ds)).toEqual([]);
      } finally {
        await app.close();
      }
      // On again: what was stored while off stays unevaluated (the backfill's job, not a
      // surprise backlog); what is stored from now on is evaluated.
      app = await startTestAppOn(db.database, TEST_RULES_ENV);
      try {
        const ds = dataSourceOf(app);
        await detectorStarted(ds);
        await post(app.url, 'off', [deleteAt('after-on')]);
        const found = await eventually(async () => {
          const rows = await detections(ds);
          expect(rows.length).toBeGreaterThan(0);
          return rows;
        });
        await sleep(1500);
        const names = (await ds.query(
          'SELECT e.name FROM detections d JOIN audit_events e ON e.id = d.event_id',
        )) as { name: string }[];
        expect(new Set(names.map((r) => r.name))).toEqual(new Set(['after-on']));
        expect(found.length).toBeGreaterThan(0);
      } finally {
        await app.close();
      }
    } finally {
      await db.drop();
    }
  });
});
