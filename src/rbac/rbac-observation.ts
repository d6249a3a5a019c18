/**
 * What the RBAC suggestion is built from: aggregated, allowed accesses of one identity in one
 * cluster and time range, as the storage port answers them. No SQL and no HTTP here.
 */

/** When and where an access was seen: the counts and the first and last event. */
export interface Seen {
  /** Requests (distinct auditIDs: a request's ResponseStarted and ResponseComplete count once). */
  requests: number;
  firstEventId: string;
  lastEventId: string;
  /** Stage times of the first and last event (epoch ms, from the UUIDv7 ids). */
  firstSeenMs: number;
  lastSeenMs: number;
}

/**
 * Allowed, successful requests of one shape: resource requests by (verb, group, resource,
 * subresource, namespace), non-resource requests by (verb, path).
 */
export interface AccessObservation extends Seen {
  /** The audit verb (`get`, `list`, `watch`, ...; lowercase HTTP method for non-resource URLs). */
  verb: string;
  /** '' is the core group. */
  apiGroup: string;
  /** '' for a non-resource request (`/healthz`, `/apis`, ...). */
  resource: string;
  subresource: string;
  /** '' for cluster-scoped resources and requests across all namespaces. */
  namespace: string;
  /** Non-resource requests: the URL path without its query; '' for resource requests. */
  path: string;
  /**
   * The object name when every request of this shape named the same single object; undefined
   * when they named several objects or some named none (a list of the collection).
   */
  onlyName?: string;
}

/** What impersonation checks as a resource (k8s.io/apiserver impersonation filter). */
export type ImpersonatedKind = 'users' | 'groups' | 'serviceaccounts' | 'userextras' | 'uids';

/** One name the identity impersonated (`Impersonate-User`, `-Group`, `-Extra-*`, `-Uid`). */
export interface ImpersonationObservation extends Seen {
  kind: ImpersonatedKind;
  /** The service account's namespace; '' for the others. */
  namespace: string;
  /** User name, group, service account name, extra value or uid. */
  name: string;
  /** `userextras` only: the extra's key (the checked subresource). */
  extraKey?: string;
}

/**
 * One identity the observed user impersonated, as recorded in the events' impersonatedUser:
 * the name plus the groups, extras and uid it asked for.
 */
export interface ImpersonatedIdentity extends Seen {
  username: string;
  groups: string[];
  extra: Record<string, string[]>;
  uid?: string;
}

const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/**
 * The groups an impersonation had to be allowed: the recorded groups without those the
 * apiserver adds by itself (system:authenticated for any non-anonymous user,
 * system:unauthenticated for anonymous, and a service account's two groups when no group was
 * asked for).
 */
export function checkedGroups(username: string, groups: readonly string[]): string[] {
  const auto = username === 'system:anonymous' ? UNAUTHENTICATED : AUTHENTICATED;
  const asked = [...new Set(groups.filter((g) => g !== '' && g !== auto))];
  const sa = SERVICE_ACCOUNT.exec(username);
  if (sa) {
    const saGroups = ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`];
    if (asked.length === 2 && saGroups.every((g) => asked.includes(g))) return [];
  }
  return asked;
}

/**
 * What each impersonation was checked against (k8s.io/apiserver's impersonation filter):
 * `serviceaccounts` in the account's namespace for `system:serviceaccount:<ns>:<name>`, else
 * `users`; each asked group; each extra value under `userextras/<key>`; the uid.
 */
export function impersonationChecks(
  identities: readonly ImpersonatedIdentity[],
): ImpersonationObservation[] {
  return identities.flatMap((who) => {
    const seen: Seen = {
      requests: who.requests,
      firstEventId: who.firstEventId,
      lastEventId: who.lastEventId,
      firstSeenMs: who.firstSeenMs,
      lastSeenMs: who.lastSeenMs,
    };
    const out: ImpersonationObservation[] = [];
    const sa = SERVICE_ACCOUNT.exec(who.username);
    if (sa) out.push({ kind: 'serviceaccounts', namespace: sa[1], name: sa[2], ...seen });
    else if (who.username !== '')
      out.push({ kind: 'users', namespace: '', name: who.username, ...seen });
    for (const group of checkedGroups(who.username, who.groups)) {
      out.push({ kind: 'groups', namespace: '', name: group, ...seen });
    }
    for (const [key, values] of Object.entries(who.extra)) {
      for (const value of values) {
        if (key !== '' && value !== '') {
          out.push({ kind: 'userextras', namespace: '', name: value, extraKey: key, ...seen });
        }
      }
    }
    if (who.uid) out.push({ kind: 'uids', namespace: '', name: who.uid, ...seen });
    return out;
  });
}

export interface RbacObservations {
  username: string;
  cluster: string;
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
  access: AccessObservation[];
  impersonation: ImpersonationObservation[];
}

/** Time part of a UUIDv7 (the event's stage time to the millisecond). */
export function uuidV7Ms(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
