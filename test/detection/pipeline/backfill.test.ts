import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runDetect } from '../../../src/detection/detect-command';
import {
  backends,
  databaseEnv,
  freshDatabase,
  startTestAppOn,
  type TestDatabase,
} from '../../support/test-app';
import { auditEvent, detectionIntegrity, post, TEST_RULES_ENV } from './helpers';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..', '..');
const RULE = 'Test ConfigMap Deleted';

function capture() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    },
    out: () => out,
    err: () => err,
  };
}

describe.each(backends())('npm run detect over stored history (%s)', (backend) => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const day = 86_400_000;
  const base = Date.now() - 2 * day;

  beforeAll(async () => {
    db = freshDatabase(backend);
    env = { ...databaseEnv(db.database), ...TEST_RULES_ENV, RETENTION_DAYS: '0' };
    // History stored while detections were off.
    const app = await startTestAppOn(db.database, { ...TEST_RULES_ENV, DETECTIONS: 'false' });
    const events = [
      ...Array.from({ length: 30 }, (_, i) =>
        auditEvent({
          verb: 'delete',
          resource: 'configmaps',
          name: 'cm',
          user: 'old',
          atMs: base + i * 1000,
        }),
      ),
      ...Array.from({ length: 7 }, (_, i) =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          name: `s${i}`,
          user: 'old',
          atMs: base + i * 1000,
        }),
      ),
      // Outside --since 7d.
      auditEvent({
        verb: 'delete',
        resource: 'configmaps',
        name: 'ancient',
        atMs: base - 30 * day,
      }),
    ];
    await post(app.url, 'history', events);
    await app.close();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('--dry-run counts matches and stores nothing', async () => {
    const c = capture();
    expect(await runDetect(['--since', '7d', '--dry-run'], { ...c.io, env })).toBe(0);
    expect(c.out()).toMatch(/37 events evaluated/);
    expect(c.out()).toMatch(/Test ConfigMap Deleted: 30 matched/);
    expect(c.out()).toMatch(/Test Secret Burst: 7 matched/);
    expect((await detectionIntegrity(db.database, RULE)).detections).toBe(0);
  });

  it('stores detections with grouping and windows, and a second run stores nothing new', async () => {
    const first = capture();
    expect(await runDetect(['--since', '7d'], { ...first.io, env })).toBe(0);
    expect(first.out()).toMatch(
      /Test ConfigMap Deleted: 30 matched, 30 new detections, 1 new alerts/,
    );
    // The burst's threshold is 5 distinct Secrets: the 5th raises the alert, 6th and 7th repeat it.
    expect(first.out()).toMatch(/Test Secret Burst: 7 matched, 3 new detections, 1 new alerts/);
    expect(await detectionIntegrity(db.database, RULE)).toEqual({
      detections: 30,
      events: 30,
      alerts: 1,
      repeats: 29,
      orphans: 0,
    });

    const again = capture();
    expect(await runDetect(['--since', '7d'], { ...again.io, env })).toBe(0);
    expect(again.out()).toMatch(
      /Test ConfigMap Deleted: 30 matched, 0 new detections, 0 new alerts/,
    );
    expect(again.out()).toMatch(/Test Secret Burst: 7 matched, 0 new detections, 0 new alerts/);
    expect((await detectionIntegrity(db.database, RULE)).detections).toBe(30);
  });

  it('--since 60d --rule reaches the old event; bad arguments exit 2', async () => {
    const c = capture();
    expect(
      await runDetect(['--since', '60d', '--rule', RULE, '--cluster', 'history'], { ...c.io, env }),
    ).toBe(0);
    expect(c.out()).toMatch(/Test ConfigMap Deleted: 31 matched, 1 new detections, 1 new alerts/);
    expect(c.out()).not.toMatch(/Secret Burst/);

    const unknown = capture();
    expect(
      await runDetect(['--since', '7d', '--rule', 'No Such Rule'], { ...unknown.io, env }),
    ).toBe(1);
    expect(unknown.err()).toMatch(/no loaded rule is named "No Such Rule"/);
    const bad = capture();
    expect(await runDetect(['--since', 'last week'], { ...bad.io, env })).toBe(2);
    expect(bad.err()).toMatch(/--since "last week" is neither a duration/);
  });

  it('runs as a program', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = spawn(
          process.execPath,
          [
            require.resolve('ts-node/dist/bin'),
            '--transpile-only',
            'src/cli/detect.ts',
            '--since',
            '7d',
          ],
          {
            cwd: ROOT,
            env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.json', ...env },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(result.stderr).toMatch(/detect: evaluating events stamped/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Test ConfigMap Deleted: 30 matched, 0 new detections/);
  });
});
