/**
 * Annotations our converters (src/import: GKE Cloud Logging entries) add to the audit.k8s.io/v1
 * Events they build, so every reader knows what the source did not carry.
 */

/** The format the event was converted from (`gke-cloud-logging`). */
export const CONVERTED_FROM = 'k8s-audit-webhook/converted-from';
/** Comma-separated parts of the event the source did not carry (`request-query`, `user.groups`, ...). */
export const MISSING = 'k8s-audit-webhook/missing';

/** The parts of a converted event its source did not carry; empty for an apiserver's event. */
export function missingParts(annotations: Record<string, string> | undefined): string[] {
  const value = annotations?.[MISSING];
  return typeof value === 'string' && value !== '' ? value.split(',') : [];
}
