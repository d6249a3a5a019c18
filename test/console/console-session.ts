import type { Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';
import {
  Browser,
  ensureConsoleAssets,
  launchBrowser,
  PageWatch,
  watchPage,
} from '../support/browser';
import { postEvents } from './console-events';

type RawEvent = Record<string, unknown>;

/** A real app on SQLite with events posted through the webhook, and a Chromium to look at it. */
export interface ConsoleSession {
  app: TestApp;
  browser: Browser;
  /** Opens a console path in a new tab that records dialogs, errors and requests. */
  open(path: string): Promise<{ page: Page; watch: PageWatch }>;
  close(): Promise<void>;
}

export async function startConsoleSession(
  eventsByCluster: Record<string, RawEvent[]>,
  env: Record<string, string> = {},
): Promise<ConsoleSession> {
  ensureConsoleAssets();
  const app = await startTestApp('sqlite', env);
  for (const [cluster, events] of Object.entries(eventsByCluster)) {
    await postEvents(app.url, cluster, events);
  }
  const browser = await launchBrowser();
  return {
    app,
    browser,
    open: async (path) => {
      const page = await browser.context.newPage();
      const watch = watchPage(page);
      const response = await page.goto(`${app.url}${path}`);
      if (!response) throw new Error(`no response for ${path}`);
      return { page, watch };
    },
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}

/** Requests of a page that went anywhere but the app itself. */
export function foreignRequests(watch: PageWatch, origin: string): string[] {
  return watch.requests.filter((url) => !url.startsWith(`${origin}/`));
}
