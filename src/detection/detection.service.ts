import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CommittedEventsFeed } from '../feed/committed-events.feed';
import { IngestActivity } from '../feed/ingest-activity';
import { AuditMetrics } from '../ops/audit-metrics';
import { DetectionPipeline, type PipelineSink } from './detection-pipeline';
import {
  DETECTION_STORE,
  type DetectionStore,
  type DetectorLease,
  type StoredEventRow,
} from './detection-store.repository';
import { FalcosidekickForwarder } from './falcosidekick-forwarder';
import type { LoadedRules } from './rules-loader';

export const DETECTION_RULES = Symbol('DETECTION_RULES');

/** Without a wake-up from this replica's ingest, the store is read this often (other replicas, the importer). */
export const POLL_MS = 1000;
/** A replica that finds the detector's lock taken tries again this often. */
export const LEASE_RETRY_MS = 5000;
/** How often the leader checks that its lock (its connection) is still there. */
const LEASE_CHECK_MS = 10_000;
/** Events read per statement; a full chunk means "more right away". */
export const CHUNK_EVENTS = 500;
/**
 * MySQL: how long a hole in the sequence is waited for. AUTO_INCREMENT numbers are given at
 * insert, so a batch committing after a later one leaves a hole that fills at its commit. Every
 * write is a transaction under a 10 s deadline (WRITE_DEADLINE_MS, src/database/sql-dialect.ts,
 * with connection-deadline.ts destroying the connection then, after which it can never send
 * COMMIT): a number seen missing at time T was given before T and is committed before T + 10 s
 * or never. Six times that bound covers a slow reader and clock-free scheduling; holes older than
 * this are numbers of rolled-back batches or of rows INSERT IGNORE skipped (re-sends), which
 * never fill. The persisted checkpoint only passes a hole once it is that old.
 */
