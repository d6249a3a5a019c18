/**
 * The read side of detections through the real HTTP API, on SQLite and MariaDB: events are
 * posted through the webhook, detections inserted as the detector would store them
 * (detection-rows.ts), then read as an API token that sees every cluster and as one that sees
 * only `dev`. Expected answers are derived from what was inserted.
 */
import type { EventItem, Page } from '../../../src/audit/audit-query';
import type { DetectionPriority, DetectionSummary } from '../../../src/detection/detection';
import type {
  DetectionItem,
  DetectionSummaryAnswer,
} from '../../../src/detection/query/detection-query.service';
import { EventSpec, messageOf, postEvents, BadRequest } from '../../support/query-fixtures';
import { hashPassword } from '../../../src/auth/password';
import { LoginClient } from '../../support/login-client';
import { backends, startTestApp, TestApp } from '../../support/test-app';
import { TokenClient, tokenClient } from '../../support/token-client';
import { DetectionSeed, insertDetections } from './detection-rows';

const TOKENS = { sre: 'sre-token-0123456789abcdef', dev: 'dev-token-0123456789abcdef' };
const ENV = {
  API_TOKENS: `sre-bot:${TOKENS.sre}:sre,dev-bot:${TOKENS.dev}:team-dev`,
  CLUSTER_ACCESS: 'sre:*,team-dev:dev',
  // The rows under test are inserted by the test (detection-rows.ts), not by the detector.
  DETECTIONS: 'false',
};
const HOSTILE = '<img src=x onerror=alert(1)>';
const PASSWORD = 'detections test password';
/** An hour ago, so the summary's default range (7 days) holds every event. */
const T0 = Date.now() - 3_600_000;
const SECRET_READS = 23;

function spec(auditID: string, seconds: number, extra: Partial<EventSpec> = {}): EventSpec {
  return {
    auditID,
    at: T0 + seconds * 1000,
    verb: 'get',
    resource: 'pods',
    namespace: 'shop',
    name: `web-${seconds}`,
    code: 200,
    ...extra,
  };
}

const PROD: EventSpec[] = [
  spec('priv', 1, { verb: 'create', user: 'mallory', code: 201 }),
  spec('exec-1', 2, { subresource: 'exec', user: 'bob', code: 101 }),
  spec('exec-2', 3, { subresource: 'exec', user: 'bob', code: 101 }),
  spec('quiet', 4, { user: 'alice' }),
  ...Array.from({ length: SECRET_READS }, (_, i) =>
    spec(`secret-${i}`, 10 + i, { resource: 'secrets', name: `db-${i}`, user: 'eve' }),
  ),
  spec('quiet-2', 60, { user: 'alice' }),
];
const DEV: EventSpec[] = [
  spec('dev-exec', 5, { subresource: 'exec', user: 'dana', code: 101 }),
  spec('dev-quiet', 6, { user: 'dana' }),
];

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);

