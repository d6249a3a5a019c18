import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subscriber, Subscription } from 'rxjs';
import { ALL_CLUSTERS, ClusterVisibility } from '../auth/identity';
import { CommittedEventsFeed } from '../feed/committed-events.feed';
import type { EventItem, EventQuery } from './audit-query';
import { AuditService } from './audit.service';
import { idTimeMs, matchesQuery } from './event-matcher';
import { EVENT_READER, EventReader } from './event-reader.repository';

/** How often each replica reads new rows from the database while anyone is tailing. */
export const POLL_INTERVAL_MS = 1000;
/**
 * Events are ordered by their stage time, and the apiserver sends them a moment later: each
 * poll looks this far back for ids it has not seen. An event stamped further back than this
 * when it arrives (a cluster clock running behind, an import of old files) is not tailed.
 */
export const LOOKBACK_MS = 30_000;
/** Most ids one poll reads; most events one tick loads and hands out. */
const MAX_IDS_PER_POLL = 5000;
const MAX_EVENTS_PER_TICK = 500;
/** A commit on this replica is shown after this short pause (batches arriving together share one read). */
const FEED_DELAY_MS = 100;

interface Tail {
  /** The clusters the stream's caller may see. */
  visibility: ClusterVisibility;
  query: EventQuery;
  subscriber: Subscriber<EventItem>;
}

/**
 * Live tail for any number of streams at the cost of one reader per replica: while at least
 * one stream is open, a single loop reads the ids of new rows (the database is the feed across
 * replicas) plus the ids this replica's ingest announces (no wait for the next poll), loads each
 * new event once, and hands it to every stream whose search it matches.
 */
@Injectable()
export class LiveTailService implements OnModuleDestroy {
  private readonly logger = new Logger(LiveTailService.name);
  private readonly tails = new Set<Tail>();
  /** Ids already handed out (or present when tailing began), by their stage time. */
  private readonly seen = new Map<string, number>();
  private readonly announced = new Set<string>();
  private timer?: NodeJS.Timeout;
  private feedSubscription?: Subscription;
  private running?: Promise<void>;
  private primed = false;
  /** Polls of the database since start (for tests and metrics). */
  polls = 0;

  constructor(
    private readonly audit: AuditService,
    @Inject(EVENT_READER) private readonly reader: EventReader,
    private readonly feed: CommittedEventsFeed,
  ) {}

  /**
   * New events of the visible clusters matching `query` (its time range ignored), from now on,
   * oldest first.
   */
  subscribe(visibility: ClusterVisibility, query: EventQuery): Observable<EventItem> {
    const { fromMs: _from, toMs: _to, ...live } = query;
    return new Observable<EventItem>((subscriber) => {
      const tail = { visibility, query: live, subscriber };
      this.tails.add(tail);
      if (this.tails.size === 1) this.start();
      return () => {
        this.tails.delete(tail);
        if (this.tails.size === 0) this.stop();
      };
    });
  }

  get streams(): number {
    return this.tails.size;
  }

  onModuleDestroy(): void {
    for (const tail of [...this.tails]) tail.subscriber.complete();
    this.stop();
  }

  private start(): void {
    this.primed = false;
    this.feedSubscription = this.feed.committed.subscribe((batch) => {
      for (const id of batch.ids) this.announced.add(id);
      this.schedule(FEED_DELAY_MS);
    });
    this.schedule(0);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.feedSubscription?.unsubscribe();
    this.feedSubscription = undefined;
    this.seen.clear();
    this.announced.clear();
  }

  private schedule(delayMs: number): void {
    if (this.tails.size === 0) return;
    if (this.timer && delayMs >= POLL_INTERVAL_MS) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
        this.schedule(POLL_INTERVAL_MS);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    try {
      this.polls++;
      const polled = await this.reader.idsSince(now - LOOKBACK_MS, MAX_IDS_PER_POLL);
      if (!this.primed) {
        // What was already stored when tailing began is history, not news.
        for (const id of polled) this.seen.set(id, idTimeMs(id));
        this.primed = true;
        return;
      }
      const fresh = [...new Set([...polled, ...this.announced])].filter((id) => !this.seen.has(id));
      this.announced.clear();
      for (const id of fresh) this.seen.set(id, idTimeMs(id));
      this.forget(now - 2 * LOOKBACK_MS);
      if (fresh.length === 0 || this.tails.size === 0) return;
      // One read for every stream: each stream is then handed only what its caller may see.
      const items = await this.audit.eventsByIds(ALL_CLUSTERS, fresh.slice(0, MAX_EVENTS_PER_TICK));
      for (const item of items.reverse()) {
        for (const tail of this.tails) {
          if (matchesQuery(item, tail.visibility, tail.query)) tail.subscriber.next(item);
        }
      }
    } catch (error) {
      this.logger.warn(`live tail could not read new events: ${String(error)}`);
    }
  }

  private forget(beforeMs: number): void {
    for (const [id, ms] of this.seen) if (ms < beforeMs) this.seen.delete(id);
  }
}
