import { canSee, ClusterVisibility } from '../auth/identity';
import type { StoredEvent } from '../database/events-table';
import type { DetectionSummary } from '../detection/detection';
import type { CodeSelector, EventQuery, ResourceSelector } from './audit-query';
import { matchesSearch, searchWords } from './text-search';

/** Stage time (ms) of an event, read from its UUIDv7 id as the SQL time filter reads it. */
export function idTimeMs(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

function any<T>(values: readonly T[] | undefined, test: (value: T) => boolean): boolean {
  return values === undefined || values.length === 0 || values.some(test);
}

function resourceMatches(event: StoredEvent, selector: ResourceSelector): boolean {
  return (
    event.resource === selector.resource &&
    (selector.subresource === undefined || event.subresource === selector.subresource) &&
    (selector.apiGroup === undefined || event.apiGroup === selector.apiGroup)
  );
}

function codeMatches(code: number | null, selector: CodeSelector): boolean {
  if (code === null) return false;
  return 'exact' in selector ? code === selector.exact : Math.floor(code / 100) === selector.class;
}

/**
 * The same search as the SQL reader (its visibility clause and event-filters.ts), in memory:
 * live tail reads each new event once per replica and hands it to every stream whose caller
 * may see its cluster and whose search it matches. A test checks both agree on the corpus.
 */
export function matchesQuery(
  event: StoredEvent & { detections?: DetectionSummary[] },
  visibility: ClusterVisibility,
  query: EventQuery,
): boolean {
  const words = query.q === undefined ? [] : searchWords(query.q);
  const ms = idTimeMs(event.id);
  return (
    canSee(visibility, event.cluster) &&
    any(query.cluster, (v) => event.cluster === v) &&
    any(query.user, (v) => event.username === v || event.impersonatedUser === v) &&
    any(query.group, (v) => event.groups.includes(v)) &&
    any(query.verb, (v) => event.verb === v) &&
    any(query.resource, (v) => resourceMatches(event, v)) &&
    any(query.apiGroup, (v) => event.apiGroup === v) &&
    any(query.namespace, (v) => event.namespace === v) &&
    any(query.name, (v) => event.name === v) &&
    any(query.code, (v) => codeMatches(event.responseCode, v)) &&
    any(query.decision, (v) => event.decision === v) &&
    any(query.sourceIP, (v) => event.sourceIPs.includes(v)) &&
    (query.userAgent === undefined ||
      event.userAgent.toLowerCase().includes(query.userAgent.toLowerCase())) &&
    (words.length === 0 ||
      matchesSearch(words, [
        event.name,
        event.namespace,
        event.username,
        event.requestURI,
        event.userAgent,
      ])) &&
    (query.fromMs === undefined || ms >= Math.floor(query.fromMs)) &&
    (query.toMs === undefined || ms < Math.floor(query.toMs)) &&
    any(query.stage, (v) => event.stage === v) &&
    any(query.auditID, (v) => event.auditID === v) &&
    detectionsMatch(event.detections ?? [], query)
  );
}

/**
 * The detections filters, over the detections loaded with the item. Live tail sees an event as
 * soon as it is stored, usually before the detector has read it: a live search for
 * `hasDetections` shows only events whose detections were already stored.
 */
function detectionsMatch(detections: readonly DetectionSummary[], query: EventQuery): boolean {
  if (query.hasDetections !== undefined && query.hasDetections !== detections.length > 0) {
    return false;
  }
  return any(query.detectionRule, (rule) => detections.some((d) => d.rule === rule));
}
