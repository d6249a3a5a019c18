/**
 * What the rules found, as the API and the console read it. Written by the detector
 * (src/detection/detection.service.ts) into the `detections` table (migration 1797600000000);
 * read by src/detection/query.
 */

/** Falco's priorities, most severe first; the index is Falco's numeric severity (0 to 7). */
export const PRIORITIES = [
  'EMERGENCY',
  'ALERT',
  'CRITICAL',
  'ERROR',
  'WARNING',
  'NOTICE',
  'INFORMATIONAL',
  'DEBUG',
] as const;
export type DetectionPriority = (typeof PRIORITIES)[number];

export function severityOf(priority: DetectionPriority): number {
  return PRIORITIES.indexOf(priority);
}

/** One field the rule's condition or output read, with its value in the event: why it fired. */
export interface DetectionField {
  field: string;
  value: unknown;
}

/** On every event item of the API: the rules that fired on it. */
export interface DetectionSummary {
  rule: string;
  priority: DetectionPriority;
  output: string;
  tags: string[];
}

/** A stored detection (GET /api/v1/detections). */
export interface StoredDetection extends DetectionSummary {
  /** UUIDv7 whose time part is the event's stage time. */
  id: string;
  eventId: string;
  cluster: string;
  /** The event's stage time (ISO 8601). */
  time: string;
  /** When the detector ran the rule (ISO 8601); later than `time` for a backfill. */
  detectedAt: string;
  fields: DetectionField[];
  /**
   * Repeats of one rule for one identity and object within the rule's group window are grouped:
   * the first raises the alert and counts the `repeats`; each later one names it here.
   */
  groupedInto?: string;
  repeats: number;
}

/** Sizes the detector cuts stored text to. */
export const DETECTION_LIMITS = {
  rule: 200,
  output: 4096,
  /** The fields' JSON; values are cut first (each to 512 characters). */
  fields: 16_384,
  fieldValue: 512,
  tags: 2048,
} as const;
