/**
 * HTTP as one API token (Authorization: Bearer), for the login and visibility suites: JSON
 * pages, raw answers, and the server-sent events of the live tail.
 */
import { qs, Query } from './query-fixtures';
import type { TestApp } from './test-app';

export interface RawAnswer {
  status: number;
  text: string;
  contentType: string;
}

export interface TokenClient {
  /** Any GET; the body as text. */
  raw(path: string, query?: Query, headers?: Record<string, string>): Promise<RawAnswer>;
  /** A GET that must answer 200, parsed as JSON. */
  json<T>(path: string, query?: Query): Promise<T>;
  /** Follows nextCursor to the last page. */
  all<T>(path: string, query?: Query): Promise<T[]>;
  /** An SSE stream that collects the data of messages of one type. */
  stream<T>(path: string, query: Query, type: string): Promise<SseStream<T>>;
}

export interface SseStream<T> {
  readonly items: T[];
  /** Waits until `count` items arrived (or the time is up); returns what arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

export function tokenClient(app: TestApp, token: string | undefined): TokenClient {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const raw = async (path: string, query?: Query, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}${path}${qs(query)}`, { headers: { ...auth, ...headers } });
    return {
      status: res.status,
      text: await res.text(),
      contentType: res.headers.get('content-type') ?? '',
    };
  };
  const json = async <T>(path: string, query?: Query): Promise<T> => {
    const answer = await raw(path, query);
    if (answer.status !== 200) {
      throw new Error(`GET ${path}${qs(query)} answered ${answer.status}: ${answer.text}`);
    }
    return JSON.parse(answer.text) as T;
  };
  return {
    raw,
    json,
    all: async <T>(path: string, query: Query = {}) => {
      const items: T[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 1000; n++) {
        const page = await json<{ items: T[]; nextCursor: string | null }>(path, {
          ...query,
          limit: 500,
          cursor,
        });
        items.push(...page.items);
        if (page.nextCursor === null) return items;
        cursor = page.nextCursor;
      }
      throw new Error('more than 1000 pages');
    },
    stream: <T>(path: string, query: Query, type: string) =>
      openStream<T>(app, auth, path, query, type),
  };
}

async function openStream<T>(
  app: TestApp,
  auth: Record<string, string>,
  path: string,
  query: Query,
  type: string,
): Promise<SseStream<T>> {
  const abort = new AbortController();
  const res = await fetch(`${app.url}${path}${qs(query)}`, {
    headers: auth,
    signal: abort.signal,
  });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  const items: T[] = [];
  const done = (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const name = /^event: (.*)$/m.exec(message)?.[1];
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (name === type && data) items.push(JSON.parse(data) as T);
      }
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== 'AbortError') throw error;
  });
  return {
    items,
    waitFor: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (items.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return items;
    },
    close: async () => {
      abort.abort();
      await done;
    },
  };
}
