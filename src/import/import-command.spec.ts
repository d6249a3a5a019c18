import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportIo, MAX_LISTED_ERRORS, parseImportArgs, runImport } from './import-command';
import { Progress } from './progress';
import { Sink, SendResult } from './sinks';

let dir: string;
let good: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'import-cmd-'));
  good = join(dir, 'good.log');
  const ev = (i: number) => JSON.stringify({ auditID: `id-${i}`, stage: 'ResponseComplete' });
  writeFileSync(good, [ev(1), 'garbage', ev(2), ev(3), ''].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(extra: Partial<ImportIo> = {}) {
  let out = '';
  let err = '';
  const io: ImportIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    ...extra,
  };
  return { io, out: () => out, err: () => err };
}

class MemorySink implements Sink {
  readonly target = 'memory';
  batches: unknown[][] = [];
  closed = false;
  constructor(private readonly fail?: Error) {}
  async send(events: unknown[]): Promise<SendResult> {
    if (this.fail) throw this.fail;
    this.batches.push(events);
    return { accepted: events.length, duplicates: 0, rejected: 0, unconfirmed: 0 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('parseImportArgs', () => {
  const ok = async (argv: string[]) => {
    const r = await parseImportArgs(argv);
    if (r.kind !== 'ok') throw new Error(JSON.stringify(r));
    return r.args;
  };
  const problem = async (argv: string[]) => {
    const r = await parseImportArgs(argv);
    if (r.kind !== 'error') throw new Error(JSON.stringify(r));
    return r.problem;
  };

  it('parses files, cluster, url, token and batch in any order', async () => {
    expect(
      await ok([
        'a.log',
        '--cluster',
        'prod-1',
        'b.json',
        '--url',
        'https://x:8443',
        '--token',
        'T',
        '--batch',
        '50',
      ]),
    ).toEqual({
      files: ['a.log', 'b.json'],
      cluster: 'prod-1',
      url: 'https://x:8443',
      token: 'T',
      batch: 50,
      dryRun: false,
    });
    expect(await ok(['a.log', '--cluster=dev'])).toMatchObject({
      batch: 400,
      url: undefined,
      token: undefined,
    });
  });

  it('names the problem', async () => {
    expect(await problem(['a.log'])).toBe('missing --cluster NAME');
    expect(await problem(['a.log', '--cluster', 'Prod'])).toMatch(/invalid --cluster "Prod"/);
    expect(await problem(['a.log', '--cluster', '-x'])).toMatch(
      /ambiguous|argument missing|invalid --cluster/,
    );
    expect(await problem(['a.log', '--cluster', 'a'.repeat(64)])).toMatch(/invalid --cluster/);
    expect(await problem(['--cluster', 'dev'])).toBe('no FILE given');
    expect(await problem(['a.log', '--cluster', 'dev', '--bogus'])).toMatch(
      /Unknown option '--bogus'/,
    );
    expect(await problem(['a.log', '--cluster'])).toMatch(/--cluster <value>' argument missing/);
    expect(await problem(['a.log', '--cluster', 'dev', '--batch', '0'])).toMatch(
      /invalid --batch "0"/,
    );
    expect(await problem(['a.log', '--cluster', 'dev', '--batch', '1e3'])).toMatch(
      /invalid --batch/,
    );
    expect(await problem(['a.log', '--cluster', 'dev', '--batch', '99999'])).toMatch(
      /invalid --batch/,
    );
    expect(await problem(['a.log', '--cluster', 'dev', '--url', 'ftp://x'])).toMatch(/use http/);
    expect(await problem(['a.log', '--cluster', 'dev', '--url', 'nope'])).toMatch(/not a URL/);
    expect(await problem(['a.log', '--cluster', 'dev', '--url', 'http://x/?cluster=a'])).toMatch(
      /without \?query/,
    );
    expect(await problem(['a.log', '--cluster', 'dev', '--token', 'T'])).toMatch(/need --url/);
    expect(
      await problem(['a.log', '--cluster', 'dev', '--url', 'http://x', '--token', 'a b']),
    ).toMatch(/whitespace/);
    expect(
      await problem([
        'a.log',
        '--cluster',
        'dev',
        '--url',
        'http://x',
        '--token',
        'a',
        '--token-file',
        'f',
      ]),
    ).toMatch(/either --token or --token-file/);
  });

  it('reads --token-file, trimming the trailing newline', async () => {
    const f = join(dir, 'token');
    writeFileSync(f, 's3cret\n');
    expect(
      await ok(['a.log', '--cluster', 'dev', '--url', 'http://x', '--token-file', f]),
    ).toMatchObject({ token: 's3cret' });
    expect(
      await problem([
        'a.log',
        '--cluster',
        'dev',
        '--url',
        'http://x',
        '--token-file',
        join(dir, 'none'),
      ]),
    ).toMatch(/cannot read --token-file/);
  });

  it('recognises --help', async () => {
    expect(await parseImportArgs(['-h'])).toEqual({ kind: 'help' });
  });
});

describe('runImport', () => {
  it('prints usage naming the problem and exits 2', async () => {
    const c = capture();
    expect(await runImport(['x.log'], c.io)).toBe(2);
    expect(c.err()).toMatch(
      /^import: missing --cluster NAME\n\nUsage: npm run import -- FILE\.\.\. --cluster NAME/,
    );
  });

  it('exits 2 for a missing file before sending anything', async () => {
    const sink = new MemorySink();
    const c = capture({ openDirectSink: async () => sink });
    expect(await runImport([good, join(dir, 'missing.log'), '--cluster', 'dev'], c.io)).toBe(2);
    expect(c.err()).toMatch(/missing\.log: no such file/);
    expect(sink.batches).toEqual([]);
  });

  it('direct mode: batches the events into the sink, lists unreadable lines, closes the sink', async () => {
    const sink = new MemorySink();
    const opened: string[] = [];
    const c = capture({
      openDirectSink: async (cluster) => {
        opened.push(cluster);
        return sink;
      },
    });
    expect(await runImport([good, '--cluster', 'dev', '--batch', '2'], c.io)).toBe(0);
    expect(opened).toEqual(['dev']);
    expect(sink.batches.map((b) => b.length)).toEqual([2, 1]);
    expect(sink.closed).toBe(true);
    expect(c.out()).toMatch(/events read: +3\n/);
    expect(c.out()).toMatch(/accepted: +3\n/);
    expect(c.out()).toMatch(/unreadable: +1\n +.*good\.log:2: invalid JSON/);
  });

  it('lists the first unreadable lines, then a count', async () => {
    const f = join(dir, 'many-bad.log');
    writeFileSync(
      f,
      `${JSON.stringify({ auditID: 'x' })}\n${'bad\n'.repeat(MAX_LISTED_ERRORS + 5)}`,
    );
    const c = capture({ openDirectSink: async () => new MemorySink() });
    expect(await runImport([f, '--cluster', 'dev'], c.io)).toBe(0);
    expect(c.out()).toMatch(/unreadable: +25\n/);
    expect(c.out().match(/many-bad\.log:\d+: invalid JSON/g)).toHaveLength(MAX_LISTED_ERRORS);
    expect(c.out()).toMatch(/\.\.\. and 5 more/);
  });

  it('exits 1 when nothing could be read', async () => {
    const f = join(dir, 'nothing.log');
    writeFileSync(f, 'not json at all\n');
    const c = capture({ openDirectSink: async () => new MemorySink() });
    expect(await runImport([f, '--cluster', 'dev'], c.io)).toBe(1);
    expect(c.err()).toMatch(/no audit events could be read from 1 file/);
  });

  it('exits 1 when the database refuses, with the reason and a note that re-running is safe', async () => {
    const sink = new MemorySink(new Error('SQLITE_READONLY'));
    const c = capture({ openDirectSink: async () => sink });
    expect(await runImport([good, '--cluster', 'dev'], c.io)).toBe(1);
    expect(c.err()).toMatch(/FAILED: storing a batch failed: SQLITE_READONLY/);
    expect(c.err()).toMatch(/re-running the same import is safe/);
    expect(sink.closed).toBe(true);
  });

  it('exits 1 when the database cannot be opened', async () => {
    const c = capture({
      openDirectSink: async () => {
        throw new Error('Invalid configuration: DB_PORT must be a whole number');
      },
    });
    expect(await runImport([good, '--cluster', 'dev'], c.io)).toBe(1);
    expect(c.err()).toMatch(/cannot open the database \(direct mode\): Invalid configuration/);
  });

  it('--dry-run reads without a sink', async () => {
    const c = capture({
      openDirectSink: async () => {
        throw new Error('must not be called');
      },
    });
    expect(await runImport([good, '--cluster', 'dev', '--dry-run'], c.io)).toBe(0);
    expect(c.out()).toMatch(/nowhere \(--dry-run\)/);
    expect(c.out()).not.toMatch(/accepted/);
  });

  it('prints progress lines every interval when stderr is not a TTY', async () => {
    let t = 0;
    const c = capture({
      openDirectSink: async () => new MemorySink(),
      now: () => (t += 1000),
      progressIntervalMs: 1500,
    });
    expect(await runImport([good, '--cluster', 'dev'], c.io)).toBe(0);
    expect(c.err()).toMatch(
      /^import: \d+\.\d% of \d+ B, \d+ events \(\d+ events\/s\) - .*good\.log\n/m,
    );
    expect(c.err()).not.toMatch(/\r/);
  });
});

describe('Progress', () => {
  it('overwrites one line on a TTY and ends it at finish', () => {
    let out = '';
    let t = 0;
    const p = new Progress({ write: (s: string) => (out += s), isTTY: true }, () => (t += 250));
    p.update({ bytesRead: 50, totalBytes: 100, events: 10, file: 'a.log' });
    p.update({ bytesRead: 100, totalBytes: 100, events: 20, file: 'a.log' });
    p.message('retrying');
    p.finish({ bytesRead: 100, totalBytes: 100, events: 20, file: 'a.log' });
    expect(out.startsWith('\rimport: 50.0% of 100 B, 10 events')).toBe(true);
    expect(out).toContain('\rimport: 100.0% of 100 B, 20 events');
    expect(out).toContain('retrying\n');
    expect(out.endsWith('\n')).toBe(true);
  });
});

describe('runImport with AKS exports', () => {
  it('reports skipped non-audit records per category in the summary', async () => {
    const f = join(dir, 'aks.json');
    const log = JSON.stringify({ auditID: 'a', stage: 'ResponseComplete' });
    writeFileSync(
      f,
      JSON.stringify({
        records: [
          { category: 'kube-audit', properties: { log } },
          { category: 'kube-apiserver', properties: { log: 'I0101 text' } },
          { category: 'kube-apiserver', properties: { log: 'I0102 text' } },
        ],
      }),
    );
    const sink = new MemorySink();
    const c = capture({ openDirectSink: async () => sink });
    expect(await runImport([f, '--cluster', 'dev'], c.io)).toBe(0);
    expect(sink.batches).toEqual([[{ auditID: 'a', stage: 'ResponseComplete' }]]);
    expect(c.out()).toMatch(/skipped records: +2 \(not audit events: kube-apiserver: 2\)/);
  });
});

describe('runImport over a directory', () => {
  it('walks it recursively in name order, with a line per file and unrecognised files named', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'b', 'c'), { recursive: true });
    const ev = (id: string) =>
      JSON.stringify({
        auditID: id,
        stage: 'ResponseComplete',
        verb: 'get',
        stageTimestamp: '2026-11-30T10:00:00Z',
      });
    writeFileSync(
      join(root, 'b', 'c', 'PT1H.json'),
      `${JSON.stringify({ category: 'kube-audit', properties: { log: ev('x') } })}\n`,
    );
    writeFileSync(join(root, 'a.log'), `${ev('a')}\n${JSON.stringify({ auditID: 'bad' })}\n`);
    writeFileSync(join(root, 'b', 'notes.txt'), 'hello\n');
    const sink = new MemorySink();
    const c = capture({ openDirectSink: async () => sink });
    expect(await runImport([root, '--cluster', 'dev'], c.io)).toBe(0);
    expect(sink.batches.flat().map((e) => (e as { auditID: string }).auditID)).toEqual([
      'a',
      'bad',
      'x',
    ]);
    const out = c.out();
    expect(out).toMatch(/^ {2}files: +3$/m);
    expect(out).toContain(
      `    ${join(root, 'a.log')}: audit-event, 2 events, 1 invalid (quarantined by the server)\n`,
    );
    expect(out).toContain(
      `    ${join(root, 'b', 'c', 'PT1H.json')}: aks-diagnostics, 1 event, 0 invalid`,
    );
    expect(out).toContain(
      `    ${join(root, 'b', 'notes.txt')}: not recognised as an audit log (1 unreadable line)`,
    );
  });

  it('refuses an empty directory before sending anything', async () => {
    const empty = join(dir, 'empty-dir');
    mkdirSync(empty, { recursive: true });
    const c = capture({ openDirectSink: async () => new MemorySink() });
    expect(await runImport([empty, '--cluster', 'dev'], c.io)).toBe(2);
    expect(c.err()).toContain(`${empty}: directory holds no files`);
  });
});
