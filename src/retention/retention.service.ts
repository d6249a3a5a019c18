import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuditMetrics } from '../ops/audit-metrics';
import {
  EVENT_PURGER,
  EventPurger,
  PurgedTable,
  PurgeScope,
  PurgeSession,
} from './event-purger.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first run waits for startup (migrations, the first batches) to settle. */
export const FIRST_RUN_DELAY_MS = 60_000;
export const RUN_INTERVAL_MS = 60 * 60 * 1000;
/**
 * Between chunks, so ingest's transactions get their turn. On SQLite, where a chunk holds the
 * event loop, the pause is at least as long as the chunk took: retention never has more than
 * half of the thread that receives the webhook.
 */
export const PAUSE_MS = 50;
const PROGRESS_LOG_MS = 10_000;
/** What the rows of each table are, for people reading the logs. */
export const TABLE_ROWS: Record<PurgedTable, string> = {
  events: 'events',
  quarantine: 'quarantined items',
  access_log: 'access-log entries',
  detections: 'detections',
};

export interface PurgeProgress {
  table: PurgedTable;
  /** Rows deleted so far in this table (would be, for a dry run). */
  deleted: number;
  /** Stage time the purge has reached (the newest row deleted so far). */
  reachedMs?: number;
}

export interface PurgeOptions extends PurgeScope {
  dryRun?: boolean;
  /** Also prune the access log (the scheduled run; never with a cluster, which it lacks). */
  accessLog?: boolean;
  onProgress?(progress: PurgeProgress): void;
}

export interface PurgeResult {
  events: number;
  quarantine: number;
  accessLog: number;
  dryRun: boolean;
  /** False when the run was cut short by shutdown. */
  complete: boolean;
}

export type PurgeOutcome =
  { ran: true; result: PurgeResult } | { ran: false; reason: 'another purge is running' };

/**
 * Deletes events older than RETENTION_DAYS: first about a minute after start, then hourly, on
 * one replica at a time (the purger's lock; a replica that finds it taken skips its turn).
 * Each run deletes the oldest rows in chunks by primary key with a pause between them, until
 * none older than the cutoff are left, so its locks are short and ingest keeps going. The
 * same code serves `npm run purge` (src/cli/purge.ts) with an explicit date and cluster.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<PurgeOutcome>;
  private stopping = false;

  constructor(
    @Inject(EVENT_PURGER) private readonly purger: EventPurger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: AuditMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retentionDays === 0) {
      this.logger.log('RETENTION_DAYS=0: events are kept forever');
      return;
    }
    this.schedule(FIRST_RUN_DELAY_MS);
  }

  /** Before the database closes: no new run, and the current one stops after its chunk. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One scheduled run: events older than RETENTION_DAYS; undefined when retention is off. */
  async runOnce(nowMs = Date.now()): Promise<PurgeOutcome | undefined> {
    if (this.config.retentionDays === 0) return undefined;
    const outcome = await this.purge({
      beforeMs: nowMs - this.config.retentionDays * DAY_MS,
      accessLog: true,
    });
    if (outcome.ran && !outcome.result.dryRun) {
      this.metrics.recordRetentionRun(new Date(nowMs), await this.purger.oldestEventMs());
    } else if (!outcome.ran) {
      this.logger.log(
        'retention: another purge holds the lock (a replica, or npm run purge); skipping this turn',
      );
    }
    return outcome;
  }

  /** Deletes (or, dry, counts) what `options` selects; one purge at a time. */
  async purge(options: PurgeOptions): Promise<PurgeOutcome> {
    if (this.running) return { ran: false, reason: 'another purge is running' };
    this.running = this.purgeLocked(options);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async purgeLocked(options: PurgeOptions): Promise<PurgeOutcome> {
    const result = await this.purger.withLock(async (session) => {
      const what = describe(options);
      const accessLog = options.accessLog === true && options.cluster === undefined;
      if (options.dryRun) {
        return {
          events: await session.count('events', options),
          quarantine: await session.count('quarantine', options),
          accessLog: accessLog ? await session.count('access_log', options) : 0,
          dryRun: true,
          complete: true,
        };
      }
      const started = Date.now();
      this.logger.log(`retention: deleting ${what}`);
      const events = await this.deleteAll(session, 'events', options);
      // Detections are stamped with their event's stage time (their id), so the same cutoff and
      // cluster select the detections of the events just deleted.
      const detections = await this.deleteAll(session, 'detections', options);
      const quarantine = await this.deleteAll(session, 'quarantine', options);
      const accessLogRows = accessLog ? await this.deleteAll(session, 'access_log', options) : 0;
      const complete = !this.stopping;
      this.logger.log(
        `retention: deleted ${events} events, ${detections} detections, ${quarantine} quarantined items and ` +
          `${accessLogRows} access-log entries (${what}) in ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s${complete ? '' : '; stopped by shutdown'}`,
      );
      return { events, quarantine, accessLog: accessLogRows, dryRun: false, complete };
    });
    return result === undefined
      ? { ran: false, reason: 'another purge is running' }
      : { ran: true, result };
  }

  private async deleteAll(
    session: PurgeSession,
    table: PurgedTable,
    options: PurgeOptions,
  ): Promise<number> {
    let deleted = 0;
    let lastLog = Date.now();
    while (!this.stopping) {
      const chunkStarted = Date.now();
      const chunk = await session.deleteChunk(table, options, this.purger.chunkRows);
      const chunkMs = Date.now() - chunkStarted;
      if (chunk.deleted === 0 && chunk.reachedMs === undefined) break;
      deleted += chunk.deleted;
      this.metrics.recordRetentionDeleted(table, chunk.deleted);
      options.onProgress?.({ table, deleted, reachedMs: chunk.reachedMs });
      if (Date.now() - lastLog >= PROGRESS_LOG_MS) {
        lastLog = Date.now();
        this.logger.log(
          `retention: ${deleted} ${TABLE_ROWS[table]} deleted so far, ` +
            `up to ${new Date(chunk.reachedMs ?? options.beforeMs).toISOString()}`,
        );
      }
      await sleep(this.purger.holdsEventLoop ? Math.max(PAUSE_MS, chunkMs) : PAUSE_MS);
    }
    return deleted;
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) =>
          this.logger.error(
            `retention run failed (next try in ${RUN_INTERVAL_MS / 60_000} min): ${String(error)}`,
          ),
        )
        .finally(() => this.schedule(RUN_INTERVAL_MS));
    }, delayMs);
    // A pending run must never keep the process (or a test) alive.
    this.timer.unref();
  }
}

function describe(scope: PurgeScope): string {
  const cluster = scope.cluster === undefined ? '' : ` of cluster ${scope.cluster}`;
  return `events${cluster} stamped before ${new Date(scope.beforeMs).toISOString()}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
