import type { UserActivity } from '../audit/audit-query';
import { consoleHref, FilterField, Filters, withRange } from './console-filters';
import { CountList, countList } from './count-list.view';
import { EventRowView, eventRowView, TimeView, timeView } from './event-row.view';
import { TIME_PRESETS } from './histogram.view';
import { clusterSwitcher, LayoutView } from './layout.view';

export interface UserActivityView extends LayoutView {
  username: string;
  from: TimeView;
  to: TimeView;
  total: number;
  lists: CountList[];
  deniedTotal: number;
  denied: EventRowView[];
  presets: { label: string; href: string; active: boolean }[];
  eventsHref: string;
  deniedHref: string;
}

/** What one identity did in a range: counts by verb, resource, namespace, cluster, code. */
export function userActivityView(
  activity: UserActivity,
  filters: Filters,
  clusters: string[],
  path: string,
): UserActivityView {
  const base: Filters = { ...filters, user: [activity.username] };
  const eventsWith = (field: FilterField) => (key: string) =>
    consoleHref('/', { ...base, [field]: [key] });
  return {
    title: `Activity of ${activity.username}`,
    nav: 'none',
    switcher: clusterSwitcher(clusters, filters, path),
    username: activity.username,
    from: timeView(new Date(activity.fromMs).toISOString()),
    to: timeView(new Date(activity.toMs).toISOString()),
    total: activity.total,
    lists: [
      countList('Verbs', activity.byVerb, eventsWith('verb')),
      countList('Resources', activity.byResource, eventsWith('resource')),
      countList('Namespaces', activity.byNamespace, eventsWith('namespace')),
      countList('Clusters', activity.byCluster, eventsWith('cluster')),
      countList('Response codes', activity.byCode, eventsWith('code')),
    ],
    deniedTotal: activity.denied.total,
    denied: activity.denied.latest.map((item) => eventRowView(item, base)),
    presets: TIME_PRESETS.map((preset) => ({
      label: preset,
      href: consoleHref(path, withRange(filters, preset)),
      active: filters.from?.[0] === preset && !filters.to,
    })),
    eventsHref: consoleHref('/', base),
    deniedHref: consoleHref('/', { ...base, code: ['401', '403'] }),
  };
}
