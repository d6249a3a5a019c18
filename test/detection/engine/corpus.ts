import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';

/** Audit events of test/fixtures/corpus, each with the file it came from. */
export interface CorpusEvent {
  file: string;
  event: Record<string, unknown>;
}

const CORPUS = join(__dirname, '../../fixtures/corpus');

function isEvent(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'auditID' in value;
}

/** One JSON document per file, or JSON lines; the BOM some upstream files start with is dropped. */
function eventsOfFile(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  try {
    const whole: unknown = JSON.parse(text);
    if (isEvent(whole)) return [whole];
    const records = (whole as { records?: unknown[] }).records;
    if (Array.isArray(records)) return records.flatMap(azureRecordEvent);
    const single = azureRecordEvent(whole);
    if (single.length > 0) return single;
  } catch {
    // JSON lines
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown)
    .filter(isEvent);
}

/** AKS diagnostics records carry the audit event as a string in properties.log. */
function azureRecordEvent(record: unknown): Record<string, unknown>[] {
  const log = (record as { properties?: { log?: unknown } } | null)?.properties?.log;
  if (typeof log !== 'string') return [];
  const event: unknown = JSON.parse(log);
  return isEvent(event) ? [event] : [];
}

export function corpusEvents(folder: string): CorpusEvent[] {
  const dir = join(CORPUS, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') || f.endsWith('.log'))
    .sort()
    .flatMap((f) => eventsOfFile(join(dir, f)).map((event) => ({ file: f, event })));
}

export const CORPUS_FOLDERS = [
  'falcosecurity-falco',
  'liggitt-audit2rbac',
  'sysdiglabs-aks-audit-log',
  'afcollins-kube-audit-log-tool',
];
