/**
 * Detections in the console, in headless Chromium: the badge of event rows, the "has
 * detections" filter, the /detections page and "why it fired" on the event detail, with a rule
 * output and field names that would run as HTML if the console ever printed them unescaped.
 * The detections are inserted as the detector stores them (test/detection/query).
 */
import type { EventItem } from '../../src/audit/audit-query';
import { chromiumAvailable, screenshotBothSchemes } from '../support/browser';
import { insertDetections } from '../detection/query/detection-rows';
import { auditEvent, fillerEvents } from './console-events';
import { ConsoleSession, foreignRequests, startConsoleSession } from './console-session';

const describeInChromium = chromiumAvailable() ? describe : describe.skip;
const HOSTILE = '<img src=x onerror=alert(1)>';

describeInChromium('detections in the console (Chromium)', () => {
  let session: ConsoleSession;
  const event: Record<string, string> = {};

  beforeAll(async () => {
    session = await startConsoleSession(
      {
        prod: [
          ...fillerEvents(12),
          auditEvent({
            auditID: 'priv',
            ageSeconds: 300,
            verb: 'create',
            user: { username: 'mallory', groups: ['devs'] },
            requestURI: '/api/v1/namespaces/shop/pods',
            objectRef: {
              resource: 'pods',
              namespace: 'shop',
              name: 'root-shell',
              apiVersion: 'v1',
            },
            responseStatus: { metadata: {}, code: 201 },
          }),
          // Two more shells of bob in web-0 a little later: repeats grouped into the first alert.
          ...[190, 180].map((ageSeconds, i) =>
            auditEvent({
              auditID: `exec-repeat-${i}`,
              ageSeconds,
              user: { username: 'bob', groups: ['ops'] },
              requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&stdin=true&tty=true',
              objectRef: {
                resource: 'pods',
                subresource: 'exec',
                namespace: 'shop',
                name: 'web-0',
                apiVersion: 'v1',
              },
              responseStatus: { metadata: {}, code: 101 },
            }),
          ),
          auditEvent({
            auditID: 'exec',
            ageSeconds: 200,
            user: { username: 'bob', groups: ['ops'] },
            requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&stdin=true&tty=true',
            objectRef: {
              resource: 'pods',
              subresource: 'exec',
              namespace: 'shop',
              name: 'web-0',
              apiVersion: 'v1',
            },
            responseStatus: { metadata: {}, code: 101 },
          }),
        ],
        staging: [auditEvent({ auditID: 'staging-quiet', ageSeconds: 100 })],
      },
      // Only the rows this suite inserts: the detector stays off.
      { DETECTIONS: 'false' },
    );
    const res = await fetch(`${session.app.url}/api/v1/events?limit=500`);
    for (const item of ((await res.json()) as { items: EventItem[] }).items) {
      event[item.auditID] = item.id;
    }
    const alerts = await insertDetections(session.app, [
      {
        eventId: event.priv,
        cluster: 'prod',
        rule: 'Create Privileged Pod',
        priority: 'CRITICAL',
        output: 'Pod started with privileged container (user=mallory pod=root-shell ns=shop)',
        tags: ['k8s', 'T1610'],
        fields: [
          { field: 'ka.user.name', value: 'mallory' },
          { field: 'ka.req.pod.containers.privileged', value: [true] },
        ],
      },
      {
        eventId: event.priv,
        cluster: 'prod',
        rule: 'Hostile Output',
        priority: 'ERROR',
        output: HOSTILE,
        tags: [HOSTILE],
        fields: [{ field: HOSTILE, value: HOSTILE }],
      },
      {
        eventId: event.exec,
        cluster: 'prod',
        rule: 'Attach/Exec Pod',
        priority: 'NOTICE',
        output: 'Attach/Exec to pod (user=bob pod=web-0 ns=shop action=exec command=sh)',
        tags: ['k8s', 'T1609'],
        repeats: 2,
      },
    ]);
    await insertDetections(
      session.app,
      [0, 1].map((i) => ({
        eventId: event[`exec-repeat-${i}`],
        cluster: 'prod',
        rule: 'Attach/Exec Pod',
        priority: 'NOTICE' as const,
        output: 'Attach/Exec to pod (user=bob pod=web-0 ns=shop action=exec command=sh)',
        groupedInto: alerts[2],
      })),
    );
  });
  afterAll(() => session?.close());

  async function open(path: string) {
    const opened = await session.open(path);
    return {
      ...opened,
      expectClean: async () => {
        expect(opened.watch.errors).toEqual([]);
        expect(opened.watch.dialogs).toEqual([]);
        expect(foreignRequests(opened.watch, session.app.url)).toEqual([]);
        // The hostile text never became an element.
        expect(await opened.page.locator('img').count()).toBe(0);
      },
    };
  }

  it('badges the rows a rule fired on: most severe priority, count, the rules in the title', async () => {
    const { page, expectClean } = await open('/');
    const badge = page.locator(`#event-rows tr[data-event-id="${event.priv}"] a.detection-badge`);
    expect((await badge.textContent())?.trim()).toBe('⚑ critical +1');
    expect(await badge.getAttribute('title')).toBe(
      `Create Privileged Pod (critical)\nHostile Output (error)`,
    );
    const exec = page.locator(`#event-rows tr[data-event-id="${event.exec}"] a.detection-badge`);
    expect((await exec.textContent())?.trim()).toBe('⚑ notice');
    expect(await page.locator('#event-rows a.detection-badge').count()).toBe(4);
    await screenshotBothSchemes(page, 'events-detections');

    await Promise.all([page.waitForURL(/\/events\//), badge.click()]);
    expect(new URL(page.url()).hash).toBe('#detections');
    await expectClean();
  });

  it('filters by "has detections" from the filter bar, and by rule under More filters', async () => {
    const { page, expectClean } = await open('/');
    await page.check('#filter-hasDetections');
    await Promise.all([
      page.waitForURL(/hasDetections=true/),
      page.click('#filters button[type=submit]'),
    ]);
    const rows = await page.$$eval('#event-rows tr[data-event-id]', (trs) =>
      trs.map((tr) => tr.getAttribute('data-event-id')),
    );
    expect(rows).toEqual([event['exec-repeat-1'], event['exec-repeat-0'], event.exec, event.priv]);
    expect(await page.isChecked('#filter-hasDetections')).toBe(true);
    expect(await page.locator('a.chip:has-text("Has detections")').count()).toBe(1);

    await page.click('#filters summary');
    await page.fill('#filter-detectionRule', 'Hostile Output');
    await Promise.all([
      page.waitForURL(/detectionRule=/),
      page.click('#filters button[type=submit]'),
    ]);
    const ruled = await page.$$eval('#event-rows tr[data-event-id]', (trs) =>
      trs.map((tr) => tr.getAttribute('data-event-id')),
    );
    expect(ruled).toEqual([event.priv]);
    await expectClean();
  });

  it('/detections: rules with counts, priority and last seen; a rule lists its alerts', async () => {
    const { page, expectClean } = await open('/');
    await Promise.all([page.waitForURL(/\/detections$/), page.click('#nav-detections')]);
    const rules = await page.$$eval('#detection-rules tbody tr', (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent?.trim()),
      ),
    );
    // This server runs with DETECTIONS=false: the page says so above what it lists.
    expect(await page.textContent('#detector-off')).toContain('DETECTIONS=false');
    expect(rules).toEqual([
      ['critical', 'Create Privileged Pod', '1', '1'],
      ['error', 'Hostile Output', '1', '1'],
      ['notice', 'Attach/Exec Pod', '1', '3'],
    ]);
    // The newest alerts below, the hostile output as text.
    const outputs = await page.$$eval('#detection-alerts .detection-output', (ps) =>
      ps.map((p) => p.textContent),
    );
    expect(outputs).toContain(HOSTILE);
    await screenshotBothSchemes(page, 'detections');
    await page.setViewportSize({ width: 2560, height: 1440 });
    await screenshotBothSchemes(page, 'detections-wall-screen');
    await page.setViewportSize({ width: 1280, height: 720 });

    await Promise.all([
      page.waitForURL(/rule=Attach/),
      page.click('#detection-rules a:has-text("Attach/Exec Pod")'),
    ]);
    expect((await page.textContent('#detections-title'))?.trim()).toBe('Attach/Exec Pod');
    const alerts = await page.$$eval('#detection-alerts tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toEqual([
      expect.stringMatching(/UTC|:/),
      'prod',
      'notice',
      'Attach/Exec Pod',
      expect.stringContaining('Attach/Exec to pod (user=bob'),
      '2',
    ]);
    await Promise.all([
      page.waitForURL(new RegExp(`/events/${event.exec}`)),
      page.click('#detection-alerts tbody tr a.link'),
    ]);
    await expectClean();
  });

  it('the priority filter is a minimum; a bad one is a readable 400 page', async () => {
    const { page, expectClean } = await open('/detections');
    await page.selectOption('#filter-priority', 'error');
    await Promise.all([
      page.waitForURL(/priority=error/),
      page.click('#detection-filters button[type=submit]'),
    ]);
    const rules = await page.$$eval('#detection-rules tbody tr', (trs) =>
      trs.map((tr) => tr.getAttribute('data-rule')),
    );
    expect(rules).toEqual(['Create Privileged Pod', 'Hostile Output']);
    await expectClean();

    const bad = await session.open('/detections?priority=loud');
    expect(await bad.page.textContent('body')).toContain('priority must be one of');
  });

  it('the event detail shows each detection and why it fired, hostile text as text', async () => {
    const { page, expectClean } = await open(`/events/${event.priv}`);
    const articles = page.locator('#detections article.detection');
    expect(await articles.count()).toBe(2);
    expect((await articles.nth(0).locator('header').textContent())?.replace(/\s+/g, ' ')).toMatch(
      /critical Create Privileged Pod alert/,
    );
    const why = await articles
      .nth(0)
      .locator('table.why-fired tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      );
    expect(why).toEqual([
      ['ka.user.name', 'mallory'],
      ['ka.req.pod.containers.privileged', '[true]'],
    ]);
    const hostile = articles.nth(1);
    expect(await hostile.locator('.detection-output').textContent()).toBe(HOSTILE);
    expect(await hostile.locator('.chip').textContent()).toBe(HOSTILE);
    expect(
      await hostile
        .locator('table.why-fired td')
        .evaluateAll((tds) => tds.map((td) => td.textContent)),
    ).toEqual([HOSTILE, HOSTILE]);
    await page.locator('#detections').scrollIntoViewIfNeeded();
    await screenshotBothSchemes(page, 'event-detail-detections');
    await expectClean();
  });
});
