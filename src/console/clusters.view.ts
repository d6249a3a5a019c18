import type { SourceOverview } from '../sources/sources.service';
import { consoleHref } from './console-filters';
import type { LayoutView } from './layout.view';

export interface ClusterRowView {
  cluster: string;
  eventsHref: string;
  lastEventAt: string | null;
  lastEventAgo: string;
  /** How its events arrive: the sources that name it, else the webhook. */
  via: string;
}

export interface SourceRowView {
  name: string;
  kind: string;
  cluster: string;
  state: string;
  /** leading: read here; standby: another replica reads it. */
  stateNote: string;
  lastEventAt: string | null;
  lastEventAgo: string;
  committedAgo: string;
  error: string | null;
  errorAt: string | null;
}

export interface ClustersView extends LayoutView {
  clusters: ClusterRowView[];
  sources: SourceRowView[];
}

const KIND_LABELS: Readonly<Record<string, string>> = {
  'gke-pubsub': 'GKE (Pub/Sub)',
  'aks-blob': 'AKS (storage account)',
  'eks-cloudwatch': 'EKS (CloudWatch Logs)',
};

const STATE_NOTES: Readonly<Record<SourceOverview['state'], string>> = {
  leading: 'read by this replica',
  standby: 'read by another replica',
  starting: 'starting',
  stopped: 'stopped',
};

/** "3 min ago", "2 h ago", "5 d ago"; "never" without a time. */
export function ago(ms: number | undefined, nowMs: number): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'never';
  const seconds = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function ms(at: string | undefined): number | undefined {
  return at === undefined ? undefined : Date.parse(at);
}

/** `/clusters`: every visible cluster with its newest event and how it arrives; the sources. */
export function clustersView(
  clusters: { cluster: string; lastEventMs: number | undefined }[],
  sources: SourceOverview[],
  nowMs: number,
): ClustersView {
  const byCluster = new Map<string, string[]>();
  for (const source of sources) {
    if (source.cluster === undefined) continue;
    byCluster.set(source.cluster, [...(byCluster.get(source.cluster) ?? []), source.name]);
  }
  // Clusters a source names but that have no event yet are listed too: "nothing came yet".
  const rows = new Map(clusters.map((c) => [c.cluster, c]));
  for (const cluster of byCluster.keys()) {
    if (!rows.has(cluster)) rows.set(cluster, { cluster, lastEventMs: undefined });
  }
  const spanning = sources.filter((s) => s.cluster === undefined).map((s) => s.name);
  return {
    title: 'Clusters',
    nav: 'clusters',
    switcher: null,
    clusters: [...rows.values()]
      .sort((a, b) => a.cluster.localeCompare(b.cluster))
      .map(({ cluster, lastEventMs }) => ({
        cluster,
        eventsHref: consoleHref('/', { cluster: [cluster] }),
        lastEventAt: iso(lastEventMs),
        lastEventAgo: ago(lastEventMs, nowMs),
        via: byCluster.has(cluster)
          ? `source ${byCluster.get(cluster)?.join(', ')}`
          : spanning.length > 0
            ? `webhook or source ${spanning.join(', ')}`
            : 'webhook',
      })),
    sources: sources.map((source) => ({
      name: source.name,
      kind: KIND_LABELS[source.kind] ?? source.kind,
      cluster: source.cluster ?? 'from each entry',
      state: source.state,
      stateNote: STATE_NOTES[source.state],
      lastEventAt: source.lastEventAt ?? null,
      lastEventAgo: ago(ms(source.lastEventAt), nowMs),
      committedAgo: ago(ms(source.committedAt), nowMs),
      error: source.lastError?.message ?? null,
      errorAt: source.lastError?.at ?? null,
    })),
  };
}
