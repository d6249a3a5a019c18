import { normalizeEvent } from '../../src/domain/normalize-event';
import { loadCorpus } from './corpus';

export type Json = Record<string, unknown>;

/** One EventList the client sends, with events no other batch has (distinct auditIDs). */
export interface Batch {
  index: number;
  auditIDs: string[];
  body: string;
}

/** One POST of a batch and what came back. */
export interface Attempt {
  /** HTTP status, or 0 when no answer came (connection refused or reset, 30 s timeout). */
  status: number;
  retryAfter: string | null;
  /** The answer's body (the counts on a 200, the reason otherwise). */
  body: string;
  error?: string;
  sentAt: number;
  answeredAt: number;
}

export interface Delivery {
  batch: Batch;
  attempts: Attempt[];
  acked: boolean;
}

/**
 * Server environment for scenarios that send corpus events: they are years old, and retention
 * (RETENTION_DAYS, 365 by default, first run a minute after the start) would delete them in the
 * middle of a scenario that runs longer.
 */
export const KEEP_OLD_EVENTS = { RETENTION_DAYS: '0' };

/** The corpus events the server stores as events (the corpus also holds one malformed item). */
export async function storableCorpus(): Promise<Json[]> {
  return (await loadCorpus()).map((e) => e.raw).filter((raw) => normalizeEvent(raw).ok);
}

/**
 * Batch `index` of a run: `size` corpus events taken in turn, each given an auditID of its own
 * (`<run>-<batch>-<item>`), so every event sent is distinct content and can be counted in the
 * database by its auditID.
 */
export function corpusBatch(corpus: Json[], run: string, index: number, size: number): Batch {
  const items = Array.from({ length: size }, (_, i) => ({
    ...corpus[(index * size + i) % corpus.length],
    auditID: `${run}-${index}-${i}`,
  }));
  return {
    index,
    auditIDs: items.map((item) => item.auditID),
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The apiserver's per-attempt timeout (pkg/util/webhook defaultRequestTimeout). */
export const APISERVER_ATTEMPT_TIMEOUT_MS = 30_000;

/**
 * Sends batches the way the kube-apiserver's audit webhook does (docs: apiserver-audit-protocol
 * A.3): POST, 30 s per attempt, any non-2xx or connection error is retried with the same body
 * after an exponential backoff (factor 1.5), waiting at least what Retry-After asks. The
 * apiserver starts at 10 s and gives up after 5 attempts; here the backoff starts at 1 s and
 * the sender keeps trying (until `halt`), so that a test ends with every batch delivered.
 */
export class ApiserverSender {
  private halted = false;

  constructor(
    private readonly url: string,
    private readonly options: { initialBackoffMs?: number; maxBackoffMs?: number } = {},
  ) {}

  /** Stops retrying: each delivery ends after its current attempt (the apiserver was killed). */
  halt(): void {
    this.halted = true;
  }

  async deliver(batch: Batch): Promise<Delivery> {
    const attempts: Attempt[] = [];
    let backoff = this.options.initialBackoffMs ?? 1000;
    while (!this.halted) {
      const attempt = await this.post(batch.body);
      attempts.push(attempt);
      if (attempt.status >= 200 && attempt.status <= 206) {
        return { batch, attempts, acked: true };
      }
      const asked = Number(attempt.retryAfter ?? 0) * 1000;
      await sleep(Math.max(backoff, Number.isFinite(asked) ? asked : 0));
      backoff = Math.min(backoff * 1.5, this.options.maxBackoffMs ?? 8000);
    }
    return { batch, attempts, acked: false };
  }

  private async post(body: string): Promise<Attempt> {
    const sentAt = Date.now();
    try {
      const res = await fetch(`${this.url}?timeout=30s`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(APISERVER_ATTEMPT_TIMEOUT_MS),
      });
      const text = await res.text();
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: text,
        sentAt,
        answeredAt: Date.now(),
      };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        status: 0,
        retryAfter: null,
        body: '',
        error: cause?.code ?? cause?.message ?? String(error),
        sentAt,
        answeredAt: Date.now(),
      };
    }
  }
}

/**
 * A steady stream of batches, each delivered on its own like the apiserver's buffered backend
 * does (one goroutine per batch, several in flight, out of order), until `stop`.
 */
export class SustainedIngest {
  private readonly deliveries: Promise<Delivery>[] = [];
  private timer?: NodeJS.Timeout;
  private next = 0;

  constructor(
    private readonly sender: ApiserverSender,
    private readonly batchAt: (index: number) => Batch,
  ) {}

  start(everyMs: number): void {
    this.sendNow();
    this.timer = setInterval(() => this.sendNow(), everyMs);
  }

  /** One more batch at once (a fault test then knows a batch is in flight). */
  sendNow(): void {
    this.deliveries.push(this.sender.deliver(this.batchAt(this.next++)));
  }

  /** Stops producing new batches; resolves once every batch started is delivered (or halted). */
  async stop(): Promise<Delivery[]> {
    clearInterval(this.timer);
    return Promise.all(this.deliveries);
  }
}
