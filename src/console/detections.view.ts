import type { EventItem, Page } from '../audit/audit-query';
import type { DetectionPriority, DetectionSummary, StoredDetection } from '../detection/detection';
import type {
  DetectionItem,
  DetectionSummaryAnswer,
} from '../detection/query/detection-query.service';
import { PRIORITIES } from '../detection/detection';
import { consoleHref } from './console-filters';
import { TimeView, timeView } from './event-row.view';
import type { ClusterSwitcherView, LayoutView } from './layout.view';

/**
 * Priority colours, solid so they read apart from the light highlight badges of event rows.
 * The classes live here so Tailwind's scan of src/console finds them.
 */
const PRIORITY_STYLE: Record<DetectionPriority, string> = {
  EMERGENCY: 'bg-red-800 text-white dark:bg-red-600',
  ALERT: 'bg-red-800 text-white dark:bg-red-600',
  CRITICAL: 'bg-red-700 text-white dark:bg-red-600',
  ERROR: 'bg-orange-600 text-white dark:bg-orange-500 dark:text-orange-950',
  WARNING: 'bg-amber-400 text-amber-950 dark:bg-amber-400',
  NOTICE: 'bg-sky-600 text-white dark:bg-sky-500 dark:text-sky-950',
  INFORMATIONAL: 'bg-slate-500 text-white dark:bg-slate-400 dark:text-slate-950',
  DEBUG: 'bg-slate-300 text-slate-800 dark:bg-slate-600 dark:text-slate-100',
};

/** Longest text of one field value shown ("why it fired"); the detector cuts them at 512. */
const MAX_VALUE_TEXT = 1024;

export interface PriorityBadge {
  label: string;
  className: string;
}

export function priorityBadge(priority: DetectionPriority): PriorityBadge {
  return {
    label: priority.toLowerCase(),
    className: PRIORITY_STYLE[priority] ?? PRIORITY_STYLE.INFORMATIONAL,
  };
}

/** The badge of an event row: the most severe priority, the rules in its tooltip. */
export interface DetectionBadgeView extends PriorityBadge {
  /** `⚑ critical`, `⚑ critical +1` when several rules fired. */
  text: string;
  title: string;
  href: string;
}

function mostSevere(detections: readonly DetectionSummary[]): DetectionSummary {
  return detections.reduce((worst, one) =>
    PRIORITIES.indexOf(one.priority) < PRIORITIES.indexOf(worst.priority) ? one : worst,
  );
}

export function detectionBadgeOf(event: EventItem): DetectionBadgeView | null {
  const detections = event.detections ?? [];
  if (detections.length === 0) return null;
  const worst = mostSevere(detections);
  const badge = priorityBadge(worst.priority);
  const more = detections.length > 1 ? ` +${detections.length - 1}` : '';
  return {
    ...badge,
    text: `⚑ ${badge.label}${more}`,
    title: detections.map((d) => `${d.rule} (${d.priority.toLowerCase()})`).join('\n'),
    href: `/events/${event.id}#detections`,
  };
}

