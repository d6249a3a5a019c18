import type { EventPage, EventStats } from '../audit/audit-query';
import { consoleHref, FilterField, Filters, withRange } from './console-filters';
import { CountList, countList } from './count-list.view';
import { EventRowView, eventRowView, TimeView, timeView } from './event-row.view';
import { HistogramView, histogramView, TIME_PRESETS } from './histogram.view';
import { clusterSwitcher, LayoutView } from './layout.view';

/**
 * The overview's lists of events that deserve attention, each one a set of ordinary filters:
 * the section shows the newest matches and links to the events page with the same filters.
 */
export const ATTENTION_SECTIONS = [
  {
    key: 'denied',
    title: 'Denied and failed requests',
    filters: { code: ['403', '5xx'] },
  },
  {
    key: 'sessions',
    title: 'exec, attach and port-forward sessions',
    filters: { resource: ['pods/exec', 'pods/attach', 'pods/portforward'] },
  },
  {
    key: 'secrets',
    title: 'Secret reads',
    filters: { resource: ['secrets'], verb: ['get', 'list', 'watch'] },
  },
  {
    key: 'unauthenticated',
    title: 'Failed logins (401)',
    filters: { code: ['401'] },
  },
] as const satisfies readonly { key: string; title: string; filters: Filters }[];

export interface AttentionSectionView {
  title: string;
  rows: EventRowView[];
  more: boolean;
  href: string;
}

export interface ClusterChartView {
  cluster: string;
  href: string;
  histogram: HistogramView;
}

export interface OverviewView extends LayoutView {
  from: TimeView;
  to: TimeView;
  total: number;
  presets: { label: string; href: string; active: boolean }[];
  perCluster: ClusterChartView[];
  lists: CountList[];
  sections: AttentionSectionView[];
}

export interface OverviewData {
  stats: EventStats;
  clusterStats: { cluster: string; stats: EventStats }[];
  sections: EventPage[];
  clusters: string[];
}

/** The filters of one attention section on top of the page's range and cluster. */
export function sectionFilters(base: Filters, section: { filters: Filters }): Filters {
  return { ...base, ...section.filters };
}

export function overviewView(data: OverviewData, filters: Filters): OverviewView {
  const eventsWith = (field: FilterField) => (key: string) =>
    consoleHref('/', { ...filters, [field]: [key] });
  return {
    title: 'Overview',
    nav: 'overview',
    switcher: clusterSwitcher(data.clusters, filters, '/overview'),
    from: timeView(new Date(data.stats.fromMs).toISOString()),
    to: timeView(new Date(data.stats.toMs).toISOString()),
    total: data.stats.total,
    presets: TIME_PRESETS.map((preset) => ({
      label: preset,
      href: consoleHref('/overview', withRange(filters, preset)),
      active: filters.from?.[0] === preset && !filters.to,
    })),
    perCluster: data.clusterStats.map(({ cluster, stats }) => {
      const clusterFilters = { ...filters, cluster: [cluster] };
      return {
        cluster,
        href: consoleHref('/', clusterFilters),
        histogram: histogramView(stats, clusterFilters),
      };
    }),
    lists: [
      countList('Top users', data.stats.byUser, eventsWith('user')),
      countList('Top resources', data.stats.byResource, eventsWith('resource')),
      countList('Verbs', data.stats.byVerb, eventsWith('verb')),
      countList('Response codes', data.stats.byCode, eventsWith('code')),
    ],
    sections: ATTENTION_SECTIONS.map((section, index) => {
      const sectionOwn = sectionFilters(filters, section);
      const page = data.sections[index];
      return {
        title: section.title,
        rows: page.items.map((item) => eventRowView(item, sectionOwn)),
        more: page.nextCursor !== null,
        href: consoleHref('/', sectionOwn),
      };
    }),
  };
}
