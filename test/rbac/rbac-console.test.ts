/**
 * The console's RBAC page in headless Chromium: reached from the user activity page, it shows
 * the same YAML and evidence as the API, escaped (a hostile username stays text), copies the
 * YAML with the copy button, and asks for a cluster when the identity used several.
 */
import type { RbacAnswer } from '../../src/rbac/rbac.service';
import { chromiumAvailable, screenshotBothSchemes } from '../support/browser';
import { auditEvent } from '../console/console-events';
import { ConsoleSession, foreignRequests, startConsoleSession } from '../console/console-session';

const HOSTILE = '<script>alert(1)</script>"\'&';
const describeInChromium = chromiumAvailable() ? describe : describe.skip;

const as = (username: string) => ({ user: { username, groups: ['system:authenticated'] } });

function hostileEvents() {
  return [
    auditEvent({ ...as(HOSTILE), ageSeconds: 300 }),
    auditEvent({ ...as(HOSTILE), ageSeconds: 290 }),
    auditEvent({
      ...as(HOSTILE),
      ageSeconds: 280,
      verb: 'list',
      requestURI: '/api/v1/namespaces/shop/pods',
      objectRef: { resource: 'pods', namespace: 'shop', apiVersion: 'v1' },
    }),
    auditEvent({
      ...as(HOSTILE),
      ageSeconds: 270,
      requestURI: '/version?timeout=32s',
      objectRef: undefined,
    }),
    auditEvent({
      ...as(HOSTILE),
      ageSeconds: 260,
      verb: 'delete',
      requestURI: '/api/v1/namespaces/shop/pods/web-0',
      objectRef: { resource: 'pods', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
      responseStatus: { metadata: {}, status: 'Failure', code: 403 },
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    }),
  ];
}

describeInChromium('RBAC suggestion page in Chromium', () => {
  let session: ConsoleSession;

  beforeAll(async () => {
    session = await startConsoleSession({
      prod: hostileEvents(),
      staging: [
        auditEvent({ ...as('frank'), ageSeconds: 200 }),
        auditEvent({ ...as(HOSTILE), ageSeconds: 100 }),
      ],
      dev: [auditEvent({ ...as('frank'), ageSeconds: 150 })],
    });
  });
  afterAll(() => session?.close());

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

  const path = (user: string, query: string) => `/users/${encodeURIComponent(user)}/rbac?${query}`;

  it('shows the YAML and the evidence of a hostile username as text, and copies it', async () => {
    // One fixed range for the page and the API, so both answer the same.
    const range = new URLSearchParams({
      cluster: 'prod',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }).toString();
    const api = (await (
      await fetch(`${session.app.url}/api/v1${path(HOSTILE, range)}`)
    ).json()) as RbacAnswer;
    expect(api.rules.length).toBe(3);

    const { page, expectClean } = await open(path(HOSTILE, range));
    expect(await page.textContent('#rbac-username')).toBe(HOSTILE);
    expect(await page.textContent('#rbac-cluster')).toBe('prod');
    expect(await page.textContent('#rbac-yaml')).toBe(api.yaml);
    expect(api.yaml).toContain(HOSTILE.slice(0, 8));
    expect(await page.textContent('#rbac-requests')).toBe('4');
    expect(await page.textContent('#rbac-rule-count')).toBe(String(api.rules.length));
    expect(await page.textContent('#rbac-object-count')).toBe(String(api.objects.length));
    expect(await page.locator('#rbac-rules tr[data-rule-row]').count()).toBe(api.rules.length);
    const counts = await page.$$eval('#rbac-rules td[data-requests]', (cells) =>
      cells.map((cell) => Number(cell.textContent)),
    );
    expect(counts).toEqual(api.rules.map((r) => r.requests));
    // The username never became markup: only the layout's own scripts are on the page.
    expect(await page.locator('script').count()).toBe(3);
    expect(await page.locator('#rbac-yaml *').count()).toBe(0);

    await page.click('#copy-rbac-yaml');
    await page.waitForSelector('#copy-rbac-yaml[data-copied]');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(api.yaml);

    // Each rule links to its latest event.
    await Promise.all([
      page.waitForURL(/\/events\/[0-9a-f-]{36}$/),
      page.click('#rbac-rules tr[data-rule-row] >> nth=0 >> a.link'),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/events/${api.rules[0].exampleEventId}`);
    expectClean();
  });

  it('is reached from the user activity page, and asks for a cluster when there are several', async () => {
    const { page, expectClean } = await open(`/users/${encodeURIComponent(HOSTILE)}`);
    await Promise.all([page.waitForURL(/\/rbac\?/), page.click('#rbac-link')]);
    const url = new URL(page.url());
    expect(decodeURIComponent(url.pathname)).toBe(`/users/${HOSTILE}/rbac`);
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await page.locator('#rbac-cluster-choice a').allTextContents()).toEqual([
      'prod',
      'staging',
    ]);
    await screenshotBothSchemes(page, 'rbac-choose-cluster');
    await Promise.all([
      page.waitForURL(/cluster=staging/),
      page.click('#rbac-cluster-choice a:text-is("staging")'),
    ]);
    expect(await page.textContent('#rbac-cluster')).toBe('staging');
    expect(await page.textContent('#rbac-requests')).toBe('1');
    await screenshotBothSchemes(page, 'rbac');
    expectClean();
  });

  it('says when there is nothing to suggest, and shows a bad filter as an error page', async () => {
    const { page, expectClean } = await open(path('nobody', ''));
    expect(await page.textContent('#rbac-empty')).toContain('No allowed requests');
    expect(await page.locator('#copy-rbac-yaml').count()).toBe(0);
    expectClean();
    const bad = await session.open(path('frank', 'cluster=NOT_OK'));
    expect(await bad.page.textContent('body')).toContain('cluster must be');
  });
});
