import type { ClusterVisibility } from '../auth/identity';
import type { AccessObservation, ImpersonatedIdentity } from './rbac-observation';

/** One identity's events in one range: whose requests count and where. */
export interface IdentityRange {
  /** The effective identity: impersonated as it, or acting as itself without impersonating. */
  username: string;
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
  /** One cluster; undefined only for {@link RbacReader.clusters}. */
  cluster?: string;
}

/** Most distinct access shapes one suggestion reads; past it the answer asks for a narrower range. */
export const MAX_ACCESS_SHAPES = 5000;
/** Most distinct impersonations (impersonated identity with its groups and extras) read. */
export const MAX_IMPERSONATIONS = 1000;

/**
 * Storage port of the RBAC suggestion: aggregates over audit_events, never single events.
 * Every method takes the caller's {@link ClusterVisibility} first, as a required argument:
 * rows of other clusters are never read, and seeing no cluster reads nothing.
 *
 * Requests counted: stage ResponseStarted or ResponseComplete (a long-running request has both,
 * with one auditID, and counts once), response code below 400, and the authorization decision
 * `allow` or not recorded.
 */
export interface RbacReader {
  /** Clusters (sorted) where the identity made or impersonated requests in the range, at most 100. */
  clusters(visibility: ClusterVisibility, range: IdentityRange): Promise<string[]>;
  /**
   * The identity's allowed requests grouped by (verb, group, resource, subresource, namespace,
   * non-resource path), at most `limit` shapes (ask for one more to know there were more).
   */
  access(
    visibility: ClusterVisibility,
    range: IdentityRange & { cluster: string },
    limit: number,
  ): Promise<AccessObservation[]>;
  /**
   * What the identity impersonated (its own requests carrying impersonatedUser, whatever their
   * answer: the apiserver records impersonatedUser only after the impersonation was allowed).
   */
  impersonation(
    visibility: ClusterVisibility,
    range: IdentityRange & { cluster: string },
    limit: number,
  ): Promise<ImpersonatedIdentity[]>;
}

export const RBAC_READER = Symbol('RBAC_READER');
