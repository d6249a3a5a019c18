import {
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { AuditFileItem, readAuditFile, readAuditFiles, SkippedRecords } from './audit-file-reader';

const CORPUS = join(__dirname, '..', '..', 'test', 'fixtures', 'corpus');

async function collect(path: string, opts: Parameters<typeof readAuditFile>[1] = {}) {
  const items: AuditFileItem[] = [];
  for await (const item of readAuditFile(path, opts)) items.push(item);
  const events = items.filter((i) => i.kind === 'event');
  const errors = items.filter((i) => i.kind === 'error');
  return { items, events, errors };
}

function event(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/default/pods/p${i}`,
    verb: 'get',
    user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.1'],
    objectRef: { resource: 'pods', namespace: 'default', name: `p${i}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2026-01-02T03:04:05.123456Z',
    stageTimestamp: '2026-01-02T03:04:05.234567Z',
    ...extra,
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-reader-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tmp(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** "N event(s)" per file, from the corpus's own SOURCES.md. */
function sourcesCounts(): Map<string, number> {
  const md = readFileSync(join(CORPUS, 'SOURCES.md'), 'utf8');
  const counts = new Map<string, number>();
  for (const m of md.matchAll(/^\| `([^`]+\/[^`]+)` \|.*\| (\d+) event\(s\)/gm)) {
    counts.set(m[1], Number(m[2]));
  }
  return counts;
}

describe('readAuditFile over the shared corpus', () => {
  const counts = sourcesCounts();
  const files = readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(CORPUS, d.name)).map((f) => `${d.name}/${f}`));

  it('lists every corpus file in SOURCES.md', () => {
    expect(files.length).toBe(53);
    expect([...counts.keys()].sort()).toEqual([...files].sort());
  });

  it.each(files.filter((f) => f !== 'falcosecurity-falco/fal_01_003.json'))(
    '%s yields the number of events SOURCES.md gives, and no errors',
    async (file) => {
      const { events, errors } = await collect(join(CORPUS, file));
      expect(errors).toEqual([]);
      expect(events).toHaveLength(counts.get(file)!);
      for (const e of events) {
        const raw = e.raw as Record<string, unknown>;
        expect(typeof raw.auditID).toBe('string');
        expect(typeof raw.stage).toBe('string');
      }
    },
  );

  it('gives the documented totals for the main files', async () => {
    expect((await collect(join(CORPUS, 'liggitt-audit2rbac/demo.log'))).events).toHaveLength(37);
    expect(
      (await collect(join(CORPUS, 'sysdiglabs-aks-audit-log/event.json'))).events,
    ).toHaveLength(22);
    const cm = await collect(
      join(CORPUS, 'falcosecurity-falco/create_configmap_sensitive_values.json'),
    );
    expect(cm.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('passes the malformed {"kind": 0} through as one raw item for ingest to reject and quarantine', async () => {
    // Decision: the reader detects formats, it does not validate Events. Any JSON object that is
    // not a wrapper goes to IngestService, which rejects it (counted "rejected") and keeps it in
    // quarantine as evidence. SOURCES.md counts it as "0 event(s), +1 non-event doc".
    const { events, errors } = await collect(join(CORPUS, 'falcosecurity-falco/fal_01_003.json'));
    expect(errors).toEqual([]);
    expect(events).toEqual([{ kind: 'event', raw: { kind: 0 }, line: 1 }]);
  });

  it('strips the UTF-8 BOM of the two AKS samples', async () => {
    for (const f of ['sample_EventHubs_event.json', 'sample_KubeAuditLog_event.json']) {
      const path = join(CORPUS, 'sysdiglabs-aks-audit-log', f);
      expect(readFileSync(path).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const { events, errors } = await collect(path);
      expect(errors).toEqual([]);
      expect(events).toHaveLength(1);
      expect((events[0].raw as Record<string, unknown>).kind).toBe('Event');
    }
  });

  it('unwraps the AKS properties.log string into the Event', async () => {
    const { events } = await collect(
      join(CORPUS, 'sysdiglabs-aks-audit-log/sample_EventHubs_event.json'),
    );
    expect(events[0].raw).toMatchObject({
      auditID: '4e2a4193-cb3d-4ff7-bf37-32c392fbc23b',
      requestURI: '/apis/autoscaling/v2beta1?timeout=32s',
    });
  });
});

describe('readAuditFile: JSON lines', () => {
  it('handles CRLF line breaks, blank lines and whitespace-only lines', async () => {
    const p = tmp(
      'crlf.log',
      `\r\n${JSON.stringify(event(1))}\r\n\r\n   \t\r\n${JSON.stringify(event(2))}\r\n`,
    );
    const { events, errors } = await collect(p);
    expect(errors).toEqual([]);
    expect(events.map((e) => e.line)).toEqual([2, 5]);
    expect(events[1].raw).toEqual(event(2));
  });

  it('handles a BOM before JSON lines and a last line without a line break', async () => {
    const p = tmp('bom.log', `\ufeff${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}`);
    const { events, errors } = await collect(p);
    expect(errors).toEqual([]);
    expect(events).toHaveLength(2);
  });

  it('reports a truncated last line as an error and keeps the rest', async () => {
    const full = JSON.stringify(event(3));
    const p = tmp(
      'trunc.log',
      `${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n${full.slice(0, 100)}`,
    );
    const { events, errors } = await collect(p);
    expect(events).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'error', line: 3 });
    const err = errors[0] as Extract<AuditFileItem, { kind: 'error' }>;
    expect(err.reason).toMatch(/^truncated last line/);
    expect(err.text).toBe(full.slice(0, 100));
  });

  it('yields bad lines as errors with the first 200 characters, and goes on', async () => {
    const garbage = `{"auditID": ${'x'.repeat(500)}`;
    const p = tmp(
      'bad.log',
      [JSON.stringify(event(1)), garbage, '42', 'null', JSON.stringify(event(2)), ''].join('\n'),
    );
    const { events, errors } = await collect(p);
    expect(events.map((e) => e.line)).toEqual([1, 5]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
    const [bad, num, nul] = errors as Extract<AuditFileItem, { kind: 'error' }>[];
    expect(bad.reason).toMatch(/^invalid JSON/);
    expect(bad.text).toBe(garbage.slice(0, 200));
    expect(num.reason).toMatch(/expected a JSON object.*got a number/);
    expect(nul.reason).toMatch(/got null/);
  });

  it('treats a damaged first line as a JSON-lines error, not as a document', async () => {
    const first = JSON.stringify(event(1)).slice(40);
    const p = tmp('badfirst.log', `${first}\n${JSON.stringify(event(2))}\n`);
    const { events, errors } = await collect(p);
    expect(events.map((e) => e.line)).toEqual([2]);
    expect(errors.map((e) => e.line)).toEqual([1]);
  });

  it('recognises JSON lines even when the damaged first line starts with "{"', async () => {
    const first = JSON.stringify(event(1)).slice(0, 60);
    const p = tmp(
      'badfirst2.log',
      `${first}\n${JSON.stringify(event(2))}\n${JSON.stringify(event(3))}\n`,
    );
    const { events, errors } = await collect(p);
    expect(events.map((e) => e.line)).toEqual([2, 3]);
    expect(errors.map((e) => e.line)).toEqual([1]);
  });

  it('expands lines that are EventLists, arrays or AKS exports', async () => {
    const lines = [
      JSON.stringify({
        kind: 'EventList',
        apiVersion: 'audit.k8s.io/v1',
        items: [event(1), event(2)],
      }),
      JSON.stringify([event(3), event(4)]),
      JSON.stringify({
        records: [{ category: 'kube-audit', properties: { log: JSON.stringify(event(5)) } }],
      }),
    ];
    const { events, errors } = await collect(tmp('mixed.log', lines.join('\n')));
    expect(errors).toEqual([]);
    expect(events.map((e) => e.line)).toEqual([1, 1, 2, 2, 3]);
    expect(events.map((e) => (e.raw as { auditID: string }).auditID.slice(-1))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
  });

  it('reports a line longer than maxLineBytes without holding it', async () => {
    const big = JSON.stringify(event(2, { requestObject: { data: 'x'.repeat(5000) } }));
    const p = tmp('long.log', `${JSON.stringify(event(1))}\n${big}\n${JSON.stringify(event(3))}\n`);
    const { events, errors } = await collect(p, { maxLineBytes: 2000 });
    expect(events.map((e) => e.line)).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/exceeds/) });
  });

  it('reads gzip-compressed logs (--audit-log-compress)', async () => {
    const text = [1, 2, 3].map((i) => JSON.stringify(event(i))).join('\n') + '\n';
    const { events, errors } = await collect(tmp('audit.log.gz', gzipSync(text)));
    expect(errors).toEqual([]);
    expect(events).toHaveLength(3);
  });

  it('reports a truncated gzip file after the lines it could read', async () => {
    const noise = (): string => randomBytes(300).toString('hex');
    const text =
      Array.from({ length: 200 }, (_, i) =>
        JSON.stringify(event(i, { annotations: { noise: noise() } })),
      ).join('\n') + '\n';
    const gz = gzipSync(text);
    const { events, errors } = await collect(tmp('cut.log.gz', gz.subarray(0, gz.length >> 1)));
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      reason: expect.stringMatching(/gzip data is corrupt or truncated/),
    });
  });

  it('reports a UTF-16 file (PowerShell redirection) with one clear error', async () => {
    const text = `${JSON.stringify(event(1))}\r\n`;
    const p = tmp(
      'utf16.json',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const { events, errors } = await collect(p);
    expect(events).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        line: 1,
        reason: expect.stringMatching(/UTF-16.*convert it to UTF-8/),
      }),
    ]);
  });

  it('yields nothing for an empty or blank file', async () => {
    expect((await collect(tmp('empty.log', ''))).items).toEqual([]);
    expect((await collect(tmp('blank.log', '\ufeff\n  \r\n'))).items).toEqual([]);
  });
});

