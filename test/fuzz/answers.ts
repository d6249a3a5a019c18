import type fc from 'fast-check';
import type { RawResponse } from '../support/server-process';

/** `base` runs, scaled by FUZZ_SCALE (e.g. 0.1 for a quick look, 10 for a long night). */
export function runs(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/**
 * fast-check options: `numRuns` generated inputs from a new seed each run; FUZZ_SEED and
 * FUZZ_PATH (printed by a failure) replay a failure exactly.
 */
export function fuzzOptions(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED;
  const path = process.env.FUZZ_PATH;
  return {
    numRuns,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

/** Adds the server's last output to a failure, where a 500's stack trace is. */
export async function withServerLog<T>(log: () => string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- server output (last 3000 chars) ---\n${log().slice(-3000)}`);
  }
}

/** Inputs sent per target, and the statuses seen, for the run's figures. */
export class Tally {
  private readonly counts = new Map<string, { inputs: number; statuses: Map<number, number> }>();

  record(target: string, status: number): void {
    const entry = this.counts.get(target) ?? { inputs: 0, statuses: new Map<number, number>() };
    entry.inputs += 1;
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    this.counts.set(target, entry);
  }

  total(): number {
    return [...this.counts.values()].reduce((sum, e) => sum + e.inputs, 0);
  }

  report(title: string, peakRssKiB: number): string {
    const lines = [...this.counts.entries()].map(([target, e]) => {
      const statuses = [...e.statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}x${n}`)
        .join(' ');
      return `  ${target}: ${e.inputs} inputs (${statuses})`;
    });
    return [
      `${title}: ${this.total()} inputs, peak RSS ${(peakRssKiB / 1024).toFixed(0)} MiB`,
      ...lines,
    ].join('\n');
  }
}

function describe(res: RawResponse): string {
  const body = res.body.length > 600 ? `${res.body.slice(0, 600)}...` : res.body;
  return `${res.status} ${String(res.headers['content-type'])}: ${body}`;
}

/** 2xx or 4xx, never 5xx (or a 1xx/3xx nobody asked for). */
export function expectHandled(res: RawResponse, what: string): void {
  const ok = (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500);
  if (!ok) throw new Error(`${what} answered ${describe(res)}`);
}

/**
 * A JSON answer; a 4xx carries a `message` a person can act on (a sentence, or a list of
 * them, one per bad parameter).
 */
export function expectJsonAnswer(res: RawResponse, what: string): unknown {
  expectHandled(res, what);
  if (!String(res.headers['content-type']).includes('application/json')) {
    throw new Error(`${what} answered without JSON: ${describe(res)}`);
  }
  const parsed: unknown = JSON.parse(res.body);
  if (res.status >= 400) {
    const message = (parsed as { message?: unknown }).message;
    const messages = Array.isArray(message) ? message : [message];
    const readable =
      messages.length > 0 && messages.every((m) => typeof m === 'string' && /\w{2}/.test(m));
    if (!readable) throw new Error(`${what} answered an error without a message: ${describe(res)}`);
  }
  return parsed;
}

/** An HTML page; an error page names what went wrong. */
export function expectHtmlPage(res: RawResponse, what: string): void {
  expectHandled(res, what);
  if (!String(res.headers['content-type']).startsWith('text/html')) {
    throw new Error(`${what} answered without HTML: ${describe(res)}`);
  }
  if (!/<html[\s>]/i.test(res.body) && res.status >= 400) {
    throw new Error(`${what} answered an error that is not a page: ${describe(res)}`);
  }
}
