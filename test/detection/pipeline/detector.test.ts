import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IngestActivity } from '../../../src/feed/ingest-activity';
import { backends, startTestApp, type TestApp } from '../../support/test-app';
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

jest.setTimeout(120_000);

const T0 = Date.parse('2026-11-30T08:00:00Z');
const MIN = 60_000;

describe.each(backends())('detector after commit (%s)', (backend) => {
  let app: TestApp;
  let receiver: Server;
  let received: Record<string, unknown>[];

  beforeAll(async () => {
    received = [];
    receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    app = await startTestApp(backend, {
      ...TEST_RULES_ENV,
      FALCOSIDEKICK_URL: `http://127.0.0.1:${port}/`,
    });
    await detectorStarted(dataSourceOf(app));
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('groups 50 repeats of one rule on one object into one alert with repeats 49, and forwards the alert once as Falco JSON', async () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      auditEvent({
        verb: 'delete',
        resource: 'configmaps',
        name: 'app-config',
        user: 'mallory',
        atMs: T0 + i * 1000,
      }),
    );
    await post(app.url, 'grouping', events.slice(0, 20));
    await post(app.url, 'grouping', events.slice(20));
    // Noise that matches nothing.
    await post(app.url, 'grouping', [
      auditEvent({ verb: 'get', resource: 'pods', name: 'x', atMs: T0 }),
    ]);
    const rows = await eventually(async () => {
      const found = await detections(dataSourceOf(app), 'Test ConfigMap Deleted');
      expect(found).toHaveLength(50);
      return found;
    });
    const alerts = rows.filter((r) => r.groupedInto === null);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].repeats).toBe(49);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(50);
    expect(rows.filter((r) => r.groupedInto === alerts[0].id)).toHaveLength(49);
    expect(alerts[0].priority).toBe('WARNING');
    expect(alerts[0].severity).toBe(4);
    expect(alerts[0].output).toBe('ConfigMap default/app-config deleted by mallory');
    expect(JSON.parse(alerts[0].tags)).toEqual(['test', 'grouping']);
    expect(JSON.parse(alerts[0].fields)).toEqual(
      expect.arrayContaining([{ field: 'ka.user.name', value: 'mallory' }]),
    );
    // The alert's id carries the event's stage time (the first event's).
    expect(parseInt(alerts[0].id.slice(0, 12), 16)).toBe(T0);

    const forwarded = await eventually(async () => {
      const mine = received.filter((p) => p.rule === 'Test ConfigMap Deleted');
      expect(mine).toHaveLength(1);
      return mine[0];
    });
    expect(forwarded).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      output: 'ConfigMap default/app-config deleted by mallory',
      priority: 'Warning',
      rule: 'Test ConfigMap Deleted',
      time: '2026-11-30T08:00:00.000000000Z',
      output_fields: expect.objectContaining({ 'ka.user.name': 'mallory' }),
      source: 'k8s_audit',
      tags: ['test', 'grouping'],
      hostname: expect.any(String),
    });
    expect((forwarded.uuid as string).replace(/-/g, '')).toBe(alerts[0].id);
  });

  it('fires a window rule once per burst: the threshold raises one alert, later matches repeat it', async () => {
    const at = T0 + 60 * MIN;
    // 4 reads of distinct Secrets: below the threshold of 5; the same name again does not count.
    const reads = (names: string[], offsetMs: number) =>
      names.map((name, i) =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          name,
          user: 'eve',
          atMs: at + offsetMs + i * 1000,
        }),
      );
    await post(app.url, 'burst', reads(['s1', 's2', 's3', 's4', 's4'], 0));
    await sleep(1500);
    expect(await detections(dataSourceOf(app), 'Test Secret Burst')).toHaveLength(0);
    await post(app.url, 'burst', reads(['s5', 's6', 's7'], 10_000));
    // Another user's reads have their own window.
    await post(app.url, 'burst', [
      auditEvent({ verb: 'get', resource: 'secrets', name: 'z', user: 'bob', atMs: at }),
    ]);
    const rows = await eventually(async () => {
      const found = await detections(dataSourceOf(app), 'Test Secret Burst');
      expect(found).toHaveLength(3);
      return found;
    });
    const alerts = rows.filter((r) => r.groupedInto === null);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].repeats).toBe(2);
    expect(alerts[0].output).toBe('Secret burst by eve (last s5)');
  });

  it('fires a first-seen rule only after its learning period, once per new key', async () => {
    const at = T0 + 180 * MIN;
    const list = (user: string, atMs: number) =>
      auditEvent({ verb: 'list', resource: 'pods', name: '', user, atMs });
    // Learning starts with the rule's first signal; within the hour nothing fires.
    await post(app.url, 'first', [list('ann', at), list('ben', at + 30 * MIN)]);
    await sleep(1500);
    expect(await detections(dataSourceOf(app), 'Test First Pod List')).toHaveLength(0);
    // After learning: a new user fires, a known one does not, the new one again does not.
    await post(app.url, 'first', [list('cat', at + 90 * MIN), list('ann', at + 91 * MIN)]);
    await post(app.url, 'first', [list('cat', at + 92 * MIN)]);
    const rows = await eventually(async () => {
      const found = await detections(dataSourceOf(app), 'Test First Pod List');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0].output).toBe('First pod list by cat');
  });

  it('counts detections in /metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(
      /audit_detections_total\{rule="Test ConfigMap Deleted",priority="WARNING"\} 50/,
    );
    expect(text).toMatch(
      /audit_detection_alerts_total\{rule="Test ConfigMap Deleted",priority="WARNING"\} 1/,
    );
    expect(text).toMatch(/audit_detection_lag_seconds \d/);
    expect(text).toMatch(/audit_detection_forwarded_total \d/);
  });

  it('steps aside while webhook batches are in flight, at most 10 s, and evaluates at once when ingest is idle', async () => {
    const ds = dataSourceOf(app);
    const ofName = async (name: string) =>
      (await detections(ds, 'Test ConfigMap Deleted')).filter((r) =>
        r.output.includes(`default/${name} `),
      );
    const deleted = (name: string) =>
      auditEvent({ verb: 'delete', resource: 'configmaps', name, user: 'mallory', atMs: T0 });
    // A batch stays in flight (as on a saturated webhook) until end().
    const activity = app.app.get(IngestActivity);
    activity.begin();
    try {
      await sleep(2500); // the detector's pass under way when ingest got busy is over
      await post(app.url, 'yielding', [deleted('while-busy')]);
      const posted = Date.now();
      await sleep(3000);
      expect(await ofName('while-busy')).toHaveLength(0);
      // Deferred at most MAX_DEFER_MS (10 s) since its last pass: evaluated while still busy.
      await eventually(async () => expect(await ofName('while-busy')).toHaveLength(1), 15_000);
      expect(Date.now() - posted).toBeLessThan(14_000);
      await post(app.url, 'yielding', [deleted('when-idle')]);
      await sleep(1000);
      expect(await ofName('when-idle')).toHaveLength(0);
    } finally {
      activity.end();
    }
    const idleAt = Date.now();
    await eventually(async () => expect(await ofName('when-idle')).toHaveLength(1), 15_000);
    expect(Date.now() - idleAt).toBeLessThan(3000);
  });

  it('the console\'s detections page has no "detections are off" notice while the detector runs', async () => {
    const page = await (await fetch(`${app.url}/detections`)).text();
    expect(page).toContain('Test ConfigMap Deleted');
    expect(page).not.toContain('id="detector-off"');
  });
});
