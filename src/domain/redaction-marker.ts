/**
 * The marker that replaces a secret value before an event is stored (src/ingest/redaction.ts):
 * `<redacted-hmac:` + the first 12 hex digits of HMAC-SHA256(key, value) + `>`. Shared here
 * because the display redaction (src/reconstruction) must recognise it and leave it alone: it
 * is already safe to show, and it is what tells two values apart.
 *
 * No spaces, so a marker inside a command line stays one shell word and one query value.
 */
export const REDACTION_MARKER = /^<redacted-hmac:[0-9a-f]{12}>$/;

export function redactionMarker(hex12: string): string {
  return `<redacted-hmac:${hex12}>`;
}

export function isRedactionMarker(value: unknown): boolean {
  return typeof value === 'string' && value.length === 28 && REDACTION_MARKER.test(value);
}