describe('readAuditFile: single documents', () => {
  it('reads a pretty-printed EventList', async () => {
    const doc = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: [event(1), event(2), event(3)],
    };
    const { events, errors } = await collect(
      tmp('list.json', `\n\n${JSON.stringify(doc, null, 2)}\n`),
    );
    expect(errors).toEqual([]);
    expect(events.map((e) => e.line)).toEqual([3, 3, 3]);
    expect(events[2].raw).toEqual(event(3));
  });

  it('reads a pretty-printed JSON array of events, with CRLF', async () => {
    const text = JSON.stringify([event(1), event(2)], null, 2).replace(/\n/g, '\r\n');
    const { events, errors } = await collect(tmp('array.json', text));
    expect(errors).toEqual([]);
    expect(events).toHaveLength(2);
  });

  it('reads a compact array with one event per line', async () => {
    const text = `[\n${JSON.stringify(event(1))},\n${JSON.stringify(event(2))}\n]\n`;
    const { events, errors } = await collect(tmp('array2.json', text));
    expect(errors).toEqual([]);
    expect(events).toHaveLength(2);
  });

  it('reads an AKS export with properties.log as an object, skipping other categories with a count', async () => {
    const doc = {
      records: [
        { category: 'kube-audit', properties: { log: event(1) } },
        {
          category: 'kube-apiserver',
          properties: { log: 'I0505 16:16:37 some apiserver log line' },
        },
        { category: 'kube-audit-admin', properties: { log: JSON.stringify(event(2)) + '\n' } },
        { category: 'kube-apiserver', properties: { log: 'another' } },
        { category: 'guard', properties: { log: 'x' } },
        { category: 'kube-audit', properties: { log: '{"kind":"Event",' } },
        { category: 'kube-audit', properties: {} },
      ],
    };
    const skipped: SkippedRecords[] = [];
    const { events, errors } = await collect(tmp('aks.json', JSON.stringify(doc, null, 1)), {
      onSkipped: (s) => skipped.push(s),
    });
    expect(events.map((e) => e.raw)).toEqual([event(1), event(2)]);
    expect(skipped).toEqual([{ line: 1, count: 3, categories: { 'kube-apiserver': 2, guard: 1 } }]);
    expect(errors.map((e) => (e as { reason: string }).reason)).toEqual([
      expect.stringMatching(/^records\[5\]\.properties\.log: not valid JSON/),
      'records[6]: record has no properties.log',
    ]);
  });

  it('locates a syntax error in a pretty-printed document', async () => {
    const text = JSON.stringify(event(1), null, 2).replace('"verb": "get",', '"verb": "get",,');
    const lineNo = text.split('\n').findIndex((l) => l.includes(',,')) + 1;
    const { events, errors } = await collect(tmp('broken.json', text));
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      line: lineNo,
      reason: expect.stringMatching(/^invalid JSON/),
    });
    expect((errors[0] as { text: string }).text).toContain('"verb": "get",,');
  });

  it('reports a truncated pretty-printed document', async () => {
    const text = JSON.stringify(event(1), null, 2);
    const { events, errors } = await collect(tmp('cut.json', text.slice(0, text.length - 40)));
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: expect.stringMatching(/^truncated document/) });
  });

  it('refuses a single document over maxDocumentBytes with a clear error', async () => {
    const doc = { kind: 'EventList', items: Array.from({ length: 50 }, (_, i) => event(i)) };
    const { events, errors } = await collect(tmp('huge.json', JSON.stringify(doc, null, 2)), {
      maxDocumentBytes: 10_000,
    });
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      line: 1,
      reason: expect.stringMatching(
        /single JSON document larger than the 10000 bytes limit.*JSON lines/,
      ),
    });
  });
});

