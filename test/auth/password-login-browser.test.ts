import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/password';
import {
  Browser,
  chromiumAvailable,
  ensureConsoleAssets,
  launchBrowser,
  watchPage,
} from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';
import { auditEvent, postEvents } from '../console/console-events';

const describeWithBrowser = chromiumAvailable() ? describe : describe.skip;

describeWithBrowser('password login in Chromium', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleAssets();
    app = await startTestApp('sqlite', {
      CONSOLE_USERS: `alice:${await hashPassword('correct horse')}:sre`,
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
    });
    // More than one page of rows, so scrolling down makes htmx load the next page.
    await postEvents(
      app.url,
      'prod',
      Array.from({ length: 70 }, (_, i) => auditEvent({ ageSeconds: 60 + i })),
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('logs in through the form, and a swap after the session ended takes the whole page to the login', async () => {
    const page = await browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(`${app.url}/?verb=get`);
    expect(page.url()).toBe(`${app.url}/login?next=%2F%3Fverb%3Dget`);

    await page.fill('#login-username', 'alice');
    await page.fill('#login-password', 'wrong');
    await Promise.all([
      page.waitForLoadState('domcontentloaded'),
      page.click('#login-form button'),
    ]);
    expect(await page.textContent('#login-error')).toBe('Wrong user name or password.');
    expect(await page.inputValue('#login-username')).toBe('alice');

    await page.fill('#login-password', 'correct horse');
    await Promise.all([page.waitForURL(`${app.url}/?verb=get`), page.click('#login-form button')]);
    expect(await page.textContent('#viewer-name')).toBe('alice');
    expect(await page.locator('#more-rows').count()).toBe(1);

    // The session ends elsewhere (logout on another replica, expiry); this page does not know.
    await app.app.get(DataSource).query('DELETE FROM console_sessions');
    await Promise.all([
      page.waitForURL(`${app.url}/login?next=%2F%3Fverb%3Dget`),
      page.locator('#more-rows').scrollIntoViewIfNeeded(),
    ]);
    expect(await page.locator('#login-form').count()).toBe(1);
    expect(watch.errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.close();
  });
});
