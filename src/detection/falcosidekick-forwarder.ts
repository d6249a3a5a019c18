import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuditMetrics } from '../ops/audit-metrics';
import type { FalcoPayload } from './falco-output';

/** Alerts waiting to be sent; past this new ones are dropped (counted), detection never waits. */
export const FORWARD_QUEUE_LIMIT = 1000;
export const FORWARD_TIMEOUT_MS = 5000;
export const FORWARD_ATTEMPTS = 3;
const RETRY_BASE_MS = 500;

/**
 * POSTs each new alert to FALCOSIDEKICK_URL as Falco's JSON output, one at a time from a small
 * bounded queue: a slow or absent receiver costs queued alerts (audit_detection_errors_total
 * {stage="forward_dropped"}), never the detector's progress. Failed sends are retried
 * (FORWARD_ATTEMPTS, with a growing pause) and then counted as `forward` errors. The detections
 * themselves are stored either way.
 */
@Injectable()
export class FalcosidekickForwarder implements OnModuleDestroy {
  private readonly logger = new Logger('Detections');
  private readonly queue: FalcoPayload[] = [];
  private draining?: Promise<void>;
  private stopped = false;
  private url?: string;
  private warned = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: AuditMetrics,
  ) {
    this.url = config.detection.falcosidekickUrl;
  }

  get enabled(): boolean {
    return this.url !== undefined;
  }

  /** Turns forwarding off (the backfill, unless --forward). */
  disable(): void {
    this.url = undefined;
    this.queue.length = 0;
  }

  enqueue(payload: FalcoPayload): void {
    if (!this.url || this.stopped) return;
    if (this.queue.length >= FORWARD_QUEUE_LIMIT) {
      this.metrics.recordDetectionError('forward_dropped');
      return;
    }
    this.queue.push(payload);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Waits (at most `withinMs`) for the queue to empty: the backfill before it exits. */
  async flush(withinMs = 30_000): Promise<void> {
    const draining = this.draining;
    if (!draining) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      draining,
      new Promise((resolve) => (timer = setTimeout(resolve, withinMs))),
    ]).finally(() => clearTimeout(timer));
  }

  async onModuleDestroy(): Promise<void> {
    // What is still queued at shutdown is lost: a short grace, then stop.
    await this.flush(2000);
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped && this.url) {
      const payload = this.queue[0];
      let delivered = false;
      for (let attempt = 1; attempt <= FORWARD_ATTEMPTS && !this.stopped; attempt++) {
        const problem = await this.post(this.url, payload);
        if (problem === undefined) {
          delivered = true;
          break;
        }
        if (!this.warned) {
          this.warned = true;
          this.logger.warn(`FALCOSIDEKICK_URL: could not deliver an alert: ${problem}`);
        }
        if (attempt < FORWARD_ATTEMPTS) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
      }
      this.queue.shift();
      if (delivered) this.metrics.recordDetectionForwarded();
      else this.metrics.recordDetectionError('forward');
    }
  }

  /** Undefined when delivered (2xx), else what went wrong. */
  private async post(url: string, payload: FalcoPayload): Promise<string | undefined> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return `${(error as Error).message}${cause ? ` (${cause})` : ''}`;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
