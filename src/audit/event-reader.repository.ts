import type { StoredEvent } from '../database/events-table';
import type { Count, EventQuery, ObjectRef } from './audit-query';

/** A stored event with its original JSON text (what reconstruction and the detail view read). */
export interface StoredEventWithJson {
  event: StoredEvent;
  json: string;
}

/** Columns the query side may count by. */
export type CountDimension =
  'verb' | 'username' | 'resource' | 'namespace' | 'cluster' | 'responseCode';

export interface BucketCount {
  /** Bucket number: seconds since the epoch divided by the bucket size. */
  bucket: number;
  count: number;
  /** Denied (401/403, decision forbid) or failed (5xx). */
  errors: number;
}

/**
 * Storage port of the query side. Pages are keyset pages on the UUIDv7 id (time order), so a
 * page costs the same at any depth and a row inserted meanwhile never shifts the next page.
 */
export interface EventReader {
  /** Newest first, ids below `before`. */
  list(query: EventQuery, page: { limit: number; before?: string }): Promise<StoredEventWithJson[]>;
  get(id: string): Promise<StoredEventWithJson | undefined>;
  /** The events of these ids that exist, newest first. */
  getMany(ids: readonly string[]): Promise<StoredEventWithJson[]>;
  /** Every event on one object, oldest first, ids above `after`. */
  objectEvents(
    ref: ObjectRef,
    page: { limit: number; after?: string },
  ): Promise<StoredEventWithJson[]>;
  /**
   * The newest event before `beforeId` that set the object's state as far as the audit level
   * tells: a successful create/update with its body, a patch with its response (of the object,
   * its status or its scale), or a delete.
   */
  lastStateChange(ref: ObjectRef, beforeId: string): Promise<StoredEventWithJson | undefined>;
  count(query: EventQuery): Promise<number>;
  countBy(query: EventQuery, dimension: CountDimension, limit: number): Promise<Count[]>;
  histogram(query: EventQuery, bucketSeconds: number): Promise<BucketCount[]>;
  /** Ids of events stamped at or after `fromMs` (live tail's poll), at most `limit`, newest first. */
  idsSince(fromMs: number, limit: number): Promise<string[]>;
  clusters(): Promise<string[]>;
}

export const EVENT_READER = Symbol('EVENT_READER');
