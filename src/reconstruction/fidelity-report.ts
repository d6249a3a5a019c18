import type { AuditEvent } from '../domain/audit-event';
import { normalizeEvent } from '../domain/normalize-event';
import { toKubectl } from './core/to-kubectl';
import type { Fidelity } from './core/types';

const FIDELITIES: Fidelity[] = ['exact', 'equivalent', 'partial', 'none'];
const FALLBACK = 'raw-fallback';
const MAX_LISTED = 50;

/** One item of an audit file, as `readAuditFiles` yields them. */
export type FidelityInput =
  | { kind: 'event'; raw: unknown; file: string; line: number }
  | { kind: 'error'; file: string; line: number; reason: string };

export interface Unrecognized {
  file: string;
  line: number;
  verb: string;
  requestURI: string;
  fidelity: Fidelity;
}

export interface FidelityReport {
  events: number;
  /** Lines or documents that were no audit event, and events normalizeEvent refused. */
  skipped: number;
  byFidelity: Record<Fidelity, number>;
  byRecognizer: Map<string, Record<Fidelity, number>>;
  unrecognized: Unrecognized[];
}

function zero(): Record<Fidelity, number> {
  return { exact: 0, equivalent: 0, partial: 0, none: 0 };
}

/** Counts reconstructions per fidelity and per recognizer, and keeps what fell through. */
export async function fidelityReport(items: AsyncIterable<FidelityInput>): Promise<FidelityReport> {
  const report: FidelityReport = {
    events: 0,
    skipped: 0,
    byFidelity: zero(),
    byRecognizer: new Map(),
    unrecognized: [],
  };
  for await (const item of items) {
    const normalized = item.kind === 'event' ? normalizeEvent(item.raw) : undefined;
    if (!normalized?.ok) {
      report.skipped++;
      continue;
    }
    count(report, item.file, item.line, normalized.event);
  }
  return report;
}

function count(report: FidelityReport, file: string, line: number, event: AuditEvent): void {
  const { fidelity, recognizer } = toKubectl(event);
  report.events++;
  report.byFidelity[fidelity]++;
  let row = report.byRecognizer.get(recognizer);
  if (!row) report.byRecognizer.set(recognizer, (row = zero()));
  row[fidelity]++;
  if (recognizer === FALLBACK || fidelity === 'none') {
    report.unrecognized.push({
      file,
      line,
      verb: event.verb,
      requestURI: event.requestURI,
      fidelity,
    });
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The report as Markdown tables, ready for docs/reconstruction.md. */
export function formatFidelityReport(report: FidelityReport): string {
  const lines = [
    `${report.events} events reconstructed, ${report.skipped} items skipped (not audit events).`,
    '',
    '| fidelity | events | share |',
    '|---|---:|---:|',
    ...FIDELITIES.map(
      (f) => `| ${f} | ${report.byFidelity[f]} | ${percent(report.byFidelity[f], report.events)} |`,
    ),
    '',
    `| recognizer | events | ${FIDELITIES.join(' | ')} |`,
    `|---|---:|${FIDELITIES.map(() => '---:').join('|')}|`,
  ];
  const rows = [...report.byRecognizer].sort(
    (a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]),
  );
  for (const [name, row] of rows) {
    lines.push(`| ${name} | ${total(row)} | ${FIDELITIES.map((f) => row[f]).join(' | ')} |`);
  }
  lines.push('');
  if (report.unrecognized.length === 0) {
    lines.push('Every event was claimed by a named recognizer.');
  } else {
    lines.push(`Not recognized (${FALLBACK} or none): ${report.unrecognized.length}`);
    for (const u of report.unrecognized.slice(0, MAX_LISTED)) {
      lines.push(`- ${u.file}:${u.line} ${u.verb} ${JSON.stringify(u.requestURI)} (${u.fidelity})`);
    }
    if (report.unrecognized.length > MAX_LISTED) {
      lines.push(`- ... and ${report.unrecognized.length - MAX_LISTED} more`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function total(row: Record<Fidelity, number>): number {
  return FIDELITIES.reduce((sum, f) => sum + row[f], 0);
}
