import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ClusterVisibility } from '../auth/identity';
import type { AuditEvent, JsonObject, JsonValue } from '../domain/audit-event';
import { normalizeEvent } from '../domain/normalize-event';
import type { DetectionSummary } from '../detection/detection';
import { DETECTION_READER, DetectionReader } from '../detection/query/detection-reader.repository';
import { ReconstructionService } from '../reconstruction/reconstruction.service';
import type {
  EventItem,
  ExplainedEvent,
  EventPage,
  EventQuery,
  EventStats,
  HistoryItem,
  ObjectRef,
  Page,
  TimeBucket,
  UserActivity,
} from './audit-query';
import { EVENT_READER, EventReader, StoredEventWithJson } from './event-reader.repository';
import {
  diffStates,
  missingStateReason,
  scaledReplicas,
  stateAfter,
  withReplicas,
} from './object-diff';
import { idTimeMs } from './event-matcher';

const TOP = 10;
const LATEST_DENIED = 20;
/** State-changing events read back at most to find an object's state before a page. */
const STATE_LOOKBACK = 5;
const EXPORT_PAGE = 1000;
const CLUSTERS_CACHE_MS = 30_000;
const DAY_MS = 86_400_000;
/** Histogram bucket sizes (seconds): the smallest that keeps a range under MAX_BUCKETS bars. */
const BUCKET_SIZES = [60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800];
const MAX_BUCKETS = 120;
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** 401: unauthenticated (failed logins); 403: denied by authorization or admission. */
const DENIED_CODES = [{ exact: 401 }, { exact: 403 }];

export interface PageRequest {
  limit: number;
  cursor?: string;
}

interface ParsedRow {
  event: AuditEvent | undefined;
  item: ExplainedEvent;
}

export function bucketSecondsFor(rangeMs: number): number {
  // A range that does not start on a bucket boundary touches one bar more (MAX_BUCKETS + 1).
  const wanted = rangeMs / 1000 / MAX_BUCKETS;
  const week = BUCKET_SIZES[BUCKET_SIZES.length - 1];
  // Past the table, whole weeks: `from=999999w` asked for a million one-week bars (60 MB, 6 s).
  return BUCKET_SIZES.find((size) => size >= wanted) ?? Math.ceil(wanted / week) * week;
}

/** Distinct visibilities whose cluster lists are cached (one per combination of groups). */
const CLUSTERS_CACHE_ENTRIES = 100;

/**
 * The query side's use cases: search, one event, object history, user activity, stats, export.
 * Each takes the caller's cluster visibility first and hands it to the reader, which reads
 * nothing of the other clusters.
 */
@Injectable()
export class AuditService {
  private readonly clusterCache = new Map<string, { at: number; clusters: Promise<string[]> }>();

  constructor(
    @Inject(EVENT_READER) private readonly reader: EventReader,
    private readonly reconstruction: ReconstructionService,
    @Inject(DETECTION_READER) private readonly detections: DetectionReader,
  ) {}

  /**
   * The items with the rules that fired on each: one statement for all of them (`event_id IN`),
   * of the caller's clusters only (the events are already of those).
   */
  private async withDetections<T extends ExplainedEvent>(
    visibility: ClusterVisibility,
    items: T[],
  ): Promise<(T & { detections: DetectionSummary[] })[]> {
    const found =
      items.length === 0
        ? new Map<string, DetectionSummary[]>()
        : await this.detections.forEvents(
            visibility,
            items.map((item) => item.id),
          );
    return items.map((item) => ({ ...item, detections: found.get(item.id) ?? [] }));
  }

  async listEvents(
    visibility: ClusterVisibility,
    query: EventQuery,
    page: PageRequest,
  ): Promise<EventPage> {
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await this.reader.list(visibility, query, {
      limit: page.limit + 1,
      before: page.cursor,
    });
    const items = await this.withDetections(
      visibility,
      rows.slice(0, page.limit).map((row) => this.parse(row).item),
    );
    return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
  }

  /** An event of a cluster the caller may not see is answered exactly as an unknown id. */
  async getEvent(
    visibility: ClusterVisibility,
    id: string,
  ): Promise<EventItem & { event: JsonValue }> {
    const found = await this.reader.get(visibility, id.toLowerCase());
    if (!found) throw new NotFoundException(`no event with id ${id}`);
    const raw = JSON.parse(found.json) as JsonValue;
    const [item] = await this.withDetections(visibility, [this.parse(found).item]);
    return { ...item, event: this.reconstruction.redactForDisplay(raw) };
  }

