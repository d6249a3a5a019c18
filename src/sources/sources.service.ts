import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { DatabaseLease } from '../database/database-lease';
import { IngestService } from '../ingest/ingest.service';
import { canSee, ClusterVisibility } from '../auth/identity';
import { AuditMetrics } from '../ops/audit-metrics';
import { ReadinessDetails } from '../ops/readiness-details';
import type { AuditSource, SourceBatch } from './audit-source';
import type { SourceContext } from './source-definition';
import { SOURCE_STORE, SourceStore } from './source-store.repository';
import type { ConfiguredSource } from './sources-file';
import { abortableSleep } from './abortable-sleep';

/** What one source is doing on this replica (readyz, the console, the API). */
export interface SourceStatus {
  name: string;
  kind: string;
  /** The configured cluster; undefined when each entry names its own (GKE). */
  cluster?: string;
  /** leading: this replica reads it; standby: another replica does; starting; stopped. */
  state: 'starting' | 'leading' | 'standby' | 'stopped';
  /** The last failed step since the last success, for people (never event contents). */
  lastError?: { at: string; stage: 'read' | 'store' | 'lease'; message: string };
  /** Newest event committed by this replica (epoch ms). */
  lastEventMs?: number;
  /** Last time this replica committed a batch or found nothing new (epoch ms). */
  lastPollMs?: number;
}

/** A source as the API and the console show it: this replica's view and the committed position. */
export interface SourceOverview {
  name: string;
  kind: string;
  cluster?: string;
  /** On this replica (another replica leads it when `standby`). */
  state: SourceStatus['state'];
  /** Newest event committed by whichever replica leads it (ISO time). */
  lastEventAt?: string;
  /** Last commit of a batch or position (ISO time). */
  committedAt?: string;
  /** Known only on the replica leading it. */
  lastError?: SourceStatus['lastError'];
}

/** Standby replicas try to take a source's lease this often. */
export const LEASE_RETRY_MS = 10_000;
/** The leader checks that its lease still holds this often (a lost one stops the source). */
const LEASE_CHECK_MS = 5_000;
/** Errors back off from 1 s, doubling, up to this. */
const MAX_BACKOFF_MS = 60_000;
const MESSAGE_CHARS = 300;

function short(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, MESSAGE_CHARS);
}

/** An event stamped further ahead than this is not believed (a hostile sender, a wrong clock). */
const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * The newest stageTimestamp of a batch's items (epoch ms), for the lag and the cluster list;
 * never later than `nowMs` plus a few minutes, so one event from the future cannot hide a
 * stalled source behind a lag of 0 for good.
 */
export function newestEventMs(items: readonly unknown[], nowMs = Date.now()): number | undefined {
  let newest: number | undefined;
  for (const item of items) {
    const stamp = (item as { stageTimestamp?: unknown } | null)?.stageTimestamp;
    if (typeof stamp !== 'string') continue;
    const ms = Date.parse(stamp);
    if (Number.isFinite(ms) && (newest === undefined || ms > newest)) newest = ms;
  }
  return newest === undefined ? undefined : Math.min(newest, nowMs + FUTURE_SLACK_MS);
}

/**
 * Runs every source of SOURCES_FILE (docs/managed-clusters.md). Per source, one loop on every
 * replica: take the source's lease (standby replicas retry every 10 s), open the source at the
 * committed position, then read batch after batch and store each through IngestService, the
 * position in the same transaction; acknowledge after the commit. A read error backs off and
 * reads again; a store error retries the SAME batch (reading on would commit a later position
 * past it) until the database takes it or the replica stops. On shutdown or a lost lease the
 * source is closed: what was not committed is read again by the next leader.
 */
