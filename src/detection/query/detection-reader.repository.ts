import type { ClusterVisibility } from '../../auth/identity';
import type { DetectionPriority, DetectionSummary, StoredDetection } from '../detection';

/** Which detections to read. Absent or empty: no condition. Values are validated by the DTOs. */
export interface DetectionFilter {
  cluster?: string[];
  rule?: string[];
  /** The detections of one event. */
  eventId?: string;
  /**
   * Falco's minimum priority: detections at least this severe (numeric severity at most this,
   * 0 Emergency ... 7 Debug).
   */
  maxSeverity?: number;
  /** Inclusive lower bound of the event's stage time (epoch ms): detection ids carry it. */
  fromMs?: number;
  /** Exclusive upper bound (epoch ms). */
  toMs?: number;
  /** true: alerts only (not grouped into an earlier detection); false: every detection. */
  alertsOnly: boolean;
}

/** One rule's findings in a range (GET /api/v1/detections/summary). */
export interface RuleSummary {
  rule: string;
  /** The most severe priority the rule fired with in the range. */
  priority: DetectionPriority;
  severity: number;
  /** Detections that raised an alert (not grouped into an earlier one). */
  alerts: number;
  /** Every detection, grouped ones included. */
  detections: number;
  /** Id of the newest detection (UUIDv7: its time part is the event's stage time). */
  lastId: string;
}

/**
 * Storage port of the detections' read side. Like the events reader, every method takes the
 * caller's {@link ClusterVisibility} first: detections of other clusters are never read, and
 * seeing no cluster reads nothing (no statement at all).
 */
export interface DetectionReader {
  /** The detections of these events (one statement), by event id, most severe first. */
  forEvents(
    visibility: ClusterVisibility,
    eventIds: readonly string[],
  ): Promise<Map<string, DetectionSummary[]>>;
  /** The stored detections of one event, with why they fired, most severe first. */
  ofEvent(visibility: ClusterVisibility, eventId: string): Promise<StoredDetection[]>;
  /** Newest first (keyset on the UUIDv7 id), ids below `before`. */
  list(
    visibility: ClusterVisibility,
    filter: DetectionFilter,
    page: { limit: number; before?: string },
  ): Promise<StoredDetection[]>;
  /** Per rule, most severe first, then most detections; at most `limit` rules. */
  summary(
    visibility: ClusterVisibility,
    filter: Omit<DetectionFilter, 'alertsOnly'>,
    limit: number,
  ): Promise<RuleSummary[]>;
}

export const DETECTION_READER = Symbol('DETECTION_READER');