export const SETTLE_MS = 60_000;
/** Ranges read per statement when looking into holes. */
const RANGES_PER_READ = 200;
/** Failed pass (database down): retry after this. */
const ERROR_PAUSE_MS = 5000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
/** DETECTIONS=false: how often the checkpoint is moved to the end of the store. */
export const DISABLED_SKIP_MS = 10 * 60 * 1000;
/** Window signals are kept this long past their window (late events, a backfill in progress). */
const SIGNAL_GRACE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Ingest goes first. Before each pass the detector looks at how busy ingest was while it rested
 * (over at least PROBE_MS): the share of that time during which this replica had a webhook batch
 * in flight (IngestActivity), or, for other work on the loop, Node's event-loop utilization.
 * Above BUSY_SHARE it waits, probing again, for at most MAX_DEFER_MS since its last pass, so
 * under a sustained overload it still reads a chunk every MAX_DEFER_MS and catches up when the
 * load drops (audit_detection_lag_seconds shows it). At ordinary rates ingest is idle most of
 * the time (a batch a second that takes milliseconds) and nothing waits. The event loop alone
 * was not enough: at saturation ingest mostly waits for the database, the loop looks half idle,
 * and the detector took CPU from both (13 % of ingest's throughput, docs/benchmarks.md).
 */
export const BUSY_SHARE = 0.5;
const PROBE_MS = 50;
export const MAX_DEFER_MS = 10_000;

interface Gap {
  from: number;
  to: number;
  noticedAt: number;
}

/**
 * The detector: after commit, never on the webhook's path, one replica at a time runs the rules
 * over newly stored events in store order (see the migration 1797600000000: MySQL's
 * `ingest_seq`, SQLite's `detection_feed`) and stores what they find (DetectionPipeline). The
 * position is persisted in audit_settings (`detection_checkpoint`); a restart resumes there and
 * re-evaluates at most the last SETTLE_MS of events, which stores nothing twice. The in-process
 * feed only wakes the loop; a poll every POLL_MS sees what other replicas and the importer stored.
 * It runs only in the server (an HTTP application), not in the CLIs that boot the modules.
 */
@Injectable()
export class DetectionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Detections');
  private stopping = false;
  private loop?: Promise<void>;
  private subscription?: Subscription;
  private wakeUp?: () => void;
  private woken = false;
  private lease?: DetectorLease;
  private pipeline?: DetectionPipeline;
  /** Everything at or before it is evaluated (persisted, lags by up to SETTLE_MS on MySQL). */
  private position = 0;
  /** The highest store position read in this life. */
  private maxSeen = 0;
  private gaps: Gap[] = [];
  private lastPrune = 0;
  private restMark = performance.eventLoopUtilization();
  private restIngestMs = 0;
  private restAt = performance.now();
  private lastPassEnd = Date.now();

  constructor(
    @Inject(DETECTION_STORE) private readonly store: DetectionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DETECTION_RULES) private readonly rules: LoadedRules | undefined,
    private readonly metrics: AuditMetrics,
    private readonly feed: CommittedEventsFeed,
    private readonly activity: IngestActivity,
    private readonly forwarder: FalcosidekickForwarder,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    // The CLIs (import, purge, detect) boot the same modules without HTTP: no detector there.
    if (!this.http?.httpAdapter) return;
    if (!this.config.detection.enabled || !this.rules) {
      this.loop = this.skipWhileDisabled().catch((error: unknown) =>
        this.logger.error(`detector (disabled): ${String(error)}`),
      );
      return;
    }
    this.pipeline = new DetectionPipeline(this.store, this.rules.ruleset, this.sink(), {
      hostname: hostname(),
    });
    this.subscription = this.feed.commits.subscribe(() => this.wake());
    this.loop = this.run().catch((error: unknown) =>
      this.logger.error(`detector stopped: ${String(error)}`),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.subscription?.unsubscribe();
    this.wake();
    await this.loop;
  }

  /** Stored detections update the metrics and new alerts go to Falcosidekick. */
  private sink(): PipelineSink {
    return {
      stored: (rule, alert) => this.metrics.recordDetection(rule.name, rule.priority, alert),
      alert: (payload) => this.forwarder.enqueue(payload),
      error: (stage) => this.metrics.recordDetectionError(stage),
    };
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Until `ms` passed, a wake-up, or shutdown. */
  private async pause(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
    this.woken = false;
  }

  private async run(): Promise<void> {
    let lastLeaseCheck = 0;
    let announcedWaiting = false;
    try {
      while (!this.stopping) {
        if (!this.lease) {
          this.lease = await this.store.acquireLease().catch((error: unknown) => {
            this.logger.warn(`detector: cannot take its lock: ${String(error)}`);
            return undefined;
          });
          if (!this.lease) {
            if (!announcedWaiting) {
              announcedWaiting = true;
              this.logger.log(
                `detector: another replica runs the rules on this database; trying again every ${LEASE_RETRY_MS / 1000} s`,
              );
            }
            await this.sleepUnlessStopping(LEASE_RETRY_MS);
            continue;
          }
          announcedWaiting = false;
          lastLeaseCheck = Date.now();
          try {
            await this.resume();
          } catch (error) {
            this.logger.error(`detector: cannot read its checkpoint: ${String(error)}`);
            await this.dropLease();
            await this.sleepUnlessStopping(ERROR_PAUSE_MS);
            continue;
          }
        }
        let more = false;
        try {
          await this.yieldToIngest();
          if (this.stopping) break;
          more = await this.pass();
          await this.pruneIfDue();
        } catch (error) {
          this.metrics.recordDetectionError('store');
          this.logger.error(
            `detector: pass failed (retried in ${ERROR_PAUSE_MS / 1000} s): ${String(error)}`,
          );
          await this.sleepUnlessStopping(ERROR_PAUSE_MS);
        }
        if (Date.now() - lastLeaseCheck >= LEASE_CHECK_MS) {
          lastLeaseCheck = Date.now();
          if (!(await this.lease.alive())) {
            this.logger.warn('detector: lost its lock (database connection); stepping down');
            await this.dropLease();
            continue;
          }
        }
        this.rest();
        if (!more) await this.pause(POLL_MS);
      }
    } finally {
      await this.dropLease();
    }
  }

  /** From now on the detector rests: what the event loop does is other work (ingest, reads). */
  private rest(): void {
    this.restMark = performance.eventLoopUtilization();
    this.restIngestMs = this.activity.busyMs();
    this.restAt = performance.now();
    this.lastPassEnd = Date.now();
  }

  /** Waits while ingest (or other work on the event loop) was busy during the detector's rest (see BUSY_SHARE). */
  private async yieldToIngest(): Promise<void> {
    while (!this.stopping) {
      const rested = performance.now() - this.restAt;
      if (rested < PROBE_MS) {
        await new Promise((resolve) => setTimeout(resolve, PROBE_MS - rested));
        continue;
      }
      const loop = performance.eventLoopUtilization(this.restMark).utilization;
      const ingest = (this.activity.busyMs() - this.restIngestMs) / rested;
      const busy = Math.max(loop, ingest);
      if (busy < BUSY_SHARE || Date.now() - this.lastPassEnd >= MAX_DEFER_MS) return;
      this.restMark = performance.eventLoopUtilization();
      this.restIngestMs = this.activity.busyMs();
      this.restAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
    }
  }

  /**
   * DETECTIONS=false: events stored meanwhile are not evaluated (`npm run detect` backfills
   * them). Every DISABLED_SKIP_MS the checkpoint moves to the end of the store, under the
   * detector's lock (so never past a replica that does run the rules), and once more at
   * shutdown (a crash leaves at most that interval to evaluate later): on SQLite this empties
   * the trigger-fed detection_feed, which would otherwise grow by a row per event for as long
   * as detections are off, and turning detections back on starts near the present instead of
   * at a backlog of everything stored while they were off.
   */
  private async skipWhileDisabled(): Promise<void> {
    let announced = false;
    // Once more at shutdown, so a restart with detections on starts where this one stopped.
    for (let last = false; !last;) {
      last = this.stopping;
      const lease = await this.store.acquireLease().catch(() => undefined);
      if (lease) {
        try {
          const end = await this.store.storeEnd();
          const checkpoint = await this.store.checkpoint();
          if (checkpoint === undefined || end > checkpoint) {
            await this.store.passThrough(end);
            if (!announced) {
              announced = true;
              this.logger.log(
                'DETECTIONS=false: events stored while detections are off are not evaluated (npm run detect -- --since ... backfills them)',
              );
            }
          }
        } finally {
          await lease.release().catch(() => undefined);
        }
      }
      await this.sleepUnlessStopping(DISABLED_SKIP_MS);
    }
  }

  private async sleepUnlessStopping(ms: number): Promise<void> {
    if (this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        if (!this.stopping) return;
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  private async dropLease(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    this.metrics.recordDetectionCaughtUp(undefined);
    await lease?.release().catch(() => undefined);
  }

  /** Reads the checkpoint; on the first start on a database, sets it to the current end. */
  private async resume(): Promise<void> {
    let checkpoint = await this.store.checkpoint();
    if (checkpoint === undefined) {
      checkpoint = await this.store.storeEnd();
      await this.store.passThrough(checkpoint);
      this.logger.log(
        `detector: first start on this database: rules run on events stored from now on (store position ${checkpoint}); ` +
          'for events stored before, run npm run detect -- --since 7d',
      );
    }
    this.position = checkpoint;
    this.maxSeen = checkpoint;
    this.gaps = [];
    this.logger.log(
      `detector: running ${this.rules?.ruleset.rules.length ?? 0} rules on this replica from store position ${checkpoint}`,
    );
  }

  /** One read of the store; true when a full chunk was read (more is waiting). */
  private async pass(): Promise<boolean> {
    const now = performance.now();
    if (this.gaps.length > 0) await this.fillGaps();
    const rows = await this.store.readAfter(this.maxSeen, CHUNK_EVENTS);
    if (rows.length > 0) {
      await this.evaluate(rows);
      for (const row of rows) {
        if (row.seq > this.maxSeen + 1 && this.store.backend === 'mysql') {
          this.gaps.push({ from: this.maxSeen + 1, to: row.seq - 1, noticedAt: now });
        }
        this.maxSeen = Math.max(this.maxSeen, row.seq);
      }
    } else if ((await this.store.storeEnd()) < this.position) {
      // The store order started again (the events table was emptied with TRUNCATE): follow it.
      this.logger.warn(
        `detector: the store's newest position is below the checkpoint ${this.position} (table emptied?); following the store from its start`,
      );
      this.position = 0;
      this.maxSeen = 0;
      this.gaps = [];
      await this.store.passThrough(0);
      return true;
    }
    this.gaps = this.gaps.filter((gap) => now - gap.noticedAt < SETTLE_MS);
    const settled = this.gaps.length > 0 ? this.gaps[0].from - 1 : this.maxSeen;
    if (settled > this.position) {
      await this.store.passThrough(settled);
      this.position = settled;
    }
    const more = rows.length >= CHUNK_EVENTS;
    if (!more) this.metrics.recordDetectionCaughtUp(Date.now());
    return more;
  }

  /** Reads the rows that appeared in the holes of the sequence since they were noticed. */
  private async fillGaps(): Promise<void> {
    const found: StoredEventRow[] = [];
    for (let i = 0; i < this.gaps.length; i += RANGES_PER_READ) {
      const ranges = this.gaps
        .slice(i, i + RANGES_PER_READ)
        .map((gap) => [gap.from, gap.to] as const);
      found.push(...(await this.store.readRanges(ranges)));
    }
    if (found.length === 0) return;
    await this.evaluate(found);
    const seqs = found.map((row) => row.seq).sort((a, b) => a - b);
    const next: Gap[] = [];
    for (const gap of this.gaps) {
      let from = gap.from;
      for (const seq of seqs) {
        if (seq < gap.from || seq > gap.to) continue;
        if (seq > from) next.push({ from, to: seq - 1, noticedAt: gap.noticedAt });
        from = seq + 1;
      }
      if (from <= gap.to) next.push({ from, to: gap.to, noticedAt: gap.noticedAt });
    }
    this.gaps = next;
  }

  private async evaluate(rows: StoredEventRow[]): Promise<void> {
    const evaluated = await this.pipeline!.process(rows);
    this.metrics.recordDetectionEvaluated(evaluated);
  }

  /**
   * Window signals older than their window (plus a grace), first-seen signals past retention,
   * and every signal of a rule no longer loaded (removed, renamed or turned into a rule without
   * a window: nothing reads them, and they would stay for ever; a rule loaded again later
   * learns again).
   */
  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    // Per loaded rule: prune its signals stamped before this; null: keep them all.
    const cutoffs = new Map<string, number | null>();
    for (const rule of this.rules?.ruleset.rules ?? []) {
      if (rule.window) cutoffs.set(rule.name, Date.now() - rule.window.withinMs - SIGNAL_GRACE_MS);
      else if (rule.firstSeen) {
        cutoffs.set(
          rule.name,
          this.config.retentionDays > 0 ? Date.now() - this.config.retentionDays * DAY_MS : null,
        );
      }
    }
    for (const rule of await this.store.signalRules()) {
      // A rule no longer loaded: every signal goes.
      const before = cutoffs.has(rule) ? cutoffs.get(rule) : Number.MAX_SAFE_INTEGER;
      if (before === null || before === undefined) continue;
      while (!this.stopping && (await this.store.pruneSignals(rule, before)) >= 5000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}
