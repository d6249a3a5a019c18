/**
 * Storage port of the detector (src/detection/detection.service.ts) and of the backfill
 * (`npm run detect`). Only the SQL adapter (sql-detection-store.repository.ts) knows tables.
 */

/** One stored event, in store order (`seq`) or in id order (the backfill). */
export interface StoredEventRow {
  /** Store order: MySQL `audit_events.ingest_seq`, SQLite `detection_feed.seq`; 0 in history reads. */
  seq: number;
  /** The event's id (UUIDv7 of its stage time); undefined when the event was deleted since. */
  id?: Buffer;
  cluster: string;
  /** The stored event JSON. */
  event: string;
}

/** A detection to store (one rule on one event). */
export interface NewDetection {
  id: Buffer;
  eventId: Buffer;
  cluster: string;
  rule: string;
  priority: string;
  severity: number;
  output: string;
  /** JSON array of strings, already cut. */
  tags: string;
  /** JSON array of { field, value }, already cut. */
  fields: string;
  groupKey: Buffer;
  /** The alert this one is grouped into (its `repeats` is incremented with the insert). */
  groupedInto?: Buffer;
  detectedAtMs: number;
}

/** The newest detection of a group at or before a time. */
export interface GroupMember {
  id: Buffer;
  groupedInto?: Buffer;
}

export interface NewSignal {
  rule: string;
  keyHash: Buffer;
  eventId: Buffer;
  valueHash: Buffer;
  atMs: number;
}

/** Held while this process runs the detector; `alive` false once the lock was lost. */
export interface DetectorLease {
  alive(): Promise<boolean>;
  release(): Promise<void>;
}

export interface DetectionStore {
  readonly backend: 'mysql' | 'sqlite';
  /**
   * The detector's lock: one replica at a time follows the store order. MySQL/MariaDB: GET_LOCK
   * on a connection of its own, held as long as the detector runs; SQLite: in-process.
   * Undefined when another holds it.
   */
  acquireLease(): Promise<DetectorLease | undefined>;

  /** Rows after `seq` in store order, oldest first. */
  readAfter(seq: number, limit: number): Promise<StoredEventRow[]>;
  /** MySQL only: the rows of these sequence ranges (inclusive) that are visible now. */
  readRanges(ranges: readonly (readonly [number, number])[]): Promise<StoredEventRow[]>;
  /** The highest store position now (0: none). */
  storeEnd(): Promise<number>;
  /**
   * Everything up to `seq` has been evaluated: persists it (SQLite also deletes the feed rows
   * up to it).
   */
  passThrough(seq: number): Promise<void>;
  /** The persisted position; undefined before the detector's first start on this database. */
  checkpoint(): Promise<number | undefined>;

  /** Events with `fromId <= id < toId` (optionally of one cluster) after `afterId`, by id. */
  readHistory(
    scope: { fromId: Buffer; toId: Buffer; cluster?: string },
    afterId: Buffer | undefined,
    limit: number,
  ): Promise<(StoredEventRow & { id: Buffer })[]>;

  /** The newest detection of `groupKey` with `fromId <= id <= toId`. */
  latestInGroup(groupKey: Buffer, fromId: Buffer, toId: Buffer): Promise<GroupMember | undefined>;
  /**
   * Several detections in one transaction (INSERT IGNORE), then each alert's repeats += its
   * count in `repeats`. Rows inserted.
   */
  insertDetections(detections: NewDetection[], repeats: Map<string, number>): Promise<number>;
  /** Of these events, the (event id hex, rule) pairs that already have a detection. */
  existingDetections(eventIds: Buffer[]): Promise<Set<string>>;
  /** INSERT IGNORE on (rule, key_hash, event_id): a re-evaluated event counts once. */
  insertSignal(signal: NewSignal): Promise<void>;
  /** COUNT(DISTINCT value_hash) of the rule's key with fromMs < at_ms <= toMs. */
  countDistinct(rule: string, keyHash: Buffer, fromMs: number, toMs: number): Promise<number>;
  /** Whether the rule's key has a signal stamped before `beforeMs`. */
  signalBefore(rule: string, keyHash: Buffer, beforeMs: number): Promise<boolean>;
  /** Deletes the rule's signals stamped before `beforeMs` (bounded, oldest first); rows deleted. */
  pruneSignals(rule: string, beforeMs: number): Promise<number>;
  /** The rules that have signals stored (a removed rule's stay until pruned). */
  signalRules(): Promise<string[]>;

  setting(name: string): Promise<string | undefined>;
  /** Writes the setting unless it exists; returns the value stored now. */
  settingIfAbsent(name: string, value: string): Promise<string>;
}

export const DETECTION_STORE = Symbol('DETECTION_STORE');