  /**
   * Events by id (live tail, the detections list), newest first; ids that are not stored are
   * skipped. `detections: false`: without their detections (the caller has them already).
   */
  async eventsByIds(
    visibility: ClusterVisibility,
    ids: readonly string[],
    options: { detections: false },
  ): Promise<ExplainedEvent[]>;
  async eventsByIds(visibility: ClusterVisibility, ids: readonly string[]): Promise<EventItem[]>;
  async eventsByIds(
    visibility: ClusterVisibility,
    ids: readonly string[],
    options: { detections: boolean } = { detections: true },
  ): Promise<ExplainedEvent[]> {
    const rows = await this.reader.getMany(visibility, ids);
    const items = rows.map((row) => this.parse(row).item);
    return options.detections ? this.withDetections(visibility, items) : items;
  }

  async objectHistory(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    page: PageRequest,
  ): Promise<Page<HistoryItem>> {
    const rows = await this.reader.objectEvents(visibility, ref, {
      limit: page.limit + 1,
      after: page.cursor,
    });
    const parsed = rows.slice(0, page.limit).map((row) => this.parse(row));
    const detected = await this.withDetections(
      visibility,
      parsed.map((row) => row.item),
    );
    const current = parsed.map((row, i) => ({ event: row.event, item: detected[i] }));
    let state =
      current.length > 0 ? await this.stateBefore(visibility, ref, current[0].item.id) : undefined;
    const isSecret = ref.resource === 'secrets' && !ref.apiGroup;
    const items = current.map(({ event, item }): HistoryItem => {
      if (!event || !WRITE_VERBS.has(event.verb)) return { ...item, diff: null };
      if (event.verb === 'delete' || event.verb === 'deletecollection') {
        const done = event.stage === 'ResponseComplete' && (item.responseCode ?? 200) < 300;
        if (done) state = undefined;
        return { ...item, diff: null, diffNote: done ? 'deleted' : missingStateReason(event) };
      }
      const after = stateAfter(event, state);
      if (!after) return { ...item, diff: null, diffNote: missingStateReason(event) };
      const before = state;
      state = after;
      if (!before && event.verb !== 'create') {
        return {
          ...item,
          diff: null,
          diffNote: 'first recorded state of the object: nothing earlier to compare with',
        };
      }
      return { ...item, diff: diffStates(before, after, isSecret) };
    });
    return {
      items,
      nextCursor: rows.length > page.limit ? items[items.length - 1].id : null,
    };
  }

  /**
   * The object's last known state before `id` (undefined: deleted, or nothing recorded). A
   * scale write on the way back only sets the replicas of the state found before it.
   */
  private async stateBefore(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    id: string,
  ): Promise<JsonObject | undefined> {
    let before = id;
    let replicas: number | undefined;
    for (let attempt = 0; attempt < STATE_LOOKBACK; attempt++) {
      const previous = await this.reader.lastStateChange(visibility, ref, before);
      const event = previous ? this.parse(previous).event : undefined;
      if (!previous || !event || event.verb === 'delete') return undefined;
      before = previous.event.id;
      if (event.objectRef?.subresource === 'scale') {
        replicas ??= scaledReplicas(event);
        continue;
      }
      const state = stateAfter(event);
      if (state) return replicas === undefined ? state : withReplicas(state, replicas);
      // A body that is not the object (rare): look one further back.
    }
    return undefined;
  }

  async userActivity(
    visibility: ClusterVisibility,
    username: string,
    range: { fromMs: number; toMs: number; cluster?: string[] },
  ): Promise<UserActivity> {
    const query: EventQuery = {
      user: [username],
      fromMs: range.fromMs,
      toMs: range.toMs,
      ...(range.cluster ? { cluster: range.cluster } : {}),
    };
    const denied: EventQuery = { ...query, code: DENIED_CODES };
    const [total, byVerb, byResource, byNamespace, byCluster, byCode, deniedTotal, latest] =
      await Promise.all([
        this.reader.count(visibility, query),
        this.reader.countBy(visibility, query, 'verb', TOP),
        this.reader.countBy(visibility, query, 'resource', TOP),
        this.reader.countBy(visibility, query, 'namespace', TOP),
        this.reader.countBy(visibility, query, 'cluster', TOP),
        this.reader.countBy(visibility, query, 'responseCode', TOP),
        this.reader.count(visibility, denied),
        this.listEvents(visibility, denied, { limit: LATEST_DENIED }),
      ]);
    return {
      username,
      fromMs: range.fromMs,
      toMs: range.toMs,
      total,
      byVerb,
      byResource,
      byNamespace,
      byCluster,
      byCode,
      denied: { total: deniedTotal, latest: latest.items },
    };
  }