/** A value the rule read, as text: strings as they are, anything else as JSON; bounded. */
export function fieldValueText(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}…` : text;
}

/** One detection on the event detail page: what it says and why it fired. */
export interface DetectionDetailView {
  id: string;
  rule: string;
  ruleHref: string;
  eventsHref: string;
  badge: PriorityBadge;
  output: string;
  tags: string[];
  fields: { field: string; value: string }[];
  detectedAt: TimeView;
  /** "Alert: 3 later detections grouped into it" or "Repeat of an earlier alert". */
  grouping: string;
}

export function detectionDetailView(detection: StoredDetection): DetectionDetailView {
  return {
    id: detection.id,
    rule: detection.rule,
    ruleHref: detectionsHref({ rule: [detection.rule], cluster: [detection.cluster] }),
    eventsHref: consoleHref('/', { detectionRule: [detection.rule] }),
    badge: priorityBadge(detection.priority),
    output: detection.output,
    tags: detection.tags,
    fields: detection.fields.map((f) => ({ field: f.field, value: fieldValueText(f.value) })),
    detectedAt: timeView(detection.detectedAt),
    grouping: detection.groupedInto
      ? 'a repeat, grouped into an earlier alert of the same rule, user and object'
      : detection.repeats > 0
        ? `alert: ${detection.repeats} later ${detection.repeats === 1 ? 'detection' : 'detections'} grouped into it`
        : 'alert',
  };
}

/** The parameters of the detections page, as typed (the URL is the state). */
export interface DetectionsPageParams {
  cluster?: string[];
  rule?: string[];
  priority?: string;
  from?: string;
  to?: string;
  grouped?: 'true' | 'false';
}

const PARAM_ORDER = ['cluster', 'rule', 'priority', 'from', 'to', 'grouped'] as const;

/** `/detections?<params>` with `extra` (a cursor) after them. */
export function detectionsHref(
  params: DetectionsPageParams,
  extra: Record<string, string> = {},
): string {
  const search = new URLSearchParams();
  for (const key of PARAM_ORDER) {
    const value = params[key];
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      search.append(key, one);
    }
  }
  for (const [key, value] of Object.entries(extra)) search.append(key, value);
  const text = search.toString();
  return text ? `/detections?${text}` : '/detections';
}

export interface RuleRowView {
  rule: string;
  badge: PriorityBadge;
  alerts: number;
  detections: number;
  lastSeen: TimeView;
  /** The rule's alerts on this page. */
  href: string;
  /** The events it fired on, on the events page. */
  eventsHref: string;
}

export interface AlertRowView {
  id: string;
  time: TimeView;
  cluster: string;
  rule: string;
  ruleHref: string;
  badge: PriorityBadge;
  output: string;
  user: string;
  summary: string;
  repeats: number;
  grouped: boolean;
  eventHref: string;
}

export interface DetectionsPageView extends LayoutView {
  form: {
    from: string;
    to: string;
    everyDetection: boolean;
    priorities: { value: string; label: string; selected: boolean }[];
    /** Kept as hidden inputs: the form changes the range and priority, not these. */
    hidden: { name: string; value: string }[];
  };
  presets: { label: string; href: string; active: boolean }[];
  /** The selected rule, when the page lists one rule's alerts. */
  rule: string | null;
  allRulesHref: string;
  rules: RuleRowView[] | null;
  rangeNote: string;
  alerts: AlertRowView[];
  alertsTitle: string;
  nextHref: string | null;
  eventsHref: string;
}

const PRESETS = ['24h', '7d', '30d'];

function switcherOf(clusters: string[], params: DetectionsPageParams): ClusterSwitcherView | null {
  const selected = params.cluster ?? [];
  if (clusters.length <= 1 && selected.length === 0) return null;
  const rest = { ...params, cluster: undefined };
  return {
    current: selected.length === 0 ? 'all' : selected.join(', '),
    options: [
      { label: 'All clusters', href: detectionsHref(rest), active: selected.length === 0 },
      ...clusters.map((cluster) => ({
        label: cluster,
        href: detectionsHref({ ...rest, cluster: [cluster] }),
        active: selected.length === 1 && selected[0] === cluster,
      })),
    ],
  };
}

function alertRow(item: DetectionItem): AlertRowView {
  return {
    id: item.id,
    time: timeView(item.time),
    cluster: item.cluster,
    rule: item.rule,
    ruleHref: detectionsHref({ rule: [item.rule] }),
    badge: priorityBadge(item.priority),
    output: item.output,
    user: item.event?.username ?? '',
    summary: item.event?.summary ?? 'event no longer stored (retention)',
    repeats: item.repeats,
    grouped: item.groupedInto !== undefined,
    eventHref: item.links.console,
  };
}

/** `/detections`: findings per rule, and the newest alerts (of one rule when one is picked). */
export function detectionsPageView(
  summary: DetectionSummaryAnswer | null,
  page: Page<DetectionItem>,
  clusters: string[],
  params: DetectionsPageParams,
): DetectionsPageView {
  const rule = params.rule?.length === 1 ? params.rule[0] : null;
  const everyDetection = params.grouped === 'false';
  const noun = everyDetection ? 'detections' : 'alerts';
  const hidden = [
    ...(params.cluster ?? []).map((value) => ({ name: 'cluster', value })),
    ...(params.rule ?? []).map((value) => ({ name: 'rule', value })),
  ];
  const priority = params.priority?.toUpperCase();
  const fromText = params.from ?? '7d';
  return {
    title: rule ? `Detections: ${rule}` : 'Detections',
    nav: 'detections',
    switcher: switcherOf(clusters, params),
    form: {
      from: params.from ?? '',
      to: params.to ?? '',
      everyDetection,
      priorities: [
        { value: '', label: 'any', selected: priority === undefined },
        ...PRIORITIES.map((p) => ({
          value: p.toLowerCase(),
          label: `${p.toLowerCase()} or worse`,
          selected: priority === p,
        })),
      ],
      hidden,
    },
    presets: PRESETS.map((preset) => ({
      label: preset,
      href: detectionsHref({ ...params, from: preset, to: undefined }),
      active: fromText === preset && !params.to,
    })),
    rule,
    allRulesHref: detectionsHref({ ...params, rule: undefined }),
    rules:
      summary?.rules.map((row) => ({
        rule: row.rule,
        badge: priorityBadge(row.priority),
        alerts: row.alerts,
        detections: row.detections,
        lastSeen: timeView(row.lastSeen),
        href: detectionsHref({ ...params, rule: [row.rule] }),
        eventsHref: consoleHref('/', {
          detectionRule: [row.rule],
          ...(params.cluster ? { cluster: params.cluster } : {}),
          from: [params.from ?? '7d'],
          ...(params.to ? { to: [params.to] } : {}),
        }),
      })) ?? null,
    rangeNote: params.from
      ? `from ${params.from}${params.to ? ` to ${params.to}` : ''}`
      : 'in the last 7 days',
    alerts: page.items.map(alertRow),
    alertsTitle: rule ? `${noun} of ${rule}` : `newest ${noun}`,
    nextHref: page.nextCursor ? detectionsHref(params, { cursor: page.nextCursor }) : null,
    eventsHref: consoleHref('/', {
      hasDetections: ['true'],
      ...(params.cluster ? { cluster: params.cluster } : {}),
    }),
  };
}
