import type { EventItem } from '../audit/audit-query';
import { consoleHref, FilterField, Filters, withFilter } from './console-filters';
import { DetectionBadgeView, detectionBadgeOf } from './detections.view';

/** A value in a table cell that adds itself as a filter when clicked. */
export interface FilterLink {
  text: string;
  href: string;
}

/** A timestamp as `<time>`: the browser rewrites `utc` into its own zone, `iso` stays. */
export interface TimeView {
  iso: string;
  utc: string;
}

export type Highlight = 'denied' | 'failed' | 'session' | 'secret';

export interface EventRowView {
  id: string;
  href: string;
  time: TimeView;
  cluster: FilterLink;
  user: FilterLink;
  verb: FilterLink;
  resource: FilterLink | null;
  namespace: FilterLink | null;
  name: FilterLink | null;
  code: FilterLink | null;
  summary: string;
  badge: { label: string; className: string } | null;
  /** The rules that fired on the event: priority-coloured, the rules in its tooltip. */
  detections: DetectionBadgeView | null;
  rowClass: string;
}

/** Row and badge colours: the classes live here so Tailwind's scan of src/console finds them. */
const HIGHLIGHT_STYLE: Record<Highlight, { row: string; badge: string }> = {
  denied: {
    row: 'bg-red-50 dark:bg-red-950/40',
    badge: 'bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100',
  },
  failed: {
    row: 'bg-orange-50 dark:bg-orange-950/40',
    badge: 'bg-orange-100 text-orange-800 dark:bg-orange-900 dark:text-orange-100',
  },
  session: {
    row: 'bg-violet-50 dark:bg-violet-950/40',
    badge: 'bg-violet-100 text-violet-800 dark:bg-violet-900 dark:text-violet-100',
  },
  secret: {
    row: 'bg-amber-50 dark:bg-amber-950/40',
    badge: 'bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100',
  },
};

const SESSION_SUBRESOURCES: Record<string, string> = {
  exec: 'exec',
  attach: 'attach',
  portforward: 'port-forward',
};
const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Why an event deserves a second look, if it does: the four kinds the issue names. */
export function highlightOf(event: EventItem): { kind: Highlight; label: string } | null {
  const code = event.responseCode ?? 0;
  if (code === 401 || code === 403 || event.decision === 'forbid') {
    return { kind: 'denied', label: code === 401 ? 'unauthenticated' : 'denied' };
  }
  if (code >= 500) return { kind: 'failed', label: `failed ${code}` };
  const session = event.resource === 'pods' ? SESSION_SUBRESOURCES[event.subresource] : undefined;
  if (session) return { kind: 'session', label: session };
  if (event.resource === 'secrets' && event.apiGroup === '' && READ_VERBS.has(event.verb)) {
    return { kind: 'secret', label: 'Secret read' };
  }
  return null;
}

/** The coloured label of a highlighted event, or null for an ordinary one. */
export function badgeOf(event: EventItem): { label: string; className: string } | null {
  const highlight = highlightOf(event);
  return highlight
    ? { label: highlight.label, className: HIGHLIGHT_STYLE[highlight.kind].badge }
    : null;
}

/** `deployments.apps/scale`: the resource as the `resource` filter spells it. */
export function resourceFilterValue(event: EventItem): string {
  const group = event.apiGroup ? `.${event.apiGroup}` : '';
  const sub = event.subresource ? `/${event.subresource}` : '';
  return `${event.resource}${group}${sub}`;
}

/** `2026-11-25 10:00:01 UTC` from an RFC 3339 stamp (the text before the browser rewrites it). */
export function timeView(iso: string): TimeView {
  const date = new Date(iso);
  const utc = Number.isNaN(date.getTime())
    ? iso
    : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return { iso, utc };
}

export function eventRowView(event: EventItem, filters: Filters): EventRowView {
  const link = (field: FilterField, value: string): FilterLink => ({
    text: value,
    href: consoleHref('/', withFilter(filters, field, value)),
  });
  const optional = (field: FilterField, value: string) => (value ? link(field, value) : null);
  const highlight = highlightOf(event);
  return {
    id: event.id,
    href: `/events/${event.id}`,
    time: timeView(event.stageTimestamp),
    cluster: link('cluster', event.cluster),
    user: link('user', event.username),
    verb: link('verb', event.verb),
    resource: event.resource ? link('resource', resourceFilterValue(event)) : null,
    namespace: optional('namespace', event.namespace),
    name: optional('name', event.name),
    code: event.responseCode === null ? null : link('code', String(event.responseCode)),
    summary: event.summary,
    badge: badgeOf(event),
    detections: detectionBadgeOf(event),
    rowClass: highlight ? HIGHLIGHT_STYLE[highlight.kind].row : '',
  };
}
