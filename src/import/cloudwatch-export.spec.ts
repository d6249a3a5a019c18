import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AuditFileItem, readAuditFile } from './audit-file-reader';
import { nonAuditStream, s3ExportMessage } from './cloudwatch-export';
import { extractEventsDetailed } from './extract-events';

const ev = (id: string): Record<string, unknown> => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  auditID: id,
  stage: 'ResponseComplete',
  verb: 'get',
  requestURI: '/api/v1/pods',
  stageTimestamp: '2026-11-30T10:00:00.000000Z',
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudwatch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, content: string | Buffer) {
  const p = join(dir, name);
  writeFileSync(p, content);
  const items: AuditFileItem[] = [];
  const formats: Record<string, number>[] = [];
  for await (const i of readAuditFile(p, { onFormats: (f) => formats.push(f) })) items.push(i);
  return { items, formats };
}

describe('CloudWatch Logs (EKS)', () => {
  it('unwraps filter-log-events output, skipping other EKS log streams with a count', () => {
    const x = extractEventsDetailed({
      events: [
        {
          logStreamName: 'kube-apiserver-audit-0123456789abcdef0123',
          timestamp: 1,
          message: JSON.stringify(ev('a')),
        },
        {
          logStreamName: 'authenticator-0123456789abcdef0123',
          timestamp: 2,
          message: 'time=... msg="access granted"',
        },
        {
          logStreamName: 'kube-apiserver-audit-0123456789abcdef0123',
          timestamp: 3,
          message: '{"kind":',
        },
      ],
      searchedLogStreams: [],
    });
    expect(x.events).toEqual([ev('a')]);
    expect(x.formats).toEqual({ 'cloudwatch-logs': 1 });
    expect(x.skippedCategories).toEqual({ 'eks:authenticator': 1 });
    expect(x.errors).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/^events\[2\]\.message: not valid JSON/),
      }),
    ]);
  });

  it('unwraps get-log-events output (no stream names) and single events per line', async () => {
    const doc = {
      events: [{ timestamp: 1, message: JSON.stringify(ev('a')), ingestionTime: 2 }],
      nextForwardToken: 'f/1',
    };
    expect(extractEventsDetailed(doc).events).toEqual([ev('a')]);
    const lines = [ev('b'), ev('c')].map((e) =>
      JSON.stringify({ timestamp: 1, message: JSON.stringify(e) }),
    );
    const { items } = await read('events.jsonl', lines.join('\n') + '\n');
    expect(
      items.map((i) => (i.kind === 'event' ? (i.raw as { auditID: string }).auditID : i)),
    ).toEqual(['b', 'c']);
  });

  it('reads S3 export lines "<timestamp> <json>", gzipped, and says so', async () => {
    const text =
      ['a', 'b'].map((id) => `2026-11-30T10:00:00.123Z ${JSON.stringify(ev(id))}`).join('\n') +
      '\n';
    const { items, formats } = await read('000000.gz', gzipSync(text));
    expect(items).toEqual([
      { kind: 'event', raw: ev('a'), line: 1 },
      { kind: 'event', raw: ev('b'), line: 2 },
    ]);
    expect(formats).toEqual([{ 'cloudwatch-s3-export': 1 }, { 'cloudwatch-s3-export': 1 }]);
  });

  it('reports an S3 export line whose message is not JSON as unreadable', async () => {
    const { items } = await read('bad.txt', '2026-11-30T10:00:00.123Z {"kind":\n');
    expect(items).toEqual([expect.objectContaining({ kind: 'error', line: 1 })]);
  });

  it('s3ExportMessage and nonAuditStream', () => {
    expect(s3ExportMessage('2026-11-30T10:00:00Z {"a":1}')).toBe('{"a":1}');
    expect(s3ExportMessage('2026-11-30T10:00:00.5+01:00 [1]')).toBe('[1]');
    expect(s3ExportMessage('hello {"a":1}')).toBeUndefined();
    expect(nonAuditStream({ logStreamName: 'kube-apiserver-audit-abc' })).toBeUndefined();
    expect(nonAuditStream({})).toBeUndefined();
    expect(nonAuditStream({ logStreamName: 'kube-scheduler-0123456789abcdef0123' })).toBe(
      'eks:kube-scheduler',
    );
  });
});

describe('AKS storage-account blob (PT1H.json): one diagnostics record per line', () => {
  it('reads each record, the Event in properties.log', async () => {
    const rec = (e: unknown, category = 'kube-audit') =>
      JSON.stringify({
        time: '2026-11-30T10:00:00.0000000Z',
        resourceId:
          '/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C',
        category,
        operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read',
        properties: { log: `${JSON.stringify(e)}\n`, stream: 'stdout', pod: 'kube-apiserver-1' },
      });
    const { items, formats } = await read(
      'PT1H.json',
      [rec(ev('a')), rec(ev('b'), 'kube-audit-admin'), rec({ x: 1 }, 'kube-apiserver')].join('\n') +
        '\n',
    );
    expect(
      items.map((i) => (i.kind === 'event' ? (i.raw as { auditID: string }).auditID : i)),
    ).toEqual(['a', 'b']);
    expect(formats).toEqual([{ 'aks-diagnostics': 1 }, { 'aks-diagnostics': 1 }]);
  });
});
