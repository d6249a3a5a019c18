/**
 * Pulls audit Events out of one parsed JSON document, whatever wrapper it came in:
 * - a bare Event (`{"kind":"Event",...}` or an EventList item without kind/apiVersion),
 * - an EventList (`{"kind":"EventList","items":[...]}`, the webhook body),
 * - an Azure Diagnostics / Event Hubs export (`{"records":[{category, properties:{log}}]}`) or one
 *   such record on its own; `properties.log` is the Event serialised as a string, or an object,
 * - a JSON array of any of the above.
 *
 * Nothing here validates Events: any JSON object that is not a recognised wrapper is returned as
 * an event, and the ingest side decides whether it is valid (invalid ones are counted rejected
 * and quarantined, so the evidence is kept). Only values that cannot be an Event at all
 * (numbers, strings, null, unparseable `properties.log`) are reported as errors.
 */

/** Azure Diagnostics categories that carry audit Events; other categories are skipped. */
export const AKS_AUDIT_CATEGORIES: ReadonlySet<string> = new Set([
  'kube-audit',
  'kube-audit-admin',
]);

/** Wrappers nested deeper than this (records in records in lists...) are reported, not followed. */
const MAX_DEPTH = 4;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** A short, single-line sample of a value for error messages. */
export function sample(v: unknown, max = 200): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > max ? text.slice(0, max) : text;
}

export interface ExtractError {
  /** Where in the document, e.g. `records[3].properties.log: not valid JSON (...)`. */
  reason: string;
  /** First 200 characters of the offending value. */
  text: string;
}

export interface DetailedExtraction {
  events: unknown[];
  errors: ExtractError[];
  /** AKS records skipped because their category is not an audit category. */
  skipped: number;
  /** The same, per category. */
  skippedCategories: Record<string, number>;
}

export interface Extraction {
  events: unknown[];
  errors: string[];
  skipped: number;
  skippedCategories: Record<string, number>;
}

function isAksRecord(v: Obj): boolean {
  return isObject(v.properties) && 'log' in v.properties;
}

function isEventList(v: Obj): boolean {
  return Array.isArray(v.items) && (v.kind === 'EventList' || v.kind === undefined);
}

function at(path: string, reason: string): string {
  return path ? `${path}: ${reason}` : reason;
}

class Extractor {
  readonly out: DetailedExtraction = { events: [], errors: [], skipped: 0, skippedCategories: {} };

  value(v: unknown, path: string, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.error(path, 'wrappers nested too deeply', v);
    } else if (Array.isArray(v)) {
      v.forEach((el, i) => this.value(el, `${path}[${i}]`, depth + 1));
    } else if (!isObject(v)) {
      this.error(path, `expected a JSON object (an audit Event), got ${describe(v)}`, v);
    } else if (Array.isArray(v.records)) {
      v.records.forEach((rec, i) =>
        this.record(rec, `${path}${path ? '.' : ''}records[${i}]`, depth),
      );
    } else if (isEventList(v)) {
      (v.items as unknown[]).forEach((item, i) => {
        const itemPath = `${path}${path ? '.' : ''}items[${i}]`;
        if (isObject(item)) this.out.events.push(item);
        else this.error(itemPath, `expected an audit Event object, got ${describe(item)}`, item);
      });
    } else if (isAksRecord(v)) {
      this.record(v, path, depth);
    } else {
      this.out.events.push(v);
    }
  }

  private record(rec: unknown, path: string, depth: number): void {
    if (!isObject(rec)) {
      this.error(path, `expected an Azure diagnostics record object, got ${describe(rec)}`, rec);
      return;
    }
    const category = rec.category;
    if (typeof category === 'string' && !AKS_AUDIT_CATEGORIES.has(category.toLowerCase())) {
      this.out.skipped++;
      this.out.skippedCategories[category] = (this.out.skippedCategories[category] ?? 0) + 1;
      return;
    }
    const props = rec.properties;
    const log = isObject(props) ? props.log : undefined;
    const logPath = `${path}${path ? '.' : ''}properties.log`;
    if (typeof log === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(log);
      } catch (e) {
        this.error(logPath, `not valid JSON (${(e as Error).message})`, log);
        return;
      }
      this.value(parsed, logPath, depth + 1);
    } else if (isObject(log) || Array.isArray(log)) {
      this.value(log, logPath, depth + 1);
    } else if (log === undefined) {
      this.error(path, 'record has no properties.log', rec);
    } else {
      this.error(logPath, `expected a JSON string or object, got ${describe(log)}`, log);
    }
  }

  private error(path: string, reason: string, v: unknown): void {
    this.out.errors.push({ reason: at(path, reason), text: sample(v) });
  }
}

/** Like {@link extractEvents}, with a sample of each offending value. */
export function extractEventsDetailed(doc: unknown): DetailedExtraction {
  const x = new Extractor();
  x.value(doc, '', 0);
  return x.out;
}

/** Pure: the Events inside one parsed JSON document, and why any part of it was not one. */
export function extractEvents(doc: unknown): Extraction {
  const d = extractEventsDetailed(doc);
  return {
    events: d.events,
    errors: d.errors.map((e) => e.reason),
    skipped: d.skipped,
    skippedCategories: d.skippedCategories,
  };
}
