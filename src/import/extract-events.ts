/**
 * Pulls audit Events out of one parsed JSON document, whatever wrapper it came in:
 * - a bare Event (`{"kind":"Event",...}` or an EventList item without kind/apiVersion),
 * - an EventList (`{"kind":"EventList","items":[...]}`, the webhook body),
 * - an Azure Diagnostics / Event Hubs export (`{"records":[{category, properties:{log}}]}`) or one
 *   such record on its own; `properties.log` is the Event serialised as a string, or an object,
 * - a GKE Cloud Logging `LogEntry` (protoPayload AuditLog of `k8s.io`), converted to an Event
 *   (gke-log-entry.ts); LogEntries of other services are skipped with a count,
 * - CloudWatch Logs output (`{"events":[{"message":"<Event JSON>",...}]}`) or one such event
 *   (cloudwatch-export.ts); events of other EKS log streams are skipped with a count,
 * - a JSON array of any of the above.
 *
 * Nothing here validates Events: any JSON object that is not a recognised wrapper is returned as
 * an event, and the ingest side decides whether it is valid (invalid ones are counted rejected
 * and quarantined, so the evidence is kept). Only values that cannot be an Event at all
 * (numbers, strings, null, unparseable `properties.log`) are reported as errors.
 */

import {
  CLOUDWATCH_FORMAT,
  isCloudWatchEvent,
  isCloudWatchResponse,
  nonAuditStream,
} from './cloudwatch-export';
import { convertGkeLogEntry, GKE_FORMAT, isLogEntry, nonKubernetesCategory } from './gke-log-entry';

/** How an Event came: the format names the per-file report uses. */
export const AUDIT_EVENT_FORMAT = 'audit-event';
export const EVENT_LIST_FORMAT = 'event-list';
export const AKS_FORMAT = 'aks-diagnostics';

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

/**
 * Why a string is not JSON, without quoting it: Node's parser error quotes the text around the
 * fault, and these reasons are logged (an audit event's text may hold anything). The position
 * and the length say where to look in the record, which is kept in quarantine.
 */
export function notJson(error: unknown, text: string): string {
  const position = /position (\d+)/.exec(String((error as Error | undefined)?.message));
  const at = position
    ? `at character ${position[1]} of ${text.length}`
    : `${text.length} characters`;
  return `not valid JSON (${at})`;
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
  /** Events per format they came in (outermost envelope), e.g. `{"gke-cloud-logging": 3}`. */
  formats: Record<string, number>;
}

export interface Extraction {
  events: unknown[];
  errors: string[];
  skipped: number;
  skippedCategories: Record<string, number>;
  formats: Record<string, number>;
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
  readonly out: DetailedExtraction = {
    events: [],
    errors: [],
    skipped: 0,
    skippedCategories: {},
    formats: {},
  };

  private push(event: unknown, format: string): void {
    this.out.events.push(event);
    this.out.formats[format] = (this.out.formats[format] ?? 0) + 1;
  }

  private skip(category: string): void {
    this.out.skipped++;
    this.out.skippedCategories[category] = (this.out.skippedCategories[category] ?? 0) + 1;
  }

  /** `format` is the envelope the value came in, if any (it names the events found inside). */
  value(v: unknown, path: string, depth: number, format?: string): void {
    if (depth > MAX_DEPTH) {
      this.error(path, 'wrappers nested too deeply', v);
    } else if (Array.isArray(v)) {
      v.forEach((el, i) => this.value(el, `${path}[${i}]`, depth + 1, format));
    } else if (!isObject(v)) {
      this.error(path, `expected a JSON object (an audit Event), got ${describe(v)}`, v);
    } else if (Array.isArray(v.records)) {
      v.records.forEach((rec, i) =>
        this.record(rec, `${path}${path ? '.' : ''}records[${i}]`, depth, format),
      );
    } else if (isEventList(v)) {
      (v.items as unknown[]).forEach((item, i) => {
        const itemPath = `${path}${path ? '.' : ''}items[${i}]`;
        if (isObject(item)) this.push(item, format ?? EVENT_LIST_FORMAT);
        else this.error(itemPath, `expected an audit Event object, got ${describe(item)}`, item);
      });
    } else if (isAksRecord(v)) {
      this.record(v, path, depth, format);
    } else if (isLogEntry(v)) {
      this.logEntry(v, path, format);
    } else if (isCloudWatchResponse(v)) {
      (v.events as unknown[]).forEach((ev, i) =>
        this.cloudWatchEvent(
          ev as Obj,
          `${path}${path ? '.' : ''}events[${i}]`,
          depth,
          format ?? CLOUDWATCH_FORMAT,
        ),
      );
    } else if (isCloudWatchEvent(v)) {
      this.cloudWatchEvent(v, path, depth, format ?? CLOUDWATCH_FORMAT);
    } else {
      this.push(v, format ?? AUDIT_EVENT_FORMAT);
    }
  }

  private logEntry(entry: Obj, path: string, format?: string): void {
    const other = nonKubernetesCategory(entry);
    if (other !== undefined) {
      this.skip(other);
      return;
    }
    const c = convertGkeLogEntry(entry);
    if (c.ok) this.push(c.event, format ?? GKE_FORMAT);
    else this.error(path, `GKE LogEntry: ${c.reason}`, entry);
  }

  private cloudWatchEvent(ev: Obj, path: string, depth: number, format: string): void {
    const other = nonAuditStream(ev);
    if (other !== undefined) {
      this.skip(other);
      return;
    }
    const message = ev.message as string;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch (e) {
      this.error(`${path}${path ? '.' : ''}message`, notJson(e, message), message);
      return;
    }
    this.value(parsed, `${path}${path ? '.' : ''}message`, depth + 1, format);
  }

  private record(rec: unknown, path: string, depth: number, format?: string): void {
    if (!isObject(rec)) {
      this.error(path, `expected an Azure diagnostics record object, got ${describe(rec)}`, rec);
      return;
    }
    const category = rec.category;
    if (typeof category === 'string' && !AKS_AUDIT_CATEGORIES.has(category.toLowerCase())) {
      this.skip(category);
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
        this.error(logPath, notJson(e, log), log);
        return;
      }
      this.value(parsed, logPath, depth + 1, format ?? AKS_FORMAT);
    } else if (isObject(log) || Array.isArray(log)) {
      this.value(log, logPath, depth + 1, format ?? AKS_FORMAT);
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
export function extractEventsDetailed(doc: unknown, format?: string): DetailedExtraction {
  const x = new Extractor();
  x.value(doc, '', 0, format);
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
    formats: d.formats,
  };
}
