/**
 * Issue 11, part 1: the managed clusters' exports (test/fixtures/managed, SOURCES.md there) are
 * recognised by their content, per file and as a directory tree, and import with nothing
 * quarantined, through the real CLI and the real application's webhook.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../../src/cli/import';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { AuditFileItem, readAuditFile } from '../../src/import/audit-file-reader';
import { ImportIo } from '../../src/import/import-command';
import { startTestApp } from '../support/test-app';
import { tokenClient } from '../support/token-client';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const MANAGED = join(ROOT, 'test', 'fixtures', 'managed');
const AKS_BLOB = join(
  MANAGED,
  'aks/insights-logs-kube-audit/resourceId=/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-PROD/y=2026/m=11/d=30/h=10/m=00/PT1H.json',
);
const S3_EXPORT = join(
  MANAGED,
  'eks/s3-export/exportedlogs/0f1e2d3c-task/kube-apiserver-audit-6a1b2c3d4e5f60718293a4b5c6d7e8f9/000000.gz',
);

/** Fixture -> [format, events, skipped records of other logs]. */
const FIXTURES: Array<[string, string, number, number]> = [
  [join(MANAGED, 'gke/k8s-audit.jsonl'), 'gke-cloud-logging', 8, 1],
  [join(MANAGED, 'gke/gcloud-logging-read.json'), 'gke-cloud-logging', 4, 0],
  [join(MANAGED, 'eks/filter-log-events.json'), 'cloudwatch-logs', 4, 1],
  [join(MANAGED, 'eks/get-log-events.json'), 'cloudwatch-logs', 2, 0],
  [S3_EXPORT, 'cloudwatch-s3-export', 5, 0],
  [AKS_BLOB, 'aks-diagnostics', 5, 0],
];
const TOTAL = FIXTURES.reduce((n, f) => n + f[2], 0);

function capture(extra: Partial<ImportIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ImportIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    sleep: async () => undefined,
    ...extra,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

function count(summary: string, label: string): number {
  const m = new RegExp(`^  ${label}: +(\\d+)`, 'm').exec(summary);
  if (!m) throw new Error(`no "${label}" in summary:\n${summary}`);
  return Number(m[1]);
}

async function events(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const item of readAuditFile(path)) {
    if (item.kind !== 'event')
      throw new Error(`${path}: ${(item as AuditFileItem & { reason: string }).reason}`);
    out.push(item.raw as Record<string, unknown>);
  }
  return out;
}

describe('managed fixtures, read', () => {
  it('SOURCES.md lists every fixture', () => {
    const md = readFileSync(join(MANAGED, 'SOURCES.md'), 'utf8');
    for (const [f] of FIXTURES) expect(md).toContain(f.slice(MANAGED.length + 1).split('/')[0]);
  });

  it.each(FIXTURES)('%s: every event round-trips through normalizeEvent', async (f, _fmt, n) => {
    const evs = await events(f);
    expect(evs).toHaveLength(n);
    for (const e of evs) {
      const r = normalizeEvent(e);
      if (!r.ok) throw new Error(`${f}: ${r.reason}`);
      // Normalising the typed event again gives the same event.
      const again = normalizeEvent(JSON.parse(JSON.stringify(r.event)));
      expect(again.ok && again.event).toEqual(r.event);
    }
  });

  it('GKE exec becomes create pods/exec with the real request URI, and says what GKE did not carry', async () => {
    const [exec] = await events(join(MANAGED, 'gke/k8s-audit.jsonl'));
    expect(exec).toMatchObject({
      verb: 'create',
      requestURI: '/api/v1/namespaces/shop/pods/web-7d4b9c8f6-x2k9q/exec',
      objectRef: {
        resource: 'pods',
        subresource: 'exec',
        namespace: 'shop',
        name: 'web-7d4b9c8f6-x2k9q',
      },
      user: { username: 'alice@example.com' },
    });
    const a = exec.annotations as Record<string, string>;
    expect(a['k8s-audit-webhook/converted-from']).toBe('gke-cloud-logging');
    expect(a['k8s-audit-webhook/missing'].split(',')).toEqual(
      expect.arrayContaining(['user.groups', 'exec-command', 'stage-timing']),
    );
  });

  it('the gcloud array and the JSON lines of the same kind of entry convert alike', async () => {
    const [lines, array] = await Promise.all([
      events(join(MANAGED, 'gke/k8s-audit.jsonl')),
      events(join(MANAGED, 'gke/gcloud-logging-read.json')),
    ]);
    const shape = (e: Record<string, unknown>) => [e.verb, e.requestURI, e.objectRef];
    // gcloud prints newest first.
    expect(array.map(shape).reverse()).toEqual(lines.slice(0, 4).map(shape));
  });
});

describe('import CLI over the managed fixtures, against the real application (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'managed-import-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports the directory tree: each file recognised, nothing quarantined, a re-import stores nothing twice', async () => {
    const app = await startTestApp('sqlite', {
      WEBHOOK_TOKEN: 'hook-token',
      API_TOKENS: 'reader:reader-token-0123456789abcdef',
    });
    try {
      const first = capture();
      const args = [MANAGED, '--cluster', 'managed', '--url', app.url, '--token', 'hook-token'];
      expect(await runImport(args, first.io)).toBe(0);
      const out = first.out();
      expect(count(out, 'files')).toBe(FIXTURES.length + 1); // + SOURCES.md
      expect(count(out, 'events read')).toBe(TOTAL);
      expect(count(out, 'accepted')).toBe(TOTAL);
      expect(count(out, 'rejected')).toBe(0);
      expect(count(out, 'skipped records')).toBe(2);
      for (const [f, format, n] of FIXTURES) {
        expect(out).toContain(`    ${f}: ${format}, ${n} event${n === 1 ? '' : 's'}, 0 invalid`);
      }
      expect(out).toMatch(/ {4}\S*SOURCES\.md: not recognised as an audit log/);

      const again = capture();
      expect(await runImport(args, again.io)).toBe(0);
      expect(count(again.out(), 'duplicates')).toBe(TOTAL);
      expect(count(again.out(), 'rejected')).toBe(0);

      const reader = tokenClient(app, 'reader-token-0123456789abcdef');
      const stored = await reader.all<Record<string, unknown>>('/api/v1/events', {
        cluster: 'managed',
      });
      expect(stored).toHaveLength(TOTAL);
      const text = JSON.stringify(stored);
      expect(text).toContain('/api/v1/namespaces/shop/pods/web-7d4b9c8f6-x2k9q/exec');
      expect(text).toContain('/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin');
    } finally {
      await app.close();
    }
  });

  it('runs as a program: an unrecognised file is named, with the reason', async () => {
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'not an audit log\n');
    const child = spawn(
      process.execPath,
      [
        require.resolve('ts-node/dist/bin'),
        '--transpile-only',
        'src/cli/import.ts',
        junk,
        join(MANAGED, 'gke'),
        '--cluster',
        'dev',
        '--dry-run',
      ],
      { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json' } },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain(`${junk}: not recognised as an audit log (1 unreadable line)`);
    expect(stdout).toContain(
      `${join(MANAGED, 'gke', 'k8s-audit.jsonl')}: gke-cloud-logging, 8 events, 0 invalid`,
    );
    expect(count(stdout, 'events read')).toBe(12);
  });
});
