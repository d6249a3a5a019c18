import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  EVENTS_PER_CALL,
  MAX_IDLE_WAIT_MS,
  MAX_MESSAGE_BYTES,
  parseEksCheckpoint,
} from '../../../src/sources/eks/eks-cloudwatch.source';
import { CloudWatchLogsEndpoint } from '../../support/cloudwatch-logs-endpoint';
import {
  AUDIT_STREAMS,
  auditEvent,
  auditIDs,
  auditLogEvents,
  AUTHENTICATOR_STREAM,
  counts,
  drain,
  DUMMY_AWS_ENV,
  FakeClock,
  makeSource,
  SCHEDULER_STREAM,
} from './eks-source-support';

const GROUP = '/aws/eks/prod-eks/cluster';
const T0 = Date.parse('2026-11-30T10:00:00Z');
const SETTLE = 120_000;
const POLL = 10_000;

describe('eks-cloudwatch source against a local CloudWatch Logs endpoint (real AWS SDK client)', () => {
  let endpoint: CloudWatchLogsEndpoint;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    endpoint = await CloudWatchLogsEndpoint.start({ now: clock.now });
  });
  afterEach(async () => {
    await endpoint.stop();
  });

  it('the endpoint answers the real SDK: create, put, filter, and a signed request', async () => {
    const client = new CloudWatchLogsClient({
      region: 'eu-west-1',
      endpoint: endpoint.url,
      credentials: {
        accessKeyId: DUMMY_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: DUMMY_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
    try {
      await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
      await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 's-1' }));
      await client.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: 's-1',
          logEvents: [
            { timestamp: T0 + 2, message: 'b' },
            { timestamp: T0 + 1, message: 'a' },
            { timestamp: T0 + 3, message: 'c' },
          ],
        }),
      );
      const first = await client.send(
        new FilterLogEventsCommand({
          logGroupName: GROUP,
          startTime: T0 + 1,
          endTime: T0 + 2,
          limit: 1,
        }),
      );
      expect(first.events?.map((e) => e.message)).toEqual(['a']);
      expect(first.nextToken).toBeDefined();
      const second = await client.send(
        new FilterLogEventsCommand({
          logGroupName: GROUP,
          startTime: T0 + 1,
          endTime: T0 + 2,
          limit: 1,
          nextToken: first.nextToken,
        }),
      );
      // endTime is inclusive, and the last page has no token.
      expect(second.events?.map((e) => e.message)).toEqual(['b']);
      expect(second.nextToken).toBeUndefined();
      await expect(
        client.send(new FilterLogEventsCommand({ logGroupName: '/aws/eks/nope/cluster' })),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      });
      expect(endpoint.unsigned).toBe(0);
      expect(endpoint.requests[0].authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLETESTKEY01\/\d{8}\/eu-west-1\/logs\/aws4_request$/,
      );
    } finally {
      client.destroy();
    }
  });

  it('reads events of several streams once each, skips other streams, across many pages', async () => {
    // Pages left empty while the service "searches" are followed, not taken for the end.
    await endpoint.stop();
    endpoint = await CloudWatchLogsEndpoint.start({ now: clock.now, emptyPageEvery: 3 });
    const all: string[] = [];
    AUDIT_STREAMS.forEach((stream, s) => {
      // Interleaved timestamps, ties across streams, out of order within a put.
      const { ids, events } = auditLogEvents(900, (i) => T0 + 1000 + ((i * 7 + s) % 600) * 50);
      endpoint.put(GROUP, stream, events.reverse());
      all.push(...ids);
    });
    endpoint.put(GROUP, AUTHENTICATOR_STREAM, [
      { timestamp: T0 + 5000, message: 'time="..." level=info msg="access granted"' },
    ]);
    // Read with a prefix that lets the scheduler's stream through: skipped client-side.
    endpoint.put(GROUP, SCHEDULER_STREAM, [
      { timestamp: T0 + 6000, message: 'I1130 10:00:06 scheduled' },
    ]);
    clock.advance(60_000 + SETTLE + POLL);
    const { source, logs } = makeSource(endpoint, clock, {
      startFrom: new Date(T0).toISOString(),
      logStreamNamePrefix: 'kube',
    });
    await source.open(undefined);
    const batches = await drain(source);
    await source.close();

    const got = counts(auditIDs(batches));
    expect(got.size).toBe(all.length);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect(all.every((id) => got.has(id))).toBe(true);
    expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(1);
    expect(batches.flatMap((b) => b.rejected)).toEqual([]);
    expect(batches.every((b) => b.cluster === 'prod-eks')).toBe(true);
    // Bounded: no call asks for more than EVENTS_PER_CALL, no batch holds more than two pages.
    expect(endpoint.requests.every((r) => r.limit === EVENTS_PER_CALL)).toBe(true);
    expect(Math.max(...batches.map((b) => b.items.length))).toBeLessThan(2 * EVENTS_PER_CALL);
    expect(endpoint.pagedRequests).toBeGreaterThan(2);
    expect(endpoint.requests.every((r) => r.logStreamNamePrefix === 'kube')).toBe(true);
    expect(logs).toEqual([]);
  });

  it('asks CloudWatch for the audit streams only, by default, in the default log group', async () => {
    const { ids, events } = auditLogEvents(5, (i) => T0 + 1000 + i);
    endpoint.put(GROUP, AUDIT_STREAMS[0], events);
    endpoint.put(GROUP, AUTHENTICATOR_STREAM, [{ timestamp: T0 + 1500, message: 'x' }]);
    clock.advance(SETTLE + POLL + 5000);
    const { source } = makeSource(endpoint, clock, { startFrom: 'beginning' });
    await source.open(undefined);
    const batches = await drain(source);
    await source.close();
    expect(auditIDs(batches).sort()).toEqual([...ids].sort());
    expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(0);
    expect(endpoint.requests[0]).toMatchObject({
      logGroupName: GROUP,
      logStreamNamePrefix: 'kube-apiserver-audit',
      startTime: 0,
    });
  });

  it('reads the EKS fixture (aws logs filter-log-events output) as the importer does', async () => {
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '../../fixtures/managed/eks/filter-log-events.json'), 'utf8'),
    ) as { events: { logStreamName: string; timestamp: number; message: string }[] };
    for (const e of fixture.events) {
      endpoint.put(GROUP, e.logStreamName, [{ timestamp: e.timestamp, message: e.message }]);
    }
    const first = Math.min(...fixture.events.map((e) => e.timestamp));
    clock.t = Math.max(...fixture.events.map((e) => e.timestamp)) + SETTLE + POLL + 1;
    const { source } = makeSource(endpoint, clock, {
      startFrom: new Date(first).toISOString(),
      logStreamNamePrefix: 'authenticator', // its lines come back and are skipped
    });
    await source.open(undefined);
    const a = await drain(source);
    await source.close();
    expect(a.reduce((n, b) => n + b.skipped, 0)).toBe(1);
    expect(auditIDs(a)).toEqual([]);
    const { source: audit } = makeSource(endpoint, clock, {
      startFrom: new Date(first).toISOString(),
    });
    await audit.open(undefined);
    const b = await drain(audit);
    await audit.close();
    // SOURCES.md: 4 events, 1 skipped (the authenticator line) in the whole file.
    expect(auditIDs(b)).toHaveLength(4);
    expect(b.flatMap((x) => x.rejected)).toEqual([]);
  });

  it('does not lose an event that reaches CloudWatch late within the settle delay', async () => {
    const { source } = makeSource(endpoint, clock, { startFrom: 'now' });
    await source.open(undefined);
    // The first batch only commits where a first run starts.
    const start = await source.next(new AbortController().signal);
    expect(start).toMatchObject({ items: [], checkpoint: JSON.stringify({ v: 1, from: T0 }) });

    const onTime = auditLogEvents(3, (i) => T0 + 10_000 + i * 1000);
    endpoint.put(GROUP, AUDIT_STREAMS[0], onTime.events);
    clock.advance(30_000);
    expect(await drain(source)).toEqual([]); // nothing settled yet: no call at all
    expect(endpoint.requests).toHaveLength(0);
    // Ingested now (T0 + 30 s), 25 s after its timestamp, after newer events of another stream
    // (and after a read of [T0, T0 + 30 s) would have happened without the settle delay).
    const late = auditLogEvents(2, (i) => T0 + 5_000 + i * 1000);
    endpoint.put(GROUP, AUDIT_STREAMS[1], late.events);

    clock.advance(SETTLE);
    const batches = await drain(source);
    expect(auditIDs(batches).sort()).toEqual([...onTime.ids, ...late.ids].sort());

    // The trade-off, pinned: an event later than the settle delay, in a window already read,
    // is not read (docs/sources/eks-cloudwatch.md).
    const tooLate = auditLogEvents(1, () => T0 + 12_000);
    endpoint.put(GROUP, AUDIT_STREAMS[2], tooLate.events);
    clock.advance(SETTLE + POLL);
    expect(auditIDs(await drain(source))).toEqual([]);
    await source.close();
  });

  it('reads an event at a window boundary once: windows neither overlap nor leave a gap', async () => {
    const { source } = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() });
    await source.open(undefined);
    clock.t = T0 + POLL + SETTLE; // the first window is [T0, T0 + POLL)
    const edge = auditLogEvents(4, (i) => [T0, T0 + POLL - 1, T0 + POLL, T0 + 2 * POLL - 1][i]);
    endpoint.put(GROUP, AUDIT_STREAMS[0], edge.events);
    const first = auditIDs(await drain(source));
    expect(first).toEqual(edge.ids.slice(0, 2));
    clock.advance(POLL);
    const second = auditIDs(await drain(source));
    expect(second).toEqual(edge.ids.slice(2));
    expect(endpoint.requests.map((r) => [r.startTime, r.endTime])).toEqual([
      [T0, T0 + POLL - 1],
      [T0 + POLL, T0 + 2 * POLL - 1],
    ]);
    await source.close();
  });

  it('warns when it reads an event that reached CloudWatch later than the settle delay', async () => {
    const { source, logs } = makeSource(endpoint, clock, { startFrom: 'now', settleSeconds: 30 });
    await source.open(undefined);
    await source.next(new AbortController().signal);
    clock.advance(300_000); // the source was not reading (a restart, an outage)
    const lagging = auditLogEvents(1, () => T0 + 1000);
    endpoint.put(GROUP, AUDIT_STREAMS[0], lagging.events); // 299 s late
    const batches = await drain(source);
    await source.close();
    expect(auditIDs(batches)).toEqual(lagging.ids);
    expect(logs).toHaveLength(1);
    expect(logs[0].level).toBe('warn');
    expect(logs[0].message).toMatch(/299 s after its timestamp, more than settleSeconds \(30\)/);
    expect(logs[0].message).not.toContain(lagging.ids[0]);
  });

  it('resumes from a mid-window checkpoint without reading anything twice', async () => {
    const { ids, events } = auditLogEvents(3500, (i) => T0 + 1000 + i * 10);
    endpoint.put(
      GROUP,
      AUDIT_STREAMS[0],
      events.filter((_, i) => i % 2 === 0),
    );
    endpoint.put(
      GROUP,
      AUDIT_STREAMS[1],
      events.filter((_, i) => i % 2 === 1),
    );
    clock.advance(40_000 + SETTLE + POLL);
    const signal = new AbortController().signal;
    const first = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() }).source;
    await first.open(undefined);
    const before = [await first.next(signal), await first.next(signal)];
    await first.close();
    const checkpoint = before[1]?.checkpoint;
    const c = parseEksCheckpoint(checkpoint ?? '');
    // Inside a window, with its token: the crash case this test is about.
    expect(c).toMatchObject({ v: 1, from: T0, to: clock.t - SETTLE, token: expect.any(String) });

    const second = makeSource(endpoint, clock).source;
    await second.open(checkpoint);
    const after = await drain(second);
    await second.close();
    const got = counts([...auditIDs(before.filter((b) => b !== undefined)), ...auditIDs(after)]);
    expect(got.size).toBe(ids.length);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
  });

  it('reads the window again from its start when CloudWatch refuses the stored token', async () => {
    const { ids, events } = auditLogEvents(2500, (i) => T0 + 1000 + i * 10);
    endpoint.put(GROUP, AUDIT_STREAMS[0], events);
    clock.advance(30_000 + SETTLE + POLL);
    const signal = new AbortController().signal;
    const first = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() }).source;
    await first.open(undefined);
    const before = [await first.next(signal), await first.next(signal)].filter(
      (b) => b !== undefined,
    );
    await first.close();
    const readBefore = auditIDs(before);
    expect(readBefore).toHaveLength(EVENTS_PER_CALL);

    endpoint.expireTokens(); // a day went by
    const { source: second, logs } = makeSource(endpoint, clock);
    await second.open(before.at(-1)?.checkpoint);
    const after = await drain(second);
    await second.close();
    const got = counts([...readBefore, ...auditIDs(after)]);
    expect(got.size).toBe(ids.length);
    // The documented overlap: what the window had given before the token expired, once more.
    expect(
      [...got.entries()]
        .filter(([, n]) => n === 2)
        .map(([id]) => id)
        .sort(),
    ).toEqual([...readBefore].sort());
    expect(logs.map((l) => l.message)).toEqual([
      expect.stringMatching(/refused the stored nextToken \(InvalidParameterException\)/),
    ]);
  });

  it('rejects garbage messages with a reason that does not quote them, bounded', async () => {
    const good = auditLogEvents(1, () => T0 + 1000);
    const huge = `{"kind":"Event","pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`;
    endpoint.put(GROUP, AUDIT_STREAMS[0], [
      ...good.events,
      { timestamp: T0 + 1001, message: 'not json secret-value-123' },
      { timestamp: T0 + 1002, message: '42' },
      { timestamp: T0 + 1003, message: '[1, {"kind":"Event","auditID":"in-array"}]' },
      { timestamp: T0 + 1004, message: huge },
      {
        timestamp: T0 + 1005,
        message: '{"records":[{"category":"kube-apiserver","properties":{"log":"x"}}]}',
      },
    ]);
    clock.advance(SETTLE + POLL + 2000);
    const { source } = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() });
    await source.open(undefined);
    const batches = await drain(source);
    await source.close();
    const rejected = batches.flatMap((b) => b.rejected);
    expect(auditIDs(batches).sort()).toEqual([good.ids[0], 'in-array'].sort());
    expect(rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        /^CloudWatch event 0+\d+ of kube-apiserver-audit-\w+: message is not valid JSON$/,
      ),
      expect.stringMatching(/: expected a JSON object \(an audit Event\), got a number$/),
      expect.stringMatching(/: \[0\]: expected a JSON object \(an audit Event\), got a number$/),
      expect.stringMatching(/: message of \d+ bytes, over 1049600 \(first 4096 characters kept\)$/),
    ]);
    expect(rejected.some((r) => r.reason.includes('secret-value-123'))).toBe(false);
    expect(rejected[0].record).toBe('not json secret-value-123');
    expect((rejected[3].record as string).length).toBe(4096);
    // The AKS-shaped record of another category is skipped by the shared extractor.
    expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(1);
  });

  it('throws on ThrottlingException and on a 5xx, and the next call goes on where it was', async () => {
    const { ids, events } = auditLogEvents(1500, (i) => T0 + 1000 + i);
    endpoint.put(GROUP, AUDIT_STREAMS[0], events);
    clock.advance(SETTLE + POLL + 5000);
    const { source } = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() });
    await source.open(undefined);
    const signal = new AbortController().signal;
    const read: string[] = auditIDs([(await source.next(signal))!]); // the start
    endpoint.failNext(1);
    await expect(source.next(signal)).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    read.push(...auditIDs([(await source.next(signal))!]));
    endpoint.failNext(1, 'ServiceUnavailableException', 500);
    await expect(source.next(signal)).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
      $metadata: { httpStatusCode: 500 },
    });
    // Once per failure: the SDK does not retry on its own (the runner counts and backs off).
    expect(endpoint.calls['Logs_20140328.FilterLogEvents']).toBe(3);
    read.push(...auditIDs(await drain(source)));
    await source.close();
    expect(read.sort()).toEqual([...ids].sort());
  });

  it('returns promptly when aborted, in a slow call or while idle', async () => {
    await endpoint.stop();
    endpoint = await CloudWatchLogsEndpoint.start({ now: clock.now, delayMs: 20_000 });
    endpoint.put(GROUP, AUDIT_STREAMS[0], auditLogEvents(3, (i) => T0 + 1000 + i).events);
    clock.advance(SETTLE + POLL + 5000);
    const { source } = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() });
    await source.open(undefined);
    const checkpoint = (await source.next(new AbortController().signal))?.checkpoint;

    const slow = new AbortController();
    const started = Date.now();
    setTimeout(() => slow.abort(), 200);
    await expect(source.next(slow.signal)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(source.checkpoint()).toBe(checkpoint); // nothing moved

    // Idle (nothing due): the wait is short, and shorter still when aborted.
    const idle = makeSource(endpoint, clock, { startFrom: 'now' }).source;
    await idle.open(undefined);
    await idle.next(new AbortController().signal);
    let t = Date.now();
    await expect(idle.next(new AbortController().signal)).resolves.toBeUndefined();
    expect(Date.now() - t).toBeLessThan(MAX_IDLE_WAIT_MS + 500);
    const abort = new AbortController();
    t = Date.now();
    setTimeout(() => abort.abort(), 100);
    await expect(idle.next(abort.signal)).resolves.toBeUndefined();
    expect(Date.now() - t).toBeLessThan(1000);
    await idle.close();
    await source.close();
  });

  it('refuses a checkpoint it did not write', async () => {
    const { source } = makeSource(endpoint, clock);
    for (const bad of [
      '',
      '{}',
      '{"v":2,"from":1}',
      '{"v":1,"from":5,"to":4}',
      '{"v":1,"from":1,"token":"x"}',
    ]) {
      await expect(source.open(bad)).rejects.toThrow(/stored checkpoint refused/);
    }
    await source.close();
  });

  it('writes every event in the audit Event JSON it was given', async () => {
    const message = auditEvent('round-trip', T0 + 1000, { annotations: { a: 'b' } });
    endpoint.put(GROUP, AUDIT_STREAMS[0], [{ timestamp: T0 + 1000, message }]);
    clock.advance(SETTLE + POLL + 2000);
    const { source } = makeSource(endpoint, clock, { startFrom: new Date(T0).toISOString() });
    await source.open(undefined);
    const items = (await drain(source)).flatMap((b) => b.items);
    await source.close();
    expect(items).toEqual([JSON.parse(message)]);
  });
});
