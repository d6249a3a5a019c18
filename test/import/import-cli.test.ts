import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../../src/cli/import';
import { ImportIo, openAppDirectSink } from '../../src/import/import-command';
import { startTestApp } from '../support/test-app';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const CORPUS = join(ROOT, 'test', 'fixtures', 'corpus');
const DEMO_LOG = join(CORPUS, 'liggitt-audit2rbac', 'demo.log');
const AKS = join(CORPUS, 'sysdiglabs-aks-audit-log', 'event.json');

/** Every corpus file; SOURCES.md gives 150 events, plus the malformed {"kind": 0}. */
function corpusFiles(): string[] {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(CORPUS, d.name)).map((f) => join(CORPUS, d.name, f)))
    .sort();
}

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { kind: string; apiVersion: string; items: Array<Record<string, unknown>> };
}

type Reply = (req: Recorded, res: ServerResponse) => void;

const ok: Reply = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ accepted: req.body.items.length, duplicates: 0, rejected: 0 }));
};

/** A tiny webhook stand-in: records every POST and answers from a queue (then 200 with counts). */
class FakeWebhook {
  readonly requests: Recorded[] = [];
  readonly replies: Reply[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec: Recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Recorded['body'],
        };
        this.requests.push(rec);
        (this.replies.shift() ?? ok)(rec, res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function capture(extra: Partial<ImportIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const io: ImportIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    ...extra,
  };
  return { io, out: () => out.join(''), err: () => err.join(''), sleeps };
}

function count(summary: string, label: string): number {
  const m = new RegExp(`^  ${label}: +(\\d+)`, 'm').exec(summary);
  if (!m) throw new Error(`no "${label}" in summary:\n${summary}`);
  return Number(m[1]);
}

describe('import CLI, URL mode, against a recording webhook', () => {
  let hook: FakeWebhook;
  beforeEach(async () => {
    hook = new FakeWebhook();
    await hook.start();
  });
  afterEach(() => hook.stop());

  it('POSTs EventLists of --batch events to /webhook/audit/<cluster> with the bearer token', async () => {
    const c = capture();
    const code = await runImport(
      [
        DEMO_LOG,
        AKS,
        '--cluster',
        'prod-eu',
        '--url',
        `${hook.url}/`,
        '--token',
        's3cret',
        '--batch',
        '10',
      ],
      c.io,
    );
    expect(c.err()).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    // 37 + 22 events, batches cross the file boundary.
    expect(hook.requests.map((r) => r.body.items.length)).toEqual([10, 10, 10, 10, 10, 9]);
    for (const r of hook.requests) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/webhook/audit/prod-eu');
      expect(r.headers.authorization).toBe('Bearer s3cret');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.body.kind).toBe('EventList');
      expect(r.body.apiVersion).toBe('audit.k8s.io/v1');
    }
    const ids = hook.requests.flatMap((r) => r.body.items.map((i) => i.auditID));
    expect(ids).toHaveLength(59);
    // AKS events arrive unwrapped from properties.log.
    expect(hook.requests[5].body.items[8]).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
    });
    const summary = c.out();
    expect(count(summary, 'files')).toBe(2);
    expect(count(summary, 'events read')).toBe(59);
    expect(count(summary, 'accepted')).toBe(59);
    expect(count(summary, 'duplicates')).toBe(0);
    expect(count(summary, 'rejected')).toBe(0);
    expect(count(summary, 'unreadable')).toBe(0);
  });

  it('sends the whole corpus: 151 items, the malformed {"kind":0} among them for the server to reject', async () => {
    hook.replies.push((req, res) => {
      const rejected = req.body.items.filter((i) => typeof i.auditID !== 'string').length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ accepted: req.body.items.length - rejected, duplicates: 0, rejected }),
      );
    });
    const c = capture();
    expect(await runImport([...corpusFiles(), '--cluster', 'dev', '--url', hook.url], c.io)).toBe(
      0,
    );
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0].body.items).toHaveLength(151);
    expect(count(c.out(), 'events read')).toBe(151);
    expect(count(c.out(), 'accepted')).toBe(150);
    expect(count(c.out(), 'rejected')).toBe(1);
  });

  it('retries a 503 (with Retry-After) and then succeeds, sending nothing twice', async () => {
    hook.replies.push((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(
        JSON.stringify({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'database unavailable; retry later',
        }),
      );
    });
    const c = capture();
    expect(
      await runImport([DEMO_LOG, '--cluster', 'dev', '--url', hook.url, '--batch', '400'], c.io),
    ).toBe(0);
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1].body).toEqual(hook.requests[0].body);
    expect(c.sleeps).toEqual([5000]);
    expect(c.err()).toMatch(
      /HTTP 503 Service Unavailable: database unavailable; retry later.*; retry 1 in 5\.0 s/,
    );
    expect(count(c.out(), 'accepted')).toBe(37);
  });

  it('fails on 401 with the server message and exit code 1', async () => {
    hook.replies.push((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'invalid bearer token' }),
      );
    });
    const c = capture();
    const code = await runImport(
      [DEMO_LOG, '--cluster', 'dev', '--url', hook.url, '--token', 'wrong', '--batch', '10'],
      c.io,
    );
    expect(code).toBe(1);
    expect(hook.requests).toHaveLength(1);
    expect(c.sleeps).toEqual([]);
    expect(c.err()).toMatch(
      /import: FAILED: server refused the import: HTTP 401 Unauthorized: invalid bearer token/,
    );
    expect(count(c.out(), 'events read')).toBe(10);
    expect(count(c.out(), 'accepted')).toBe(0);
  });

  it('gives up on a server that stays unreachable', async () => {
    await hook.stop();
    const c = capture();
    const code = await runImport([DEMO_LOG, '--cluster', 'dev', '--url', hook.url], c.io);
    await hook.start(); // for afterEach
    expect(code).toBe(1);
    expect(c.sleeps).toHaveLength(7);
    expect(c.err()).toMatch(/stayed unavailable after 8 attempts: fetch failed \(ECONNREFUSED\)/);
  });

  it('runs as a program: usage error exits 2, a real import exits 0', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/cli/import.ts', ...args],
          {
            cwd: ROOT,
            env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json' },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const bad = await run([DEMO_LOG, '--cluster', 'Bad_Name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --cluster "Bad_Name"/);
    const good = await run([DEMO_LOG, '--cluster', 'dev', '--url', hook.url, '--token', 't']);
    expect(good.stderr).not.toMatch(/FAILED/);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/accepted: +37/);
    expect(hook.requests).toHaveLength(1);
  });
});

