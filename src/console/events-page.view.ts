import type { EventPage, EventStats } from '../audit/audit-query';
import { consoleHref, Filters } from './console-filters';
import { EventRowView, eventRowView } from './event-row.view';
import { FilterFormView, filterFormView } from './filter-form.view';
import { HistogramView, histogramView, presetLinks } from './histogram.view';
import { clusterSwitcher, LayoutView } from './layout.view';

/** A page of rows and where the next one comes from (the `revealed` sentinel of the table). */
export interface EventRowsView {
  rows: EventRowView[];
  nextHref: string | null;
}

export interface EventsPageView extends LayoutView, EventRowsView {
  form: FilterFormView;
  presets: ReturnType<typeof presetLinks>;
  histogram: HistogramView | null;
  /** The histogram's range when the URL names none (stats default to the last 24 hours). */
  histogramRangeNote: string | null;
  /** The SSE URL of live tail; null when the range ends in the past (nothing new can match). */
  liveHref: string | null;
  empty: 'no-events' | 'no-match' | null;
}

export function eventRowsView(page: EventPage, filters: Filters): EventRowsView {
  return {
    rows: page.items.map((item) => eventRowView(item, filters)),
    nextHref: page.nextCursor
      ? consoleHref('/events/rows', filters, { cursor: page.nextCursor })
      : null,
  };
}

export function eventsPageView(
  page: EventPage,
  stats: EventStats,
  clusters: string[],
  filters: Filters,
): EventsPageView {
  const hasFilters = Object.keys(filters).length > 0;
  const live: Filters = { ...filters };
  delete live.from;
  return {
    title: 'Events',
    nav: 'events',
    switcher: clusterSwitcher(clusters, filters, '/'),
    form: filterFormView(filters),
    presets: presetLinks(filters),
    histogram: stats.total > 0 ? histogramView(stats, filters) : null,
    histogramRangeNote: filters.from
      ? null
      : 'in the last 24 hours (pick a range to narrow the table too)',
    ...eventRowsView(page, filters),
    liveHref: filters.to ? null : consoleHref('/events/live', live),
    empty:
      page.items.length > 0 ? null : hasFilters || clusters.length > 0 ? 'no-match' : 'no-events',
  };
}
