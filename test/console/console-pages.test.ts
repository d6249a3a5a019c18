import { LiveTailService } from '../../src/audit/live-tail.service';
import { chromiumAvailable, screenshotBothSchemes } from '../support/browser';
import { auditEvent, fillerEvents, postEvents, storyEvents } from './console-events';
import { ConsoleSession, foreignRequests, startConsoleSession } from './console-session';

const FILLER = 60;
const describeInChromium = chromiumAvailable() ? describe : describe.skip;

describeInChromium('console pages in Chromium', () => {
  let session: ConsoleSession;

  beforeAll(async () => {
    session = await startConsoleSession({
      prod: [...fillerEvents(FILLER), ...storyEvents()],
      staging: [auditEvent({ user: { username: 'erin' }, ageSeconds: 50 })],
    });
  });
  afterAll(() => session?.close());

  /** Every page under test must work under the CSP and never reach beyond the app. */
  async function open(path: string) {
    const opened = await session.open(path);
    return {
      ...opened,
      expectClean: () => {
        expect(opened.watch.errors).toEqual([]);
        expect(opened.watch.dialogs).toEqual([]);
        expect(foreignRequests(opened.watch, session.app.url)).toEqual([]);
      },
    };
  }

  const rowUsers = (page: import('playwright-core').Page) =>
    page.$$eval('#event-rows tr[data-event-id] td:nth-child(3)', (cells) =>
      cells.map((cell) => cell.textContent?.trim()),
    );

  it('filters by user and verb from the filter bar, with every filter in the URL', async () => {
    const { page, expectClean } = await open('/');
    await screenshotBothSchemes(page, 'events');
    await page.setViewportSize({ width: 2560, height: 1440 });
    await screenshotBothSchemes(page, 'events-wall-screen');
    await page.setViewportSize({ width: 1280, height: 720 });
    await screenshotBothSchemes(page, 'events-laptop');
    await page.fill('#filter-user', 'alice');
    await page.fill('#filter-verb', 'patch');
    await Promise.all([page.waitForURL(/user=alice/), page.click('#filters button[type=submit]')]);
    expect(new URL(page.url()).search).toBe('?user=alice&verb=patch');
    expect(await rowUsers(page)).toEqual(['alice']);
    expect(await page.inputValue('#filter-user')).toBe('alice');

    await page.goBack();
    expect(new URL(page.url()).search).toBe('');
    expect((await rowUsers(page)).length).toBeGreaterThan(1);
    expectClean();
  });

  it('adds a clicked value as a filter and removes it with its chip; / focuses search', async () => {
    const { page, expectClean } = await open('/?user=alice');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.id')).toBe('search');

    await Promise.all([
      page.waitForURL(/verb=create/),
      page.click('#event-rows tr:has-text("create") td:nth-child(4) a'),
    ]);
    expect(new URL(page.url()).search).toBe('?user=alice&verb=create');
    expect(await page.locator('#event-rows tr[data-event-id]').count()).toBe(1);
    await screenshotBothSchemes(page, 'events-filtered');

    await Promise.all([page.waitForURL(/\?user=alice$/), page.click('a.chip:has-text("create")')]);
    expect(await page.locator('#event-rows tr[data-event-id]').count()).toBe(3);
    expectClean();
  });

  it('highlights denials, failures, sessions and Secret reads', async () => {
    const { page, expectClean } = await open('/?cluster=prod&from=1h');
    const badges = await page.$$eval('#event-rows tr span.rounded', (spans) =>
      spans.map((span) => span.textContent?.trim()),
    );
    expect(badges).toEqual(
      expect.arrayContaining(['denied', 'unauthenticated', 'failed 500', 'exec', 'Secret read']),
    );
    expect(await page.locator('svg[role=img] a').count()).toBeGreaterThan(1);
    expectClean();
  });

  it('switches cluster from the header, keeping the other filters', async () => {
    const { page, expectClean } = await open('/?verb=get');
    await page.click('#cluster-switcher summary');
    await Promise.all([
      page.waitForURL(/cluster=staging/),
      page.click('#cluster-switcher a:text-is("staging")'),
    ]);
    expect(new URL(page.url()).search).toBe('?cluster=staging&verb=get');
    expect(await rowUsers(page)).toEqual(['erin']);
    expect(await page.textContent('#cluster-switcher summary strong')).toBe('staging');
    expectClean();
  });

  it('loads the next page by keyset as the table scrolls', async () => {
    const { page, expectClean } = await open('/?cluster=prod');
    const rows = page.locator('#event-rows tr[data-event-id]');
    expect(await rows.count()).toBe(50);
    await page.locator('#more-rows').scrollIntoViewIfNeeded();
    const total = FILLER + storyEvents().length;
    await rows.nth(total - 1).waitFor();
    expect(await rows.count()).toBe(total);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-id')));
    expect(new Set(ids).size).toBe(total);
    expect(await page.locator('#more-rows').count()).toBe(0);
    expectClean();
  });

  it('opens an event and copies its kubectl command', async () => {
    const { page, expectClean } = await open('/?user=bob');
    await Promise.all([
      page.waitForURL(/\/events\/[0-9a-f-]{36}$/),
      page.click('#event-rows tr[data-event-id] >> nth=-1 >> a.link'),
    ]);
    expect(await page.textContent('#summary')).toMatch(/^bob ran `sh -c 'cat \/etc\/passwd'`/);
    await page.click('#copy-command');
    await page.waitForSelector('#copy-command[data-copied]');
    const command = await page.textContent('#kubectl-command');
    expect(command).toBe("kubectl exec -i -t web-0 -c web -n shop -- sh -c 'cat /etc/passwd'");
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
    expect(await page.locator('#stage-rows tr[data-event-id]').count()).toBe(1);
    expect(await page.getAttribute('a:has-text("Activity of bob")', 'href')).toBe('/users/bob');
    await screenshotBothSchemes(page, 'event-detail');
    expectClean();
  });

  it('shows the history of an object with the diff of each change', async () => {
    const { page, expectClean } = await open('/?user=alice&verb=patch');
    await Promise.all([page.waitForURL(/\/events\//), page.click('#event-rows tr a.link')]);
    await Promise.all([
      page.waitForURL(/\/objects\?/),
      page.click('a:has-text("History of this object")'),
    ]);
    const params = new URL(page.url()).searchParams;
    expect(Object.fromEntries(params)).toEqual({
      cluster: 'prod',
      apiGroup: 'apps',
      resource: 'deployments',
      namespace: 'shop',
      name: 'web',
    });
    const replicas = page.locator('table.diff tr:has-text("spec.replicas"):has-text("changed")');
    await replicas.waitFor();
    expect(await replicas.locator('td').allTextContents()).toEqual([
      'spec.replicas',
      'changed',
      '1',
      '3',
    ]);
    await screenshotBothSchemes(page, 'object-history');
    expectClean();
  });

  it('tails new events live, and holds them back while paused', async () => {
    const { page, expectClean } = await open('/?cluster=prod');
    await page.click('#live-toggle');
    await page.locator('#live-status:text-is("live")').waitFor();
    await postEvents(session.app.url, 'prod', [
      auditEvent({
        ageSeconds: 0.5,
        user: { username: 'dave' },
        objectRef: {
          resource: 'configmaps',
          namespace: 'shop',
          name: 'tailed-1',
          apiVersion: 'v1',
        },
      }),
    ]);
    const first = page.locator('#event-rows tr:first-child:has-text("tailed-1")');
    // The promise: on screen within 2 s of the commit.
    await first.waitFor({ timeout: 2000 });

    await page.click('#live-toggle');
    await postEvents(session.app.url, 'prod', [
      auditEvent({
        ageSeconds: 0.5,
        user: { username: 'dave' },
        objectRef: {
          resource: 'configmaps',
          namespace: 'shop',
          name: 'tailed-2',
          apiVersion: 'v1',
        },
      }),
    ]);
    await page.locator('#live-status:text-is("paused · 1 new")').waitFor();
    expect(await page.locator('#event-rows tr:has-text("tailed-2")').count()).toBe(0);
    await page.click('#live-toggle');
    await page
      .locator('#event-rows tr:first-child:has-text("tailed-2")')
      .waitFor({ timeout: 1000 });
    expectClean();
  });

  it('costs one database poll per interval however many browsers tail', async () => {
    const liveTail = session.app.app.get(LiveTailService);
    const tabs = await Promise.all([1, 2, 3, 4].map(() => open('/?cluster=prod')));
    for (const tab of tabs) {
      await tab.page.click('#live-toggle');
      await tab.page.locator('#live-status:text-is("live")').waitFor();
    }
    const before = liveTail.polls;
    const seconds = 3;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const polls = liveTail.polls - before;
    expect(polls).toBeGreaterThanOrEqual(seconds - 1);
    expect(polls).toBeLessThanOrEqual(seconds + 1);
    await Promise.all(tabs.map((tab) => tab.page.close()));
  });

  it('renders user activity and the overview with their sections', async () => {
    const user = await open('/users/alice');
    expect(await user.page.textContent('h1')).toBe('alice');
    expect(await user.page.textContent('main')).toMatch(/3\s*requests/);
    await screenshotBothSchemes(user.page, 'user-activity');
    user.expectClean();

    const overview = await open('/overview');
    const section = (title: string) => overview.page.locator(`section:has(h2:text-is("${title}"))`);
    expect(await section('Failed logins (401)').textContent()).toContain('system:anonymous');
    expect(await section('exec, attach and port-forward sessions').textContent()).toContain('bob');
    expect(await section('Secret reads').textContent()).toContain('carol');
    expect(await section('Denied and failed requests').textContent()).toContain('mallory');
    expect(await overview.page.locator('svg[aria-label^="Events over time in"]').count()).toBe(2);
    await screenshotBothSchemes(overview.page, 'overview');
    overview.expectClean();
  });

  it('lists the clusters from the header with their newest event, each linking to its events', async () => {
    const { page, expectClean } = await open('/');
    await Promise.all([page.waitForURL(/\/clusters$/), page.click('#nav-clusters')]);
    const rows = await page.$$eval('#clusters tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
    );
    // Both clusters, by name; their events came by the webhook.
    expect(rows.map((r) => [r[0], r[2]])).toEqual([
      ['prod', 'webhook'],
      ['staging', 'webhook'],
    ]);
    // The console shows <time> in the browser's time zone (stamped seconds ago by the suite).
    for (const row of rows) expect(row[1]).toMatch(/2\d{3}/);
    expect(await page.locator('#sources').count()).toBe(0);
    await screenshotBothSchemes(page, 'clusters');
    await Promise.all([
      page.waitForURL(/cluster=staging/),
      page.click('#clusters a:text-is("staging")'),
    ]);
    expect(await rowUsers(page)).toEqual(['erin']);
    expectClean();
  });
});
