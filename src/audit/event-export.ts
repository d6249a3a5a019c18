import type { EventItem } from './audit-query';

export type ExportFormat = 'ndjson' | 'csv';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

const CSV_COLUMNS: [string, (item: EventItem) => string | number | null][] = [
  ['id', (i) => i.id],
  ['time', (i) => i.stageTimestamp],
  ['cluster', (i) => i.cluster],
  ['stage', (i) => i.stage],
  ['user', (i) => i.username],
  ['impersonatedUser', (i) => i.impersonatedUser],
  ['groups', (i) => i.groups.join(' ')],
  ['sourceIPs', (i) => i.sourceIPs.join(' ')],
  ['verb', (i) => i.verb],
  ['apiGroup', (i) => i.apiGroup],
  ['resource', (i) => i.resource],
  ['subresource', (i) => i.subresource],
  ['namespace', (i) => i.namespace],
  ['name', (i) => i.name],
  ['code', (i) => i.responseCode],
  ['decision', (i) => i.decision],
  ['userAgent', (i) => i.userAgent],
  ['requestURI', (i) => i.requestURI],
  ['auditID', (i) => i.auditID],
  ['summary', (i) => i.summary],
  ['kubectl', (i) => i.kubectl.command],
  ['fidelity', (i) => i.kubectl.fidelity],
];

/**
 * One CSV cell (RFC 4180). A text starting with = + - @ (or a tab / carriage return) would run
 * as a formula in a spreadsheet: event fields come from any cluster user, so such a cell gets
 * a leading apostrophe (OWASP's advice for CSV injection).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The export as lines of text, streamed from the items as they are read. */
export async function* exportLines(
  items: AsyncIterable<EventItem>,
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;
  for await (const item of items) {
    yield format === 'csv'
      ? `${CSV_COLUMNS.map(([, read]) => csvCell(read(item))).join(',')}\r\n`
      : `${JSON.stringify(item)}\n`;
  }
}
