import { consoleHref, Filters } from './console-filters';

export type NavSection = 'events' | 'overview' | 'detections' | 'clusters' | 'access-log' | 'none';

export interface ClusterSwitcherView {
  current: string;
  options: { label: string; href: string; active: boolean }[];
}

/** What every page's header shows: the title, the active section, the cluster switcher. */
export interface LayoutView {
  title: string;
  nav: NavSection;
  switcher: ClusterSwitcherView | null;
}

/**
 * The cluster switcher keeps the page and every other filter and replaces only the cluster.
 * Hidden when there is at most one cluster and none is selected: nothing to switch.
 */
export function clusterSwitcher(
  clusters: string[],
  filters: Filters,
  path: string,
): ClusterSwitcherView | null {
  const selected = filters.cluster ?? [];
  if (clusters.length <= 1 && selected.length === 0) return null;
  const rest: Filters = { ...filters };
  delete rest.cluster;
  return {
    current: selected.length === 0 ? 'all' : selected.join(', '),
    options: [
      { label: 'All clusters', href: consoleHref(path, rest), active: selected.length === 0 },
      ...clusters.map((cluster) => ({
        label: cluster,
        href: consoleHref(path, { ...rest, cluster: [cluster] }),
        active: selected.length === 1 && selected[0] === cluster,
      })),
    ],
  };
}