describe.each(backends())('detections API (%s)', (backend) => {
  let app: TestApp;
  let sre: TokenClient;
  let dev: TokenClient;
  /** Event ids by auditID. */
  const event: Record<string, string> = {};
  /** Detection ids by a name of the test's own. */
  const det: Record<string, string> = {};
  const seeds: (DetectionSeed & { key: string })[] = [];

  beforeAll(async () => {
    // dana is a person of team-dev: the console shows her what the dev token sees.
    const hash = await hashPassword(PASSWORD);
    app = await startTestApp(backend, { ...ENV, CONSOLE_USERS: `dana:${hash}:team-dev` });
    sre = tokenClient(app, TOKENS.sre);
    dev = tokenClient(app, TOKENS.dev);
    await postEvents(app, 'prod', PROD);
    await postEvents(app, 'dev', DEV);
    for (const item of await sre.all<EventItem>('/api/v1/events')) event[item.auditID] = item.id;
    const seed = (
      key: string,
      auditID: string,
      rule: string,
      priority: DetectionPriority,
      more: Partial<DetectionSeed> = {},
    ) =>
      seeds.push({
        key,
        eventId: event[auditID],
        cluster: auditID.startsWith('dev') ? 'dev' : 'prod',
        rule,
        priority,
        ...more,
      });
    seed('priv', 'priv', 'Create Privileged Pod', 'CRITICAL', {
      output: 'Pod started with privileged container (user=mallory pod=web-1)',
      tags: ['k8s', 'T1610'],
      fields: [
        { field: 'ka.user.name', value: 'mallory' },
        { field: 'ka.req.pod.containers.privileged', value: [true] },
      ],
    });
    seed('hostile', 'priv', 'Hostile Output', 'ERROR', { output: HOSTILE, tags: [HOSTILE] });
    seed('exec-1', 'exec-1', 'Attach/Exec Pod', 'NOTICE', { repeats: 1 });
    seed('dev-exec', 'dev-exec', 'Attach/Exec Pod', 'NOTICE');
    for (let i = 0; i < SECRET_READS; i++)
      seed(`secret-${i}`, `secret-${i}`, 'K8s Secret Get', 'WARNING');
    const inserted = await insertDetections(app, seeds);
    seeds.forEach((s, i) => (det[s.key] = inserted[i]));
    // A repeat of exec-1, grouped into its alert.
    [det['exec-2']] = await insertDetections(app, [
      {
        eventId: event['exec-2'],
        cluster: 'prod',
        rule: 'Attach/Exec Pod',
        priority: 'NOTICE',
        groupedInto: det['exec-1'],
      },
    ]);
  });
  afterAll(() => app?.close());

  const summaryOf = (key: string): DetectionSummary => {
    const s = seeds.find((one) => one.key === key)!;
    return {
      rule: s.rule,
      priority: s.priority,
      output: s.output ?? `${s.rule} fired (cluster=${s.cluster})`,
      tags: s.tags ?? ['k8s', 'T1098'],
    };
  };

  describe('event items', () => {
    it('carry their detections, most severe first; an empty list when none fired', async () => {
      const items = await sre.all<EventItem>('/api/v1/events');
      const byAudit = Object.fromEntries(items.map((item) => [item.auditID, item]));
      expect(byAudit.priv.detections).toEqual([summaryOf('priv'), summaryOf('hostile')]);
      expect(byAudit['exec-1'].detections).toEqual([summaryOf('exec-1')]);
      expect(byAudit['exec-2'].detections).toEqual([
        {
          rule: 'Attach/Exec Pod',
          priority: 'NOTICE',
          output: 'Attach/Exec Pod fired (cluster=prod)',
          tags: ['k8s', 'T1098'],
        },
      ]);
      expect(byAudit.quiet.detections).toEqual([]);
      expect(byAudit['dev-quiet'].detections).toEqual([]);
    });

    it('the detail, the object history and the user activity carry them too', async () => {
      const detail = await sre.json<EventItem>(`/api/v1/events/${event.priv}`);
      expect(detail.detections.map((d) => d.rule)).toEqual([
        'Create Privileged Pod',
        'Hostile Output',
      ]);
      const history = await sre.json<Page<EventItem>>('/api/v1/objects/history', {
        cluster: 'prod',
        resource: 'pods',
        namespace: 'shop',
        name: 'web-1',
      });
      expect(history.items.map((item) => item.detections.length)).toEqual([2]);
      const stream = await sre.all<EventItem>('/api/v1/events', { user: 'eve', limit: 5 });
      expect(stream.every((item) => item.detections[0]?.rule === 'K8s Secret Get')).toBe(true);
    });

    it('hasDetections=true lists exactly the events a rule fired on; false the others', async () => {
      const fired = await sre.all<EventItem>('/api/v1/events', { hasDetections: 'true' });
      const expected = new Set(seeds.map((s) => s.eventId).concat(event['exec-2']));
      expect(new Set(ids(fired))).toEqual(expected);
      expect(ids(fired)).toEqual([...ids(fired)].sort().reverse());
      const quiet = await sre.all<EventItem>('/api/v1/events', { hasDetections: 'false' });
      expect(quiet.map((item) => item.auditID).sort()).toEqual(['dev-quiet', 'quiet', 'quiet-2']);
      // Pages of 4 walk the same events.
      const paged = await sre.json<Page<EventItem>>('/api/v1/events', {
        hasDetections: 'true',
        limit: 4,
      });
      expect(ids(paged.items)).toEqual(ids(fired).slice(0, 4));
    });

    it('detectionRule lists the events one of the rules fired on', async () => {
      const exec = await sre.all<EventItem>('/api/v1/events', { detectionRule: 'Attach/Exec Pod' });
      expect(exec.map((item) => item.auditID)).toEqual(['dev-exec', 'exec-2', 'exec-1']);
      const two = await sre.all<EventItem>('/api/v1/events', {
        detectionRule: ['Hostile Output', 'Attach/Exec Pod'],
        cluster: 'prod',
      });
      expect(two.map((item) => item.auditID)).toEqual(['exec-2', 'exec-1', 'priv']);
      expect(await sre.all('/api/v1/events', { detectionRule: 'No Such Rule' })).toEqual([]);
    });

    it('stats and export follow the filter', async () => {
      const stats = await sre.json<{ total: number }>('/api/v1/stats', {
        hasDetections: 'true',
        from: '7d',
      });
      expect(stats.total).toBe(seeds.length); // priv has two detections, exec-2 one
      const ndjson = await sre.raw('/api/v1/events/export', {
        detectionRule: 'Create Privileged Pod',
      });
      const lines = ndjson.text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EventItem);
      expect(lines.map((l) => l.auditID)).toEqual(['priv']);
      expect(lines[0].detections).toHaveLength(2);
    });
  });

  it('live tail items carry the detections stored so far (none yet for a new event)', async () => {
    const stream = await sre.stream<EventItem>('/api/v1/events/stream', {}, 'audit');
    try {
      // The tail primes itself on its first poll: events stored after it are news.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await postEvents(app, 'prod', [spec('live', 3000, { user: 'live-user' })]);
      const [item] = await stream.waitFor(1, 10_000);
      expect(item?.auditID).toBe('live');
      expect(item?.detections).toEqual([]);
    } finally {
      await stream.close();
    }
  });

  describe('GET /api/v1/detections', () => {
    it('lists alerts newest first with their repeats and the event they fired on', async () => {
      const page = await sre.json<Page<DetectionItem>>('/api/v1/detections', { limit: 500 });
      const alerts = seeds.map((s) => det[s.key]);
      expect(new Set(ids(page.items))).toEqual(new Set(alerts));
      expect(ids(page.items)).toEqual([...ids(page.items)].sort().reverse());
      const exec = page.items.find((item) => item.id === det['exec-1'])!;
      expect(exec).toMatchObject({
        eventId: event['exec-1'],
        cluster: 'prod',
        rule: 'Attach/Exec Pod',
        priority: 'NOTICE',
        repeats: 1,
        links: {
          event: `/api/v1/events/${event['exec-1']}`,
          console: `/events/${event['exec-1']}`,
        },
      });
      expect(exec.groupedInto).toBeUndefined();
      expect(exec.event?.username).toBe('bob');
      expect(exec.event?.summary).toMatch(/bob/);
      expect(Date.parse(exec.time)).toBe(T0 + 2000);
      const priv = page.items.find((item) => item.id === det.priv)!;
      expect(priv.fields).toEqual([
        { field: 'ka.user.name', value: 'mallory' },
        { field: 'ka.req.pod.containers.privileged', value: [true] },
      ]);
      expect(priv.tags).toEqual(['k8s', 'T1610']);
      const hostile = page.items.find((item) => item.id === det.hostile)!;
      expect(hostile.output).toBe(HOSTILE);
    });

    it('grouped=false lists every detection, the grouped one naming its alert', async () => {
      const page = await sre.json<Page<DetectionItem>>('/api/v1/detections', {
        grouped: 'false',
        rule: 'Attach/Exec Pod',
      });
      expect(ids(page.items).sort()).toEqual(
        [det['exec-1'], det['exec-2'], det['dev-exec']].sort(),
      );
      expect(page.items.find((item) => item.id === det['exec-2'])!.groupedInto).toBe(det['exec-1']);
      const alerts = await sre.json<Page<DetectionItem>>('/api/v1/detections', {
        rule: 'Attach/Exec Pod',
      });
      expect(ids(alerts.items).sort()).toEqual([det['exec-1'], det['dev-exec']].sort());
    });

    it('priority is a minimum, as Falco reads it, in any case', async () => {
      const rulesAt = async (priority: string) => {
        const page = await sre.json<Page<DetectionItem>>('/api/v1/detections', {
          priority,
          limit: 500,
        });
        return [...new Set(page.items.map((item) => item.priority))].sort();
      };
      expect(await rulesAt('warning')).toEqual(['CRITICAL', 'ERROR', 'WARNING']);
      expect(await rulesAt('ERROR')).toEqual(['CRITICAL', 'ERROR']);
      expect(await rulesAt('Critical')).toEqual(['CRITICAL']);
      expect(await rulesAt('emergency')).toEqual([]);
      expect(await rulesAt('debug')).toEqual(['CRITICAL', 'ERROR', 'NOTICE', 'WARNING']);
      expect(await rulesAt('info')).toEqual(['CRITICAL', 'ERROR', 'NOTICE', 'WARNING']);
    });

    it('pages on the id without gaps or duplicates', async () => {
      const all = await sre.json<Page<DetectionItem>>('/api/v1/detections', {
        grouped: 'false',
        limit: 500,
      });
      expect(all.items).toHaveLength(seeds.length + 1);
      const walked: string[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 50; n++) {
        const page: Page<DetectionItem> = await sre.json('/api/v1/detections', {
          grouped: 'false',
          limit: 4,
          cursor,
        });
        expect(page.items.length).toBeLessThanOrEqual(4);
        walked.push(...ids(page.items));
        if (page.nextCursor === null) break;
        expect(page.nextCursor).toBe(page.items[page.items.length - 1].id);
        cursor = page.nextCursor;
      }
      expect(walked).toEqual(ids(all.items));
      // An exactly full last page has no next cursor.
      const exact = await sre.json<Page<DetectionItem>>('/api/v1/detections', {
        rule: 'K8s Secret Get',
        limit: SECRET_READS,
      });
      expect(exact.items).toHaveLength(SECRET_READS);
      expect(exact.nextCursor).toBeNull();
    });

    it('from/to select by event time; eventId the detections of one event', async () => {
      const from = new Date(T0 + 10_000).toISOString();
      const to = new Date(T0 + 15_000).toISOString();
      const page = await sre.json<Page<DetectionItem>>('/api/v1/detections', { from, to });
      expect(ids(page.items).sort()).toEqual([0, 1, 2, 3, 4].map((i) => det[`secret-${i}`]).sort());
      const one = await sre.json<Page<DetectionItem>>('/api/v1/detections', {
        eventId: event.priv.toUpperCase(),
      });
      expect(ids(one.items).sort()).toEqual([det.priv, det.hostile].sort());
    });

    it('the summary counts alerts and detections per rule, most severe first', async () => {
      const answer = await sre.json<DetectionSummaryAnswer>('/api/v1/detections/summary');
      expect(answer.rules.map((r) => [r.rule, r.priority, r.alerts, r.detections])).toEqual([
        ['Create Privileged Pod', 'CRITICAL', 1, 1],
        ['Hostile Output', 'ERROR', 1, 1],
        ['K8s Secret Get', 'WARNING', SECRET_READS, SECRET_READS],
        ['Attach/Exec Pod', 'NOTICE', 2, 3],
      ]);
      const exec = answer.rules.find((r) => r.rule === 'Attach/Exec Pod')!;
      expect(Date.parse(exec.lastSeen)).toBe(T0 + 5000);
      expect(answer.toMs - answer.fromMs).toBe(7 * 86_400_000);
      const prodOnly = await sre.json<DetectionSummaryAnswer>('/api/v1/detections/summary', {
        cluster: 'prod',
        priority: 'notice',
        from: new Date(T0).toISOString(),
        to: new Date(T0 + 3000).toISOString(),
      });
      expect(prodOnly.rules.map((r) => [r.rule, r.detections])).toEqual([
        ['Create Privileged Pod', 1],
        ['Hostile Output', 1],
        ['Attach/Exec Pod', 1],
      ]);
    });
  });

  describe('a token that sees only dev', () => {
    it("reads only dev's detections, in every read", async () => {
      const events = await dev.all<EventItem>('/api/v1/events');
      expect(events.map((item) => item.auditID).sort()).toEqual(['dev-exec', 'dev-quiet']);
      expect(events.find((item) => item.auditID === 'dev-exec')!.detections).toEqual([
        summaryOf('dev-exec'),
      ]);
      const list = await dev.json<Page<DetectionItem>>('/api/v1/detections', { grouped: 'false' });
      expect(ids(list.items)).toEqual([det['dev-exec']]);
      const asked = await dev.json<Page<DetectionItem>>('/api/v1/detections', { cluster: 'prod' });
      expect(asked.items).toEqual([]);
      const ofProdEvent = await dev.json<Page<DetectionItem>>('/api/v1/detections', {
        eventId: event.priv,
      });
      expect(ofProdEvent.items).toEqual([]);
      const summary = await dev.json<DetectionSummaryAnswer>('/api/v1/detections/summary');
      expect(summary.rules.map((r) => [r.rule, r.detections])).toEqual([['Attach/Exec Pod', 1]]);
      const filtered = await dev.all<EventItem>('/api/v1/events', { hasDetections: 'true' });
      expect(filtered.map((item) => item.auditID)).toEqual(['dev-exec']);
      expect((await dev.raw(`/api/v1/events/${event.priv}`)).status).toBe(404);
    });
  });

  it("the console shows a person of team-dev only dev's detections", async () => {
    const dana = new LoginClient(app.url);
    expect((await dana.logIn('dana', PASSWORD)).status).toBe(303);
    const html = async (path: string) => {
      const res = await dana.request(path);
      expect(res.status).toBe(200);
      return res.text();
    };
    const page = await html('/detections?grouped=false');
    const shown = [...page.matchAll(/data-detection-id="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(shown).toEqual([det['dev-exec']]);
    const rules = [...page.matchAll(/data-rule="([^"]*)"/g)].map((m) => m[1]);
    expect(rules).toEqual(['Attach/Exec Pod']);
    expect(page).not.toContain('Create Privileged Pod');
    const events = await html('/?hasDetections=true');
    const rows = [...events.matchAll(/data-event-id="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(rows).toEqual([event['dev-exec']]);
    // A prod event: answered as unknown, its detections never shown.
    const prod = await dana.request(`/events/${event.priv}`);
    expect(prod.status).toBe(404);
    expect(await prod.text()).not.toContain('Create Privileged Pod');
  });

  describe('bad parameters', () => {
    it.each(
      (
        [
          [
            '/api/v1/detections',
            { priority: 'loud' },
            'priority must be one of emergency, alert, critical, error, warning, notice, informational, debug',
          ],
          ['/api/v1/detections', { limit: '0' }, 'limit must be at least 1'],
          ['/api/v1/detections', { limit: '501' }, 'limit must be at most 500'],
          [
            '/api/v1/detections',
            { cursor: 'xyz' },
            'cursor must be the nextCursor of a previous page',
          ],
          ['/api/v1/detections', { grouped: 'maybe' }, 'grouped must be true or false'],
          ['/api/v1/detections', { from: 'yesterday' }, 'from must be an RFC 3339 time'],
          ['/api/v1/detections', { from: '1h', to: '2h' }, 'from must not be later than to'],
          ['/api/v1/detections', { rule: 'x'.repeat(201) }, 'rule must be at most 200 characters'],
          ['/api/v1/detections', { rule: 'a\u0007b' }, 'rule must be non-empty text'],
          ['/api/v1/detections', { eventId: 'abc' }, 'eventId must be an event id'],
          ['/api/v1/detections', { cluster: 'Prod!' }, 'cluster must be 1-63 characters'],
          ['/api/v1/detections', { sort: 'id' }, 'property sort should not exist'],
          ['/api/v1/detections/summary', { priority: 'high' }, 'priority must be one of'],
          ['/api/v1/detections/summary', { limit: '5' }, 'property limit should not exist'],
          ['/api/v1/events', { hasDetections: 'yes' }, 'hasDetections must be true or false'],
          [
            '/api/v1/events',
            { detectionRule: 'r'.repeat(201) },
            'detectionRule must be at most 200 characters',
          ],
        ] as [string, Record<string, string>, string][]
      ).map(([path, query, message]) => [path, message, query] as const),
    )('%s: 400 %s', async (path, message, query) => {
      const answer = await sre.raw(path, query);
      expect(answer.status).toBe(400);
      expect(messageOf(JSON.parse(answer.text) as BadRequest)).toContain(message);
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = await sre.json<{ paths: Record<string, unknown> }>('/api/docs-json');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/detections', '/api/v1/detections/summary']),
    );
  });
});
