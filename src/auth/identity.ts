import type { ClusterGrant } from '../config/app-config';

/** Which clusters an identity may see. Queries filter by it in the repository layer. */
export type ClusterVisibility =
  { readonly all: true } | { readonly all: false; readonly clusters: readonly string[] };

export const ALL_CLUSTERS: ClusterVisibility = { all: true };

/** Who is asking: set on the request by {@link AuthGuard}, read with `@CurrentIdentity()`. */
export interface Identity {
  /** A person's name from OIDC or CONSOLE_USERS, an API token's name, or `anonymous`. */
  readonly name: string;
  readonly via: 'oidc' | 'password' | 'api-token' | 'anonymous';
  readonly groups: readonly string[];
  readonly visibility: ClusterVisibility;
  /** May read the console's own access log (ADMIN_GROUPS). */
  readonly admin: boolean;
}

/**
 * The clusters a set of groups may see under CLUSTER_ACCESS: the union of their grants. Without
 * CLUSTER_ACCESS everyone sees everything; with it, groups it does not name see nothing.
 */
export function visibilityFor(
  groups: readonly string[],
  clusterAccess: ReadonlyMap<string, ClusterGrant> | undefined,
): ClusterVisibility {
  if (!clusterAccess) return ALL_CLUSTERS;
  const clusters = new Set<string>();
  for (const group of groups) {
    const grant = clusterAccess.get(group);
    if (grant === '*') return ALL_CLUSTERS;
    for (const cluster of grant ?? []) clusters.add(cluster);
  }
  return { all: false, clusters: [...clusters].sort() };
}

export function canSee(visibility: ClusterVisibility, cluster: string): boolean {
  return visibility.all || visibility.clusters.includes(cluster);
}