describe('readAuditFile: streaming', () => {
  it('reports progress up to the file size', async () => {
    const p = join(CORPUS, 'liggitt-audit2rbac/demo.log');
    const calls: [number, number][] = [];
    await collect(p, { onProgress: (read, total) => calls.push([read, total]) });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[calls.length - 1]).toEqual([22129, 22129]);
  });

  it('stops reading when the consumer stops', async () => {
    const p = tmp(
      'stop.log',
      Array.from({ length: 1000 }, (_, i) => JSON.stringify(event(i))).join('\n'),
    );
    let n = 0;
    for await (const item of readAuditFile(p)) {
      expect(item.kind).toBe('event');
      if (++n === 3) break;
    }
    expect(n).toBe(3);
  });

  it('throws for a missing file (I/O errors are not bad lines)', async () => {
    await expect(collect(join(dir, 'nope.log'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('readAuditFiles names the file of each item and reports cumulative progress', async () => {
    const a = tmp('a.log', `${JSON.stringify(event(1))}\n`);
    const b = tmp('b.log', `${JSON.stringify(event(2))}\nnot json\n`);
    const progress: number[] = [];
    const items = [];
    for await (const item of readAuditFiles([a, b], { onProgress: (read) => progress.push(read) }))
      items.push(item);
    expect(items.map((i) => [i.file, i.kind, i.line])).toEqual([
      [a, 'event', 1],
      [b, 'event', 1],
      [b, 'error', 2],
    ]);
    expect(progress[progress.length - 1]).toBe(readFileSync(a).length + readFileSync(b).length);
  });

  it('streams a 50 MB JSON-lines file with bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const p = join(dir, 'big.log');
    const out = createWriteStream(p);
    const pad = 'y'.repeat(600);
    const chunk: string[] = [];
    let written = 0;
    let lines = 0;
    while (written < 50 * 1024 * 1024) {
      const line = JSON.stringify(event(lines, { annotations: { pad } })) + '\n';
      chunk.push(line);
      written += line.length;
      lines++;
      if (chunk.length === 2000) {
        if (!out.write(chunk.join(''))) await once(out, 'drain');
        chunk.length = 0;
      }
    }
    out.end(chunk.join(''));
    await once(out, 'finish');

    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let events = 0;
    let lastProgress = 0;
    for await (const item of readAuditFile(p, { onProgress: (read) => (lastProgress = read) })) {
      if (item.kind !== 'event') throw new Error(`unexpected ${JSON.stringify(item)}`);
      if (++events % 10_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(events).toBe(lines);
    expect(lastProgress).toBe(written);
    // Loading the file whole would hold at least 50 MB of text on the heap.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);
});