@Injectable()
export class SourcesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SourcesService.name);
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly statuses = new Map<string, SourceStatus>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SOURCE_STORE) private readonly store: SourceStore,
    private readonly ingest: IngestService,
    private readonly metrics: AuditMetrics,
    private readonly readiness: ReadinessDetails,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    // The CLIs (import, purge, detect) boot the same modules without HTTP: no sources there.
    if (!this.http?.httpAdapter) return;
    for (const configured of this.config.sources.sources) {
      const { name, kind, cluster } = configured.entry;
      this.statuses.set(name, { name, kind, cluster, state: 'starting' });
      this.metrics.recordSourceState(name, { leader: false });
      this.loops.push(this.run(configured));
    }
    if (this.loops.length > 0) {
      // /readyz is public: states only. Error texts (project ids, blob paths, role ARNs) are for
      // the authenticated API and console, filtered by cluster.
      this.readiness.register('sources', () =>
        this.list().map(({ name, kind, state, lastError }) => ({
          name,
          kind,
          state,
          failing: lastError !== undefined,
        })),
      );
      this.logger.log(`${this.loops.length} source(s) from ${this.config.sources.file}`);
    }
  }

  /** Before the database closes: the batch being stored is committed or left for the next leader. */
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  /** Every configured source's status on this replica, by name. */
  list(): SourceStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  /**
   * The configured sources the caller may see (a source that names its cluster: when that
   * cluster is visible; one spanning clusters, GKE's default: to those who see every cluster),
   * with the position committed by whichever replica leads each.
   */
  async overview(visibility: ClusterVisibility): Promise<SourceOverview[]> {
    const visible = this.config.sources.sources.filter(({ entry }) =>
      entry.cluster === undefined ? visibility.all : canSee(visibility, entry.cluster),
    );
    if (visible.length === 0) return [];
    const positions = new Map((await this.store.positions()).map((p) => [p.source, p]));
    const iso = (ms: number | null | undefined) =>
      ms === null || ms === undefined ? undefined : new Date(ms).toISOString();
    return visible.map(({ entry }) => {
      const status = this.statuses.get(entry.name);
      const stored = positions.get(entry.name);
      return {
        name: entry.name,
        kind: entry.kind,
        cluster: entry.cluster,
        state: status?.state ?? 'stopped',
        lastEventAt: iso(stored?.lastEventMs),
        committedAt: iso(stored?.updatedAtMs),
        lastError: status?.lastError,
      };
    });
  }

  private update(name: string, change: Partial<SourceStatus>): void {
    const status = this.statuses.get(name);
    if (!status) return;
    Object.assign(status, change);
    this.metrics.recordSourceState(name, {
      leader: status.state === 'leading',
      lastEventMs: status.lastEventMs,
    });
  }

  private failed(name: string, stage: 'read' | 'store' | 'lease', error: unknown): void {
    const message = short(error);
    if (stage !== 'lease') this.metrics.recordSourceError(name, stage);
    this.update(name, { lastError: { at: new Date().toISOString(), stage, message } });
    this.logger.warn(`source ${name}: ${stage} failed: ${message}`);
  }

  private async run({ entry, definition }: ConfiguredSource): Promise<void> {
    const signal = this.abort.signal;
    const context: SourceContext = {
      env: this.config.sources.env ?? process.env,
      log: (level, message) => this.logger[level](`source ${entry.name}: ${message}`),
      now: Date.now,
    };
    while (!signal.aborted) {
      let lease: DatabaseLease | undefined;
      try {
        lease = await this.store.acquireLease(entry.name);
      } catch (error) {
        this.failed(entry.name, 'lease', error);
      }
      if (!lease) {
        this.update(entry.name, { state: 'standby' });
        await abortableSleep(LEASE_RETRY_MS, signal);
        continue;
      }
      this.update(entry.name, { state: 'leading' });
      this.logger.log(`source ${entry.name} (${entry.kind}): this replica reads it`);
      try {
        await this.lead(definition.create(entry, context), lease, signal);
      } catch (error) {
        this.failed(entry.name, 'read', error);
        await abortableSleep(LEASE_RETRY_MS, signal);
      } finally {
        await lease.release().catch(() => undefined);
      }
    }
    this.update(entry.name, { state: 'stopped' });
  }

  /** Reads and stores until shutdown or until the lease is lost. */
  private async lead(
    source: AuditSource,
    lease: DatabaseLease,
    signal: AbortSignal,
  ): Promise<void> {
    const name = source.name;
    const stored = await this.store.position(name);
    let position = stored?.position ?? null;
    let lastEventMs = stored?.lastEventMs ?? undefined;
    this.update(name, { lastEventMs });
    let leaseCheckedAt = Date.now();
    let backoff = 0;
    await source.open(position ?? undefined);
    try {
      while (!signal.aborted) {
        if (Date.now() - leaseCheckedAt >= LEASE_CHECK_MS) {
          if (!(await lease.alive())) {
            this.logger.warn(`source ${name}: lease lost; another replica takes over`);
            return;
          }
          leaseCheckedAt = Date.now();
        }
        let batch: SourceBatch | undefined;
        try {
          batch = await source.next(signal);
        } catch (error) {
          if (signal.aborted) return;
          this.failed(name, 'read', error);
          backoff = Math.min(MAX_BACKOFF_MS, Math.max(1000, backoff * 2));
          await abortableSleep(backoff, signal);
          continue;
        }
        backoff = 0;
        if (!batch) {
          this.update(name, { lastPollMs: Date.now(), lastError: undefined });
          continue;
        }
        position = batch.checkpoint ?? position;
        const newest = newestEventMs(batch.items);
        if (newest !== undefined && (lastEventMs === undefined || newest > lastEventMs)) {
          lastEventMs = newest;
        }
        const stored = await this.storeBatch(
          name,
          batch,
          position,
          lastEventMs ?? null,
          signal,
          lease,
        );
        if (!stored) return;
        let acknowledged = true;
        try {
          await batch.acknowledge?.();
        } catch (error) {
          // Stored already: the cloud sends the batch again and the content hash drops it.
          this.failed(name, 'read', error);
          acknowledged = false;
        }
        this.update(name, {
          lastEventMs,
          lastPollMs: Date.now(),
          ...(acknowledged ? { lastError: undefined } : {}),
        });
      }
    } finally {
      await source.close().catch((error: unknown) => this.failed(name, 'read', error));
      this.update(name, { state: signal.aborted ? 'stopped' : 'standby' });
    }
  }

  /** Stores one batch, retrying it until it is committed; false when stopped first. */
  private async storeBatch(
    name: string,
    batch: SourceBatch,
    position: string | null,
    lastEventMs: number | null,
    signal: AbortSignal,
    lease: DatabaseLease,
  ): Promise<boolean> {
    let backoff = 0;
    let leaseCheckedAt = Date.now();
    while (!signal.aborted) {
      // A leader that lost its lease while the database refused it stops writing: another
      // replica reads from the committed position now.
      if (Date.now() - leaseCheckedAt >= LEASE_CHECK_MS) {
        if (!(await lease.alive())) {
          this.logger.warn(`source ${name}: lease lost while storing; another replica takes over`);
          return false;
        }
        leaseCheckedAt = Date.now();
      }
      try {
        const result = await this.ingest.ingestBatch(batch.cluster, batch.items, {
          rejected: batch.rejected,
          position: { source: name, position, lastEventMs, updatedAtMs: Date.now() },
        });
        this.metrics.recordSourceEvents(name, { ...result, skipped: batch.skipped });
        return true;
      } catch (error) {
        this.failed(name, 'store', error);
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(1000, backoff * 2));
        await abortableSleep(backoff, signal);
      }
    }
    return false;
  }
}
