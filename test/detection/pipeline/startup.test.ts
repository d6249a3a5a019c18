import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../../support/server-child';
import { startTestApp } from '../../support/test-app';
import { auditEvent, dataSourceOf, detections, post, sleep, TEST_RULES_ENV } from './helpers';

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

  it('DETECTIONS=false: nothing runs, nothing is stored', async () => {
    const app = await startTestApp('sqlite', { ...TEST_RULES_ENV, DETECTIONS: 'false' });
    try {
      await post(app.url, 'off', [
        auditEvent({ verb: 'delete', resource: 'configmaps', name: 'x', atMs: Date.now() }),
      ]);
      await sleep(1500);
      expect(await detections(dataSourceOf(app))).toEqual([]);
      const checkpoint = (await dataSourceOf(app).query(
        "SELECT value FROM audit_settings WHERE name = 'detection_checkpoint'",
      )) as unknown[];
      expect(checkpoint).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