  /** Counts over time and top lists for a search; the range defaults to the last 24 hours. */
  async stats(
    visibility: ClusterVisibility,
    query: EventQuery,
    nowMs = Date.now(),
  ): Promise<EventStats> {
    const toMs = query.toMs ?? nowMs;
    const fromMs = query.fromMs ?? toMs - DAY_MS;
    const ranged = { ...query, fromMs, toMs };
    const bucketSeconds = bucketSecondsFor(toMs - fromMs);
    const [histogram, byVerb, byUser, byResource, byCode, byCluster] = await Promise.all([
      this.reader.histogram(visibility, ranged, bucketSeconds),
      this.reader.countBy(visibility, ranged, 'verb', TOP),
      this.reader.countBy(visibility, ranged, 'username', TOP),
      this.reader.countBy(visibility, ranged, 'resource', TOP),
      this.reader.countBy(visibility, ranged, 'responseCode', TOP),
      this.reader.countBy(visibility, ranged, 'cluster', TOP),
    ]);
    const counted = new Map(histogram.map((b) => [b.bucket, b]));
    const buckets: TimeBucket[] = [];
    const first = Math.floor(fromMs / 1000 / bucketSeconds);
    const last = Math.floor((toMs - 1) / 1000 / bucketSeconds);
    for (let bucket = first; bucket <= last; bucket++) {
      const found = counted.get(bucket);
      buckets.push({
        start: new Date(bucket * bucketSeconds * 1000).toISOString(),
        count: found?.count ?? 0,
        errors: found?.errors ?? 0,
      });
    }
    const total = histogram.reduce((sum, b) => sum + b.count, 0);
    return {
      fromMs,
      toMs,
      bucketSeconds,
      total,
      buckets,
      byVerb,
      byUser,
      byResource,
      byCode,
      byCluster,
    };
  }

  /**
   * The names of the clusters in the store that the caller may see (the console's switcher),
   * cached briefly per visibility.
   */
  clusters(visibility: ClusterVisibility, nowMs = Date.now()): Promise<string[]> {
    const key = visibility.all ? '*' : JSON.stringify(visibility.clusters);
    const cached = this.clusterCache.get(key);
    if (cached && nowMs - cached.at <= CLUSTERS_CACHE_MS) return cached.clusters;
    if (this.clusterCache.size >= CLUSTERS_CACHE_ENTRIES) this.clusterCache.clear();
    const clusters = this.reader.clusters(visibility);
    this.clusterCache.set(key, { at: nowMs, clusters });
    clusters.catch(() => this.clusterCache.delete(key));
    return clusters;
  }

  /**
   * The clusters the caller may see with the time of each one's newest stored event (the
   * console's cluster list), at most `limit` clusters, by name.
   */
  async clusterActivity(
    visibility: ClusterVisibility,
    limit = 200,
  ): Promise<{ cluster: string; lastEventMs: number | undefined }[]> {
    const clusters = (await this.clusters(visibility)).slice(0, limit);
    return Promise.all(
      clusters.map(async (cluster) => {
        const id = await this.reader.newestId(visibility, cluster);
        return { cluster, lastEventMs: id === undefined ? undefined : idTimeMs(id) };
      }),
    );
  }

  /** Every matching event, newest first, read page by page: memory stays flat at any size. */
  async *exportEvents(visibility: ClusterVisibility, query: EventQuery): AsyncGenerator<EventItem> {
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.reader.list(visibility, query, {
        limit: EXPORT_PAGE,
        before: cursor,
      });
      const items = await this.withDetections(
        visibility,
        rows.map((row) => this.parse(row).item),
      );
      yield* items;
      if (rows.length < EXPORT_PAGE) return;
      cursor = rows[rows.length - 1].event.id;
    }
  }

  private parse(row: StoredEventWithJson): ParsedRow {
    let raw: unknown;
    try {
      raw = JSON.parse(row.json);
    } catch {
      raw = undefined;
    }
    const normalized = normalizeEvent(raw);
    // Stored events were normalized on the way in; this only guards against edited rows.
    if (!normalized.ok) {
      return {
        event: undefined,
        item: {
          ...row.event,
          summary: `unreadable event: ${normalized.reason}`,
          kubectl: { command: '', fidelity: 'none', notes: [] },
        },
      };
    }
    const explanation = this.reconstruction.explain(normalized.event, row.event.cluster);
    return { event: normalized.event, item: { ...row.event, ...explanation } };
  }
}
