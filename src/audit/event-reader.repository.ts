import type { ClusterVisibility } from '../auth/identity';
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
 *
 * Every method that reads events takes the caller's {@link ClusterVisibility} first, as a
 * required argument: rows of other clusters are never read, and seeing no cluster reads nothing
 * (no statement at all). The live tail's shared loop passes ALL_CLUSTERS and filters per stream.
 */
export interface EventReader {
  /** Newest first, ids below `before`. */
  list(
    visibility: ClusterVisibility,
    query: EventQuery,
    page: { limit: number; before?: string },
  ): Promise<StoredEventWithJson[]>;
  get(visibility: ClusterVisibility, id: string): Promise<StoredEventWithJson | undefined>;
  /** The events of these ids that exist, newest first. */
  getMany(visibility: ClusterVisibility, ids: readonly string[]): Promise<StoredEventWithJson[]>;
  /** Every event on one object, oldest first, ids above `after`. */
  objectEvents(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    page: { limit: number; after?: string },
  ): Promise<StoredEventWithJson[]>;
  /**
   * The newest event before `beforeId` that set the object's state as far as the audit level
   * tells: a successful create/update with its body, a patch with its response (of the object,
   * its status or its scale), or a delete.
   */
  lastStateChange(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    beforeId: string,
  ): Promise<StoredEventWithJson | undefined>;
  count(visibility: ClusterVisibility, query: EventQuery): Promise<number>;
  countBy(
    visibility: ClusterVisibility,
    query: EventQuery,
    dimension: CountDimension,
    limit: number,
  ): Promise<Count[]>;
  histogram(
    visibility: ClusterVisibility,
    query: EventQuery,
    bucketSeconds: number,
  ): Promise<BucketCount[]>;
  /**
   * Ids (no event data) stamped at or after `fromMs`, at most `limit`, newest first: the live
   * tail's poll, which loads the events and filters them per stream.
   */
  idsSince(fromMs: number, limit: number): Promise<string[]>;
  clusters(visibility: ClusterVisibility): Promise<string[]>;
  /** The id of the newest stored event of `cluster` (one index probe); undefined when none. */
  newestId(visibility: ClusterVisibility, cluster: string): Promise<string | undefined>;
}

/** Whether `visibility` leaves no cluster to read: answers are empty without a statement. */
export function seesNothing(visibility: ClusterVisibility): boolean {
  return !visibility.all && visibility.clusters.length === 0;
}

export const EVENT_READER = Symbol('EVENT_READER');
