/**
 * The query side's vocabulary: what callers (the JSON API, the console, live tail, export) ask
 * the audit module for and what they get back. The wire shape never leaks the table shape.
 */
import type { StoredEvent } from '../database/events-table';
import type { DetectionSummary } from '../detection/detection';
import type { Explanation } from '../reconstruction/reconstruction.service';

/**
 * One search. Every list is OR'ed within itself; different fields are AND'ed. Absent or empty
 * means "no condition". All values are validated by the DTOs before they get here.
 */
export interface EventQuery {
  cluster?: string[];
  /** username; also matches the impersonated user's name. */
  user?: string[];
  group?: string[];
  verb?: string[];
  /** `pods`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`, already parsed. */
  resource?: ResourceSelector[];
  apiGroup?: string[];
  namespace?: string[];
  name?: string[];
  /** Exact codes (403) and classes (4 for 4xx). */
  code?: CodeSelector[];
  decision?: ('allow' | 'forbid')[];
  sourceIP?: string[];
  /** Case-insensitive "contains". */
  userAgent?: string;
  /** Full text: every word must appear (prefix match) in name, namespace, username, URI or user agent. */
  q?: string;
  /** Inclusive lower bound of the stage time (epoch ms). */
  fromMs?: number;
  /** Exclusive upper bound of the stage time (epoch ms). */
  toMs?: number;
  stage?: string[];
  auditID?: string[];
  /** true: only events a rule fired on; false: only events no rule fired on. */
  hasDetections?: boolean;
  /** Only events one of these rules fired on. */
  detectionRule?: string[];
}

export interface ResourceSelector {
  resource: string;
  /** undefined: any subresource; '' : the object itself only. */
  subresource?: string;
  /** undefined: any group; '' : the core group. */
  apiGroup?: string;
}

export type CodeSelector = { exact: number } | { class: 1 | 2 | 3 | 4 | 5 };

/** The fields every event row carries, as read back (declared by the table descriptor). */
export type { StoredEvent } from '../database/events-table';

/** A stored event explained: the stored columns plus the sentence and the kubectl command. */
export type ExplainedEvent = StoredEvent & Explanation;

/** The API item: the explained event and the rules that fired on it (an empty list: none). */
export type EventItem = ExplainedEvent & { detections: DetectionSummary[] };

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export type EventPage = Page<EventItem>;

/** One change of one field between two known states of an object. */
export interface FieldChange {
  /** Dotted path, `spec.replicas`, `metadata.labels.app`, `spec.containers[0].image`. */
  path: string;
  op: 'added' | 'removed' | 'changed';
  /** Values as JSON text (Secret values are `<redacted>`). */
  before?: string;
  after?: string;
}

export interface HistoryItem extends EventItem {
  /**
   * For a write: the changes against the previous known state; null for reads, failed
   * requests and writes whose body the audit level did not record (see `diffNote`).
   */
  diff: FieldChange[] | null;
  /** Why there is no diff, e.g. "no body at this audit level", "first known state". */
  diffNote?: string;
}

export interface ObjectRef {
  cluster: string;
  /** undefined: any group ('' is the core group). */
  apiGroup?: string;
  resource: string;
  namespace: string;
  name: string;
}

export interface Count {
  key: string;
  count: number;
}

export interface UserActivity {
  username: string;
  fromMs: number;
  toMs: number;
  total: number;
  byVerb: Count[];
  byResource: Count[];
  byNamespace: Count[];
  byCluster: Count[];
  byCode: Count[];
  denied: { total: number; latest: EventItem[] };
}

export interface TimeBucket {
  /** RFC 3339 start of the bucket. */
  start: string;
  count: number;
  /** Of which denied (401/403) or failed (5xx). */
  errors: number;
}

export interface EventStats {
  fromMs: number;
  toMs: number;
  bucketSeconds: number;
  total: number;
  buckets: TimeBucket[];
  byVerb: Count[];
  byUser: Count[];
  byResource: Count[];
  byCode: Count[];
  byCluster: Count[];
}
