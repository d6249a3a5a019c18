/**
 * The tables retention deletes from; each is keyed by a UUIDv7 id whose time part is the age.
 * The access log (who read what) has no cluster: only the scheduled run, which covers every
 * cluster, prunes it, so it is kept as long as the events it speaks of. Detections (src/detection)
 * are stamped with their event's time and go with the events.
 */
export type PurgedTable = 'events' | 'quarantine' | 'access_log' | 'detections';

/** What to delete: rows stamped before `beforeMs`, of one cluster or of all. */
export interface PurgeScope {
  beforeMs: number;
  cluster?: string;
}

/** A database session that holds the purge lock for its whole life. */
export interface PurgeSession {
  /**
   * Deletes up to `limit` of the oldest rows in scope, by primary key. `deleted` 0: none left.
   * `reachedMs`: the time part of the newest id of the chunk (how far the purge has come).
   */
  deleteChunk(
    table: PurgedTable,
    scope: PurgeScope,
    limit: number,
  ): Promise<{ deleted: number; reachedMs?: number }>;
  /** How many rows are in scope (for --dry-run). */
  count(table: PurgedTable, scope: PurgeScope): Promise<number>;
}

/** Storage port of retention. Only the SQL adapter knows how rows are found and locked. */
export interface EventPurger {
  /**
   * Rows per chunk: each chunk is one short transaction (and, on SQLite, a stretch of the event
   * loop that ingest waits for), sized per backend from bench/storage.bench.ts.
   */
  readonly chunkRows: number;
  /** A chunk runs on the thread that also serves HTTP (SQLite): rest at least as long as it ran. */
  readonly holdsEventLoop: boolean;
  /**
   * Runs `work` on a session holding the purge lock (one purge at a time, across replicas);
   * `undefined`, without running it, when another purge holds the lock.
   */
  withLock<T>(work: (session: PurgeSession) => Promise<T>): Promise<T | undefined>;
  /** The stage time of the oldest stored event; undefined when none is stored. */
  oldestEventMs(): Promise<number | undefined>;
}

export const EVENT_PURGER = Symbol('EVENT_PURGER');
