import { statSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAvailable, screenshotBothSchemes } from '../support/browser';
import { HOSTILE, hostileEvents, storyEvents } from './console-events';
import { ConsoleSession, foreignRequests, startConsoleSession } from './console-session';

const ASSET_BUDGET_BYTES = 150 * 1024;
const describeInChromium = chromiumAvailable() ? describe : describe.skip;

describeInChromium('console security in Chromium', () => {
  let session: ConsoleSession;

  beforeAll(async () => {
    session = await startConsoleSession({ prod: storyEvents(), evil: hostileEvents() });
  });
  afterAll(() => session?.close());

  /** Opens a page, lets scripts run, and checks nothing hostile happened. */
  async function expectInert(path: string, screenshot?: string) {
    const { page, watch } = await session.open(path);
    await page.waitForLoadState('networkidle');
    await page.hover('main');
    expect(watch.dialogs).toEqual([]);
    expect(foreignRequests(watch, session.app.url)).toEqual([]);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(await page.locator('main script, main img, main iframe, main svg[onload]').count()).toBe(
      0,
    );
    if (screenshot) await screenshotBothSchemes(page, screenshot);
    return { page, watch };
  }

  it('renders hostile users, names, user agents, annotations and exec arguments as text', async () => {
    const { page, watch } = await expectInert('/?cluster=evil', 'xss-events');
    const text = await page.textContent('#event-rows');
    expect(text).toContain(HOSTILE.user);
    expect(text).toContain(HOSTILE.name);
    expect(text).toContain(HOSTILE.execArgument);
    expect(watch.errors).toEqual([]);

    const ids = await page.$$eval('#event-rows tr[data-event-id]', (rows) =>
      rows.map((row) => row.getAttribute('data-event-id')),
    );
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const detail = await expectInert(`/events/${id}`, `xss-detail-${ids.indexOf(id)}`);
      const body = await detail.page.textContent('main');
      expect(body).toContain(HOSTILE.user);
      expect(body).toContain(HOSTILE.userAgent);
      if (body?.includes('ConfigMap')) {
        expect(body).toContain(HOSTILE.annotation);
        expect(body).toContain(HOSTILE.name);
      } else {
        expect(await detail.page.textContent('#kubectl-command')).toContain(HOSTILE.execArgument);
      }
    }
  });

  it('keeps hostile values inert on user, object, search and overview pages', async () => {
    await expectInert(`/users/${encodeURIComponent(HOSTILE.user)}`);
    await expectInert(
      `/objects?${new URLSearchParams({ cluster: 'evil', apiGroup: '', resource: 'configmaps', namespace: 'shop', name: HOSTILE.name })}`,
    );
    await expectInert(
      `/?${new URLSearchParams({ q: HOSTILE.name, userAgent: HOSTILE.userAgent })}`,
    );
    await expectInert('/overview?cluster=evil');
  });

  it('serves every page with a strict Content-Security-Policy and no inline script', async () => {
    for (const path of ['/', '/overview', '/users/alice']) {
      const response = await fetch(`${session.app.url}${path}`);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it('leaves the OpenAPI page of the API working under the same policy', async () => {
    const { page, watch } = await session.open('/api/docs');
    await page.waitForSelector('.swagger-ui .opblock');
    expect(watch.errors).toEqual([]);
    expect(foreignRequests(watch, session.app.url)).toEqual([]);
  });

  it('answers a bad filter with a readable 400 page, not JSON', async () => {
    const { page } = await session.open('/?code=abc&from=yesterday');
    expect(await page.textContent('h1')).toBe('400 · Invalid filter');
    const messages = await page.locator('[role=alert] li').allTextContents();
    expect(messages.join('\n')).toMatch(/code must be an HTTP status/);
    expect(messages.join('\n')).toMatch(/from must be an RFC 3339 time/);
    await screenshotBothSchemes(page, 'error-400');
    const missing = await fetch(`${session.app.url}/events/00000000-0000-7000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('keeps the JSON API and the webhook answering JSON', async () => {
    const api = await fetch(`${session.app.url}/api/v1/events?cluster=prod&limit=1`);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    const bad = await fetch(`${session.app.url}/api/v1/events?code=abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string[] }).message).toEqual(
      expect.arrayContaining([expect.stringMatching(/^code must be/)]),
    );
  });

  it('loads under 150 KB of assets, all from the app itself', async () => {
    const { page, watch } = await session.open('/');
    await page.waitForLoadState('networkidle');
    const assets = watch.requests.filter((url) => url.includes('/assets/'));
    expect(assets.map((url) => new URL(url).pathname).sort()).toEqual([
      '/assets/build/console.css',
      '/assets/build/htmx-ext-sse.min.js',
      '/assets/build/htmx.min.js',
      '/assets/js/console.js',
    ]);
    const publicDir = join(__dirname, '..', '..', 'public');
    const bytes = assets.reduce(
      (sum, url) =>
        sum + statSync(join(publicDir, new URL(url).pathname.slice('/assets/'.length))).size,
      0,
    );
    expect(bytes).toBeLessThan(ASSET_BUDGET_BYTES);
    expect(foreignRequests(watch, session.app.url)).toEqual([]);
  });
});
