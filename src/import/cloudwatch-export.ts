/**
 * EKS control-plane audit logs as CloudWatch Logs exports them (docs/managed-clusters.md):
 * - `aws logs filter-log-events` / `get-log-events` output: `{"events":[{"message":"<Event JSON>",
 *   "timestamp":..., "logStreamName":"kube-apiserver-audit-...", ...}], "nextToken"...}`, or one
 *   such event per line (`jq -c '.events[]'`),
 * - an export to S3 (`aws logs create-export-task`): lines `<ISO timestamp> <message>`, gzipped.
 * The message is the apiserver's audit Event, unchanged.
 */

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const CLOUDWATCH_FORMAT = 'cloudwatch-logs';
export const S3_EXPORT_FORMAT = 'cloudwatch-s3-export';

/** A CloudWatch Logs event: a string `message` and a numeric `timestamp` (epoch ms). */
export function isCloudWatchEvent(v: unknown): v is Obj {
  return isObject(v) && typeof v.message === 'string' && typeof v.timestamp === 'number';
}

/** `{"events":[...]}` of filter-log-events or get-log-events. */
export function isCloudWatchResponse(v: Obj): boolean {
  return (
    Array.isArray(v.events) &&
    (v.events.length === 0 ? 'nextForwardToken' in v || 'searchedLogStreams' in v : true) &&
    v.events.every(isCloudWatchEvent)
  );
}

/**
 * The stream family a CloudWatch event comes from when it is not the audit log of an EKS log
 * group (`authenticator-<hash>`, `kube-scheduler-<hash>`...), to count it as skipped; undefined
 * for `kube-apiserver-audit-*` streams and events without a stream name.
 */
export function nonAuditStream(event: Obj): string | undefined {
  const stream = event.logStreamName;
  if (typeof stream !== 'string' || stream.startsWith('kube-apiserver-audit')) return undefined;
  return `eks:${stream.replace(/-[0-9a-f]{16,}$/, '')}`;
}

/** `2026-11-30T10:00:00.123Z {"kind":"Event",...}` -> the JSON part, or undefined. */
export function s3ExportMessage(line: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) +([{[].*)$/s.exec(
    line,
  );
  return m ? m[2] : undefined;
}