describe('import CLI against the real application (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-e2e-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('direct mode: imports the corpus, and a re-import stores nothing twice', async () => {
    const env = { DB_PATH: join(dir, 'x.db') };
    const io = () => capture({ openDirectSink: (cluster) => openAppDirectSink(cluster, env) });
    const first = io();
    expect(await runImport([...corpusFiles(), '--cluster', 'dev'], first.io)).toBe(0);
    expect(count(first.out(), 'events read')).toBe(151);
    expect(count(first.out(), 'accepted')).toBe(150);
    expect(count(first.out(), 'rejected')).toBe(1);
    expect(first.out()).toContain('-> the database (direct mode)');

    const again = io();
    expect(await runImport([...corpusFiles(), '--cluster', 'dev'], again.io)).toBe(0);
    expect(count(again.out(), 'accepted')).toBe(0);
    expect(count(again.out(), 'duplicates')).toBe(150);
  });

  it('URL mode: the real webhook takes the import, checks the token, and de-duplicates', async () => {
    const app = await startTestApp('sqlite', { WEBHOOK_TOKEN: 'real-token' });
    try {
      const first = capture();
      expect(
        await runImport(
          [
            DEMO_LOG,
            AKS,
            '--cluster',
            'staging',
            '--url',
            app.url,
            '--token',
            'real-token',
            '--batch',
            '25',
          ],
          first.io,
        ),
      ).toBe(0);
      expect(count(first.out(), 'accepted')).toBe(59);

      const again = capture();
      expect(
        await runImport(
          [DEMO_LOG, '--cluster', 'staging', '--url', app.url, '--token', 'real-token'],
          again.io,
        ),
      ).toBe(0);
      expect(count(again.out(), 'duplicates')).toBe(37);

      const denied = capture();
      expect(
        await runImport(
          [DEMO_LOG, '--cluster', 'staging', '--url', app.url, '--token', 'nope'],
          denied.io,
        ),
      ).toBe(1);
      expect(denied.err()).toMatch(/HTTP 401.*invalid bearer token/);
    } finally {
      await app.close();
    }
  });

  it('direct mode: a file of unreadable lines only exits 1 and stores nothing', async () => {
    const f = join(dir, 'junk.log');
    writeFileSync(f, 'hello\nworld\n');
    const c = capture({
      openDirectSink: (cluster) => openAppDirectSink(cluster, { DB_PATH: join(dir, 'y.db') }),
    });
    expect(await runImport([f, '--cluster', 'dev'], c.io)).toBe(1);
    expect(c.out()).toMatch(/junk\.log:1: invalid JSON/);
  });
});
