/**
 * "Who looked" on SQLite and MariaDB: API tokens and a console user read events through the
 * real HTTP server; every read lands in the access log before its answer, with the reader's
 * name, how they authenticated, the target, address and user agent; only administrators
 * (ADMIN_GROUPS) may read the log, over the API and in the console, where hostile values are
 * shown escaped.
 */
import { DataSource } from 'typeorm';
import type { EventItem } from '../../src/audit/audit-query';
import type { AccessEntry } from '../../src/access-log/access-log.repository';
import { hashPassword } from '../../src/auth/password';
import { CapturedLogger } from '../support/captured-logger';
import { loadCorpus } from '../support/corpus';
import { LoginClient } from '../support/login-client';
import { postEvents } from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';
import { TokenClient, tokenClient } from '../support/token-client';

const TOKENS = {
  auditor: 'auditor-token-0123456789abcdef',
  reader: 'reader-token-0123456789abcdef',
  stranger: 'stranger-token-0123456789abcdef',
};
const PASSWORD = 'access log test password';
const AGENT = 'access-log-test/1.0 (+https://example.test)';
const HOSTILE_AGENT = `<script>alert("ua")</script>'&${'x'.repeat(600)}`;

type Log = { items: AccessEntry[]; nextCursor: string | null };

describe.each(backends())('access log (%s)', (backend) => {
  let app: TestApp;
  let auditor: TokenClient;
  let reader: TokenClient;
  let stranger: TokenClient;
  let events: EventItem[];
  const logger = new CapturedLogger();

  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD);
    app = await startTestApp(
      backend,
      {
        API_TOKENS: [
          `auditor-bot:${TOKENS.auditor}:auditors`,
          `reader-bot:${TOKENS.reader}:team-a`,
          `stranger:${TOKENS.stranger}`,
        ].join(','),
        CONSOLE_USERS: `root:${hash}:auditors,carol:${hash}:team-a`,
        CLUSTER_ACCESS: 'auditors:*,team-a:dev',
        ADMIN_GROUPS: 'auditors',
      },
      { logger },
    );
    auditor = tokenClient(app, TOKENS.auditor);
    reader = tokenClient(app, TOKENS.reader);
    stranger = tokenClient(app, TOKENS.stranger);
    await postEvents(
      app,
      'dev',
      (await loadCorpus()).slice(0, 40).map((c) => c.raw),
    );
    events = await auditor.all<EventItem>('/api/v1/events');
  });
  afterAll(() => app?.close());

  /** The reader's own entries, newest first (as the administrator reads them). */
  const entriesOf = (name: string) =>
    auditor.all<AccessEntry>('/api/v1/access-log', { user: name });

  it("records each of the API's reads with who, how, what, from where", async () => {
    const before = Date.now();
    const ua = { 'user-agent': AGENT };
    const event = events.find((e) => e.name !== '' && e.resource !== '')!;
    const reads: Array<[string, string, Record<string, string>?]> = [
      ['search', '/api/v1/events?verb=get&limit=5'],
      ['open-event', `/api/v1/events/${event.id}`],
      ['export', '/api/v1/events/export?format=csv'],
      ['export', '/api/v1/events/export?format=ndjson&verb=list'],
      ['stats', '/api/v1/stats?from=30d'],
      [
        'object-history',
        `/api/v1/objects/history?${new URLSearchParams({
          cluster: 'dev',
          resource: event.resource,
          namespace: event.namespace,
          name: event.name,
        })}`,
      ],
      ['user-activity', `/api/v1/users/${encodeURIComponent(event.username)}/activity`],
    ];
    for (const [action, path] of reads) {
      const answer = await reader.raw(path, undefined, ua);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      // Written before the answer was sent: there as soon as the answer is.
      const [newest] = (
        await auditor.json<Log>('/api/v1/access-log', { user: 'reader-bot', limit: 1 })
      ).items;
      expect(newest).toMatchObject({ action, name: 'reader-bot', via: 'api-token' });
    }
    const stream = await reader.stream('/api/v1/events/stream', { verb: 'create' }, 'audit');
    const [tail] = (await auditor.json<Log>('/api/v1/access-log', { user: 'reader-bot', limit: 1 }))
      .items;
    await stream.close();
    expect(tail).toMatchObject({
      action: 'live-tail',
      target: '/api/v1/events/stream?verb=create',
    });

    const entries = await entriesOf('reader-bot');
    expect(entries.map((e) => e.action)).toEqual([
      'live-tail',
      ...reads.map(([action]) => action).reverse(),
    ]);
    const byAction = entries.slice(1).reverse();
    reads.forEach(([action, path], i) => {
      expect(byAction[i]).toMatchObject({
        name: 'reader-bot',
        via: 'api-token',
        action,
        target: action === 'open-event' ? event.id : path,
        userAgent: AGENT,
      });
      expect(byAction[i].clientAddress).toMatch(/127\.0\.0\.1$/);
      expect(Date.parse(byAction[i].at)).toBeGreaterThanOrEqual(before - 5);
      expect(Date.parse(byAction[i].at)).toBeLessThanOrEqual(Date.now());
    });
    // The administrator's reading of the log is not a read of events; its search (beforeAll) is.
    expect((await entriesOf('auditor-bot')).map((e) => [e.action, e.target])).toEqual([
      ['search', '/api/v1/events?limit=500'],
    ]);
  });

  it('records a read that finds nothing too: opening a hidden event is still a look', async () => {
    expect((await stranger.raw(`/api/v1/events/${events[0].id}`)).status).toBe(404);
    const [entry] = await entriesOf('stranger');
    expect(entry).toMatchObject({ action: 'open-event', target: events[0].id, via: 'api-token' });
  });

  it('is for administrators only: 403 for any other token', async () => {
    for (const client of [reader, stranger]) {
      const answer = await client.raw('/api/v1/access-log');
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text)).toMatchObject({
        statusCode: 403,
        message: 'the access log is for administrators (ADMIN_GROUPS)',
      });
    }
    expect((await tokenClient(app, undefined).raw('/api/v1/access-log')).status).toBe(401);
  });

  it('filters by user, action and time, and pages newest first', async () => {
    for (let i = 0; i < 5; i++)
      await reader.raw('/api/v1/events', { limit: 1, namespace: `ns-${i}` });
    const all = await auditor.all<AccessEntry>('/api/v1/access-log');
    expect(all.length).toBeGreaterThan(10);
    const ids = all.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);

    const paged: AccessEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await auditor.json<Log>('/api/v1/access-log', { limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all);

    const searches = await auditor.all<AccessEntry>('/api/v1/access-log', {
      action: 'search',
      user: 'reader-bot',
    });
    expect(searches.map((e) => e.target).slice(0, 5)).toEqual(
      [4, 3, 2, 1, 0].map((i) => `/api/v1/events?limit=1&namespace=ns-${i}`),
    );
    expect(searches.every((e) => e.action === 'search' && e.name === 'reader-bot')).toBe(true);

    const middle = all[Math.floor(all.length / 2)];
    const since = await auditor.all<AccessEntry>('/api/v1/access-log', { from: middle.at });
    expect(since).toEqual(all.filter((e) => Date.parse(e.at) >= Date.parse(middle.at)));
    const until = await auditor.all<AccessEntry>('/api/v1/access-log', { to: middle.at });
    expect(until).toEqual(all.filter((e) => Date.parse(e.at) < Date.parse(middle.at)));
    expect(await auditor.all('/api/v1/access-log', { user: 'nobody' })).toEqual([]);
  });

  it.each([
    [{ action: 'delete-everything' }, /^action must be one of search, open-event/],
    [{ limit: '0' }, /^limit must be at least 1/],
    [{ limit: '501' }, /^limit must be at most 500/],
    [{ from: 'yesterday' }, /^from must be an RFC 3339 time/],
    [{ cursor: "1' OR '1'='1" }, /^cursor must be the nextCursor/],
    [{ user: 'a\u0000b' }, /^user must be non-empty text/],
    [{ from: '1h', to: '2h' }, /^from must not be later than to/],
    [{ sql: 'DROP TABLE access_log' }, /^property sql should not exist/],
  ])('rejects %j with 400', async (query, message) => {
    const answer = await auditor.raw('/api/v1/access-log', query);
    expect(answer.status).toBe(400);
    expect((JSON.parse(answer.text) as { message: string[] }).message[0]).toMatch(message);
  });

  it('stores hostile values bounded, and the console shows them escaped', async () => {
    const names = Array.from(
      { length: 20 },
      (_, i) => `<img src=x onerror=alert(${i})>${'n'.repeat(180)}`,
    );
    const answer = await reader.raw(
      '/api/v1/events',
      { name: names },
      { 'user-agent': HOSTILE_AGENT },
    );
    expect(answer.status).toBe(200);
    const [entry] = await entriesOf('reader-bot');
    expect(entry.action).toBe('search');
    expect(Array.from(entry.target)).toHaveLength(2048);
    expect(entry.target.endsWith('…')).toBe(true);
    expect(entry.target.startsWith('/api/v1/events?name=%3Cimg')).toBe(true);
    expect(Array.from(entry.userAgent)).toHaveLength(512);
    expect(entry.userAgent.startsWith('<script>alert("ua")</script>\'&xxx')).toBe(true);

    const root = new LoginClient(app.url);
    expect((await root.logIn('root', PASSWORD)).status).toBe(303);
    const page = await root.request(`/admin/access-log?user=reader-bot&limit=5`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('&lt;script&gt;alert(&quot;ua&quot;)&lt;/script&gt;&#x27;&amp;xxx');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('id="nav-access-log"');
    expect(html).toContain('/api/v1/events?name&#x3D;%3Cimg');
  });

  it("records the console's reads under the person's name; the page is for administrators only", async () => {
    const carol = new LoginClient(app.url);
    expect((await carol.logIn('carol', PASSWORD)).status).toBe(303);
    const home = await carol.request('/?verb=get');
    expect(home.status).toBe(200);
    expect(await home.text()).not.toContain('id="nav-access-log"');
    expect((await carol.request(`/events/${events[0].id}`)).status).toBe(200);
    const refused = await carol.request('/admin/access-log');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('the access log is for administrators');

    const entries = await entriesOf('carol');
    expect(entries.map((e) => [e.action, e.via, e.target])).toEqual([
      ['open-event', 'password', events[0].id],
      ['search', 'password', '/?verb=get'],
      // The login itself (the form sends her to / when no page was asked for).
      ['login', 'password', '/'],
    ]);
  });

  it('a log that cannot be written is logged and never fails the read', async () => {
    const dataSource = app.app.get(DataSource);
    await dataSource.query('ALTER TABLE access_log RENAME TO access_log_away');
    try {
      const answer = await reader.raw('/api/v1/events', { limit: 2 });
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.text) as { items: unknown[] }).items).toHaveLength(2);
      expect((await reader.raw(`/api/v1/events/${events[0].id}`)).status).toBe(200);
    } finally {
      await dataSource.query('ALTER TABLE access_log_away RENAME TO access_log');
    }
    const failures = logger.lines.filter(
      (line) => line.level === 'error' && line.context === 'AccessLog',
    );
    expect(failures.map((line) => line.message)).toEqual([
      expect.stringMatching(/^could not record search by "reader-bot": /),
      expect.stringMatching(/^could not record open-event by "reader-bot": /),
    ]);
  });
});
