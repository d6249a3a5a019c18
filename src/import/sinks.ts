/**
 * Where imported events go: the webhook of a running server (URL mode) or the IngestService of
 * an application context booted in this process (direct mode). Both are idempotent: the server
 * keys events by (cluster, auditID, stage), so retrying a batch or re-running an import stores
 * nothing twice.
 */

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface SendResult extends IngestCounts {
  /** Events the server took (2xx) without saying how many were accepted, duplicates or rejected. */
  unconfirmed: number;
}

export interface Sink {
  /** For messages: the URL posted to, or "the database (direct mode)". */
  readonly target: string;
  /** Serialized size of one event, to keep request bodies bounded; optional. */
  measure?(event: unknown): number;
  send(events: unknown[]): Promise<SendResult>;
  close(): Promise<void>;
}

/** The server refused the import (4xx, or it stayed unavailable): stop, and exit non-zero. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SinkError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** Reads `{accepted, duplicates, rejected}` from a reply; undefined if it does not have them. */
export function parseCounts(v: unknown): IngestCounts | undefined {
  if (!isObject(v)) return undefined;
  const accepted = count(v.accepted);
  if (accepted === undefined) return undefined;
  return { accepted, duplicates: count(v.duplicates) ?? 0, rejected: count(v.rejected) ?? 0 };
}

export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface HttpSinkOptions {
  /** Server base URL, e.g. https://audit.example:8443 (a path prefix is kept). */
  url: string;
  cluster: string;
  token?: string;
  fetch?: typeof fetch;
  sleep?(ms: number): Promise<void>;
  /** Called before each retry, for a message on stderr. */
  onRetry?(info: { attempt: number; delayMs: number; reason: string }): void;
  /** Attempts per batch, including the first. Default 8 (about 1.5 minutes of backoff). */
  maxAttempts?: number;
  /** First backoff; doubles each retry up to 30 s, plus up to 20 % jitter. Default 500 ms. */
  initialBackoffMs?: number;
  /** Per-attempt timeout. Default 120 s. */
  timeoutMs?: number;
}

const MAX_BACKOFF_MS = 30_000;
const MAX_MESSAGE = 500;

export function webhookUrl(base: string, cluster: string): string {
  return `${base.replace(/\/+$/, '')}/webhook/audit/${encodeURIComponent(cluster)}`;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The server's explanation from an error body: `message` / `error` of JSON, else the text. */
export function serverMessage(body: string): string {
  let msg = body.trim();
  try {
    const v: unknown = JSON.parse(body);
    if (isObject(v)) {
      const parts = [v.message, v.error, v.reason].filter(
        (p): p is string => typeof p === 'string' && p.length > 0,
      );
      if (parts.length > 0) msg = [...new Set(parts)].join(': ');
    }
  } catch {
    // not JSON: use the text
  }
  return msg.length > MAX_MESSAGE ? `${msg.slice(0, MAX_MESSAGE)}...` : msg;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, MAX_BACKOFF_MS * 2);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - Date.now()), MAX_BACKOFF_MS * 2);
}

function describeFetchError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'request timed out';
  const cause = err.cause;
  if (cause?.code) return `${err.message} (${cause.code})`;
  if (cause?.message) return `${err.message} (${cause.message})`;
  return err.message ?? String(e);
}

/** POSTs EventLists to `${url}/webhook/audit/${cluster}`, as the kube-apiserver does. */
export class HttpSink implements Sink {
  readonly target: string;
  private readonly json = new WeakMap<object, string>();
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: HttpSinkOptions) {
    this.target = webhookUrl(opts.url, opts.cluster);
    this.fetchImpl = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  private serialize(event: unknown): string {
    if (typeof event === 'object' && event !== null) {
      let s = this.json.get(event);
      if (s === undefined) {
        s = JSON.stringify(event);
        this.json.set(event, s);
      }
      return s;
    }
    return JSON.stringify(event) ?? 'null';
  }

  measure(event: unknown): number {
    return Buffer.byteLength(this.serialize(event));
  }

  async send(events: unknown[]): Promise<SendResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0, rejected: 0, unconfirmed: 0 };
    const body =
      '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[' +
      events.map((e) => this.serialize(e)).join(',') +
      ']}';
    const res = await this.post(body, events.length);
    if (res === 'too-large') {
      if (events.length === 1) {
        throw new SinkError(
          `server refused a single event of ${Buffer.byteLength(body)} bytes as too large (HTTP 413); ` +
            'raise the server body limit',
          413,
        );
      }
      // Split and try again; the server keeps what it already stored, so halves are safe.
      const mid = Math.ceil(events.length / 2);
      const a = await this.send(events.slice(0, mid));
      const b = await this.send(events.slice(mid));
      return {
        accepted: a.accepted + b.accepted,
        duplicates: a.duplicates + b.duplicates,
        rejected: a.rejected + b.rejected,
        unconfirmed: a.unconfirmed + b.unconfirmed,
      };
    }
    return res;
  }

  private async post(body: string, n: number): Promise<SendResult | 'too-large'> {
    const maxAttempts = this.opts.maxAttempts ?? 8;
    const initial = this.opts.initialBackoffMs ?? 500;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'k8s-audit-webhook-import',
    };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let lastReason = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let waitHint: number | undefined;
      try {
        const res = await this.fetchImpl(this.target, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000),
        });
        const text = await res.text();
        if (res.status >= 200 && res.status < 300) {
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const counts = parseCounts(parsed);
          return counts
            ? { ...counts, unconfirmed: 0 }
            : { accepted: 0, duplicates: 0, rejected: 0, unconfirmed: n };
        }
        if (res.status === 413) return 'too-large';
        const message = serverMessage(text);
        const statusText = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        if (!RETRYABLE_STATUS.has(res.status)) {
          throw new SinkError(
            `server refused the import: ${statusText}${message ? `: ${message}` : ''}`,
            res.status,
          );
        }
        lastReason = `${statusText}${message ? `: ${message}` : ''}`;
        waitHint = retryAfterMs(res.headers.get('retry-after'));
      } catch (e) {
        if (e instanceof SinkError) throw e;
        lastReason = describeFetchError(e);
      }
      if (attempt === maxAttempts) break;
      const backoff = Math.min(initial * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      const delayMs = Math.round(waitHint ?? backoff * (1 + Math.random() * 0.2));
      this.opts.onRetry?.({ attempt, delayMs, reason: lastReason });
      await this.sleep(delayMs);
    }
    throw new SinkError(
      `server at ${this.target} stayed unavailable after ${maxAttempts} attempts: ${lastReason}`,
    );
  }

  async close(): Promise<void> {
    // nothing to release: fetch keeps no state we own
  }
}

/** What direct mode needs from the lead's IngestService. */
export interface IngestPort {
  ingestBatch(cluster: string, items: unknown[]): Promise<IngestCounts>;
}

/** Direct mode: the events go through IngestService in this process, straight to the database. */
export class DirectSink implements Sink {
  readonly target = 'the database (direct mode)';

  constructor(
    private readonly cluster: string,
    private readonly ingest: IngestPort,
    private readonly onClose: () => Promise<void>,
  ) {}

  async send(events: unknown[]): Promise<SendResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0, rejected: 0, unconfirmed: 0 };
    const r = await this.ingest.ingestBatch(this.cluster, events);
    return { accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected, unconfirmed: 0 };
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
