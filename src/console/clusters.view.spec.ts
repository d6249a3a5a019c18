import type { SourceOverview } from '../sources/sources.service';
import { ago, clustersView } from './clusters.view';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('clustersView', () => {
  it('lists every cluster by name with its newest event and how it arrives', () => {
    const sources: SourceOverview[] = [
      {
        name: 'aks-prod',
        kind: 'aks-blob',
        cluster: 'prod-aks',
        state: 'standby',
        lastEventAt: new Date(NOW - 90_000).toISOString(),
        committedAt: new Date(NOW - 5_000).toISOString(),
      },
      { name: 'gke-all', kind: 'gke-pubsub', state: 'leading' },
      {
        name: 'eks-new',
        kind: 'eks-cloudwatch',
        cluster: 'eks-new',
        state: 'leading',
        lastError: { at: '2026-11-30T11:59:00.000Z', stage: 'read', message: 'AccessDenied' },
      },
    ];
    const view = clustersView(
      [
        { cluster: 'zeta', lastEventMs: NOW - 3 * 86_400_000 },
        { cluster: 'prod-aks', lastEventMs: NOW - 90_000 },
      ],
      sources,
      NOW,
    );
    expect(view.nav).toBe('clusters');
    expect(view.clusters).toEqual([
      // A source's cluster with no event yet is listed: its source is configured, nothing came.
      {
        cluster: 'eks-new',
        eventsHref: '/?cluster=eks-new',
        lastEventAt: null,
        lastEventAgo: 'never',
        via: 'source eks-new',
      },
      {
        cluster: 'prod-aks',
        eventsHref: '/?cluster=prod-aks',
        lastEventAt: new Date(NOW - 90_000).toISOString(),
        lastEventAgo: '1 min ago',
        via: 'source aks-prod',
      },
      {
        cluster: 'zeta',
        eventsHref: '/?cluster=zeta',
        lastEventAt: new Date(NOW - 3 * 86_400_000).toISOString(),
        lastEventAgo: '3 d ago',
        via: 'webhook or source gke-all',
      },
    ]);
    expect(view.sources.map((s) => [s.name, s.kind, s.cluster, s.stateNote, s.error])).toEqual([
      ['aks-prod', 'AKS (storage account)', 'prod-aks', 'read by another replica', null],
      ['gke-all', 'GKE (Pub/Sub)', 'from each entry', 'read by this replica', null],
      ['eks-new', 'EKS (CloudWatch Logs)', 'eks-new', 'read by this replica', 'AccessDenied'],
    ]);
    expect(view.sources[0].committedAgo).toBe('5 s ago');
  });

  it('says how long ago in the largest sensible unit', () => {
    expect(ago(undefined, NOW)).toBe('never');
    expect(ago(NOW + 5000, NOW)).toBe('0 s ago');
    expect(ago(NOW - 59_000, NOW)).toBe('59 s ago');
    expect(ago(NOW - 3_600_000, NOW)).toBe('1 h ago');
    expect(ago(NOW - 47 * 3_600_000, NOW)).toBe('47 h ago');
    expect(ago(NOW - 49 * 3_600_000, NOW)).toBe('2 d ago');
  });
});
