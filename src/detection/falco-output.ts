import type { DetectionPriority } from './detection';

/**
 * Falco's JSON output (json_output: true, json_include_output_property: true), the body
 * Falcosidekick takes on `POST /`: https://falco.org/docs/concepts/outputs/formatting/ and
 * falcosidekick's types.FalcoPayload.
 */
export interface FalcoPayload {
  uuid: string;
  output: string;
  /** Falco's capitalised names: "Warning", "Informational", ... */
  priority: string;
  rule: string;
  /** RFC 3339 with nanoseconds: the event's stage time. */
  time: string;
  output_fields: Record<string, unknown>;
  source: 'k8s_audit';
  tags: string[];
  hostname: string;
}

const FALCO_PRIORITY: Record<DetectionPriority, string> = {
  EMERGENCY: 'Emergency',
  ALERT: 'Alert',
  CRITICAL: 'Critical',
  ERROR: 'Error',
  WARNING: 'Warning',
  NOTICE: 'Notice',
  INFORMATIONAL: 'Informational',
  DEBUG: 'Debug',
};

export function falcoPriority(priority: DetectionPriority): string {
  return FALCO_PRIORITY[priority];
}

/**
 * The event's stage time with nanoseconds (the audit MicroTime's microseconds, then 000), as
 * Falco prints `time`; `fallbackMs` (the id's millisecond) when the event has no usable one.
 */
export function rfc3339Nano(stageTimestamp: unknown, fallbackMs: number): string {
  if (typeof stageTimestamp === 'string') {
    const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(stageTimestamp);
    if (match) return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`;
  }
  const iso = new Date(fallbackMs).toISOString();
  return `${iso.slice(0, 23)}000000Z`;
}
