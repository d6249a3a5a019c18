import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app';
import { parseEnvironment } from '../../src/config/environment';
import {
  Browser,
  chromiumAvailable,
  ensureConsoleAssets,
  launchBrowser,
  screenshotBothSchemes,
  watchPage,
} from '../support/browser';
import { freePort, OidcTestProvider, startOidcProvider } from '../support/oidc-provider';
import { freshDatabase, TestDatabase } from '../support/test-app';

const describeWithBrowser = chromiumAvailable() ? describe : describe.skip;

/** The provider's development login form (any password), then its consent page if it asks. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  const name = page.locator('input[name="login"]');
  if (await name.isVisible()) {
    await name.fill(login);
    await page.fill('input[name="password"]', 'any password works here');
    await Promise.all([
      page.waitForLoadState('domcontentloaded'),
      page.click('button[type="submit"]'),
    ]);
  }
  const consent = page.locator('button', { hasText: 'Continue' });
  if (await consent.isVisible()) {
    await Promise.all([page.waitForLoadState('domcontentloaded'), consent.click()]);
  }
}

describeWithBrowser('single sign-on with a real OIDC provider, in Chromium', () => {
  let provider: OidcTestProvider;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ensureConsoleAssets();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider(`${url}/auth/callback`, {
      alice: { email: 'alice@example.com', preferred_username: 'alice', groups: ['sre', 'dev'] },
      eve: { preferred_username: 'eve<b>', groups: ['contractors'] },
    });
    db = freshDatabase('sqlite');
    const config = {
      ...parseEnvironment({
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        OIDC_REDIRECT_URL: `${url}/auth/callback`,
        OIDC_SCOPES: 'openid profile email groups',
        OIDC_ALLOWED_GROUPS: 'sre,platform',
        SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
      }),
      database: db.database,
    };
    app = await createApp(config);
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
    // The provider's development pages import a web font; nothing leaves this machine.
    await browser.context.route(/^https:\/\//, (route) => route.abort());
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await provider?.stop();
    await db?.drop();
  });

  it('logs a user in through the provider and back to the page asked for, then out', async () => {
    const page = await browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(`${url}/overview`);
    expect(page.url()).toBe(`${url}/login?next=%2Foverview`);
    await screenshotBothSchemes(page, 'login');
    await Promise.all([page.waitForURL(/localhost/), page.click('#sso-login')]);
    expect(new URL(page.url()).origin).toBe(provider.issuer);
    await signInAtProvider(page, 'alice');

    await page.waitForURL(`${url}/overview`);
    expect(await page.textContent('#viewer-name')).toBe('alice@example.com');
    await screenshotBothSchemes(page, 'overview-signed-in');
    const api = await page.request.get(`${url}/api/v1/events`);
    expect(api.status()).toBe(200);
    expect(watch.errors.filter((e) => e.includes('127.0.0.1'))).toEqual([]);

    await Promise.all([page.waitForURL(/\/login\?loggedOut=1$/), page.click('#logout')]);
    expect(await page.textContent('#login-notice')).toBe('You are logged out.');
    await page.goto(`${url}/`);
    expect(page.url()).toBe(`${url}/login`);
    expect((await page.request.get(`${url}/api/v1/events`)).status()).toBe(401);
    await page.close();
  });

  it('never redirects to another site after single sign-on', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/auth/login?next=${encodeURIComponent('//evil.example/steal')}`);
    await signInAtProvider(page, 'alice');
    await page.waitForURL(`${url}/`);
    expect(await page.textContent('#viewer-name')).toBe('alice@example.com');
    await page.close();
  });

  it('refuses a user outside OIDC_ALLOWED_GROUPS with a readable page, and opens no session', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${url}/`);
    await Promise.all([page.waitForURL(/localhost/), page.click('#sso-login')]);
    await signInAtProvider(page, 'eve');
    await page.waitForURL(`${url}/auth/callback?**`);
    const refusal = await page.textContent('#login-error');
    expect(refusal).toBe(
      'eve<b> is not allowed to use this console: none of your groups is allowed here.',
    );
    expect(await page.content()).toContain('Your groups: contractors');
    await screenshotBothSchemes(page, 'login-refused');
    const log = (await app
      .get(DataSource)
      .query(
        "SELECT username, via, action, target FROM access_log WHERE action IN ('login', 'logout', 'login-failed') ORDER BY at_ms, id",
      )) as object[];
    expect(log).toEqual([
      { username: 'alice@example.com', via: 'oidc', action: 'login', target: '/overview' },
      { username: 'alice@example.com', via: 'oidc', action: 'logout', target: '/logout' },
      { username: 'alice@example.com', via: 'oidc', action: 'login', target: '/' },
      { username: 'eve<b>', via: 'oidc', action: 'login-failed', target: '/auth/callback' },
    ]);
    await page.goto(`${url}/`);
    expect(page.url()).toBe(`${url}/login`);
    await page.close();
  });

  it('answers a callback without its login cookie (forged or replayed) with 400', async () => {
    const response = await fetch(`${url}/auth/callback?code=stolen&state=guessed`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('expired or was started in another browser');
  });
});
