/**
 * Least-privilege RBAC from observed activity: a pure function from the aggregated, allowed
 * accesses of one identity (see rbac-observation.ts) to Role / ClusterRole / RoleBinding /
 * ClusterRoleBinding objects (rbac.authorization.k8s.io/v1), each rule with its evidence.
 *
 * The rules allow what was observed and nothing more (docs/rbac-suggestions.md):
 * - no wildcards; verbs, API groups, resources (`pods/exec`) exactly as the audit recorded them;
 * - `resourceNames` when every request of a (namespace, group, resource, verb) named the same
 *   single object and RBAC can check that verb by name (not a create of a collection, not a
 *   deletecollection); impersonation always lists every name;
 * - namespaced access lives in a Role bound in its namespace; access identical in two or more
 *   namespaces is one ClusterRole bound by a RoleBinding in each of those namespaces only;
 *   cluster-scoped resources, requests across all namespaces and non-resource URLs go to a
 *   ClusterRole with a ClusterRoleBinding.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type {
  AccessObservation,
  ImpersonationObservation,
  RbacObservations,
  Seen,
} from './rbac-observation';

export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const LABEL_PREFIX = 'k8s-audit-webhook';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Subject {
  kind: 'User' | 'ServiceAccount';
  name: string;
  apiGroup?: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: typeof RBAC_GROUP;
  kind: 'Role' | 'ClusterRole';
  name: string;
}

export type RbacObject =
  | {
      apiVersion: typeof RBAC_API_VERSION;
      kind: 'Role' | 'ClusterRole';
      metadata: ObjectMeta;
      rules: PolicyRule[];
    }
  | {
      apiVersion: typeof RBAC_API_VERSION;
      kind: 'RoleBinding' | 'ClusterRoleBinding';
      metadata: ObjectMeta;
      subjects: Subject[];
      roleRef: RoleRef;
    };

/** Why one generated rule exists: the requests behind it. */
export interface RuleEvidence {
  /** The Role or ClusterRole holding the rule. */
  role: { kind: 'Role' | 'ClusterRole'; name: string; namespace?: string };
  /** Index of the rule in the role's `rules`. */
  index: number;
  rule: PolicyRule;
  /** Where the rule applies: the namespaces of its bindings, or [] for the whole cluster. */
  namespaces: string[];
  requests: number;
  /** RFC 3339. */
  firstSeen: string;
  lastSeen: string;
  /** The latest event behind the rule (GET /api/v1/events/:id). */
  exampleEventId: string;
  /** Requests per verb. */
  verbs: { verb: string; requests: number }[];
  /** Set when the rule grants something the audit verb alone does not say (see `create`). */
  note?: string;
}

export interface RbacSuggestion {
  objects: RbacObject[];
  rules: RuleEvidence[];
}

/** Order of the usual verbs in a rule; others follow alphabetically. */
const VERB_ORDER = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'impersonate',
];
/** Subresources a WebSocket GET upgrades; since Kubernetes 1.35 that also needs `create`. */
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);
export const STREAMING_CREATE_NOTE =
  'create: a WebSocket exec/attach/portforward is audited as get, and the API server also ' +
  'checks create for it (AuthorizePodWebsocketUpgradeCreatePermission, on by default since Kubernetes 1.35)';
const IMPERSONATED_GROUP: Record<ImpersonationObservation['kind'], string> = {
  users: '',
  groups: '',
  serviceaccounts: '',
  userextras: 'authentication.k8s.io',
  uids: 'authentication.k8s.io',
};

/** One verb on one resource (or one non-resource path) in one scope, with its evidence. */
interface Atom {
  /** Namespace; '' for the cluster (cluster-scoped, all namespaces, non-resource). */
  scope: string;
  apiGroup: string;
  /** `pods`, `pods/exec`; '' for a non-resource path. */
  resource: string;
  path: string;
  verb: string;
  /** Sorted; [] for any name. */
  names: string[];
  seen: Seen;
  byVerb: Map<string, number>;
  note?: string;
}

function mergeSeen(a: Seen, b: Seen): Seen {
  const first =
    a.firstSeenMs < b.firstSeenMs ||
    (a.firstSeenMs === b.firstSeenMs && a.firstEventId <= b.firstEventId)
      ? a
      : b;
  const last =
    a.lastSeenMs > b.lastSeenMs || (a.lastSeenMs === b.lastSeenMs && a.lastEventId >= b.lastEventId)
      ? a
      : b;
  return {
    requests: a.requests + b.requests,
    firstEventId: first.firstEventId,
    firstSeenMs: first.firstSeenMs,
    lastEventId: last.lastEventId,
    lastSeenMs: last.lastSeenMs,
  };
}

function seenOf(s: Seen): Seen {
  return {
    requests: s.requests,
    firstEventId: s.firstEventId,
    lastEventId: s.lastEventId,
    firstSeenMs: s.firstSeenMs,
    lastSeenMs: s.lastSeenMs,
  };
}

function addCounts(into: Map<string, number>, from: Map<string, number>): void {
  for (const [verb, n] of from) into.set(verb, (into.get(verb) ?? 0) + n);
}

function compareVerbs(a: string, b: string): number {
  const ia = VERB_ORDER.indexOf(a);
  const ib = VERB_ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? VERB_ORDER.length : ia) - (ib < 0 ? VERB_ORDER.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether RBAC can restrict this verb to a name: the authorizer sees a name only when the URL
 * (or a list/watch's `metadata.name` field selector) carries one. A create of a collection and
 * a deletecollection never do, even when the audit event names the created object.
 */
export function verbTakesResourceName(verb: string, subresource: string): boolean {
  if (verb === 'deletecollection') return false;
  if (verb === 'create' && subresource === '') return false;
  return true;
}

/** `/version?timeout=32s` → `/version`. */
export function pathOf(uri: string): string {
  const cut = uri.search(/[?#]/);
  return cut < 0 ? uri : uri.slice(0, cut);
}

const VERB_TEXT = /^[a-z][a-z0-9]*$/;

function accessAtoms(observations: readonly AccessObservation[]): Atom[] {
  const atoms: Atom[] = [];
  for (const o of observations) {
    // Audit verbs are lowercase words; anything else cannot be a valid rule verb.
    if (!VERB_TEXT.test(o.verb)) continue;
    const byVerb = new Map([[o.verb, o.requests]]);
    if (!o.resource) {
      const path = pathOf(o.path);
      if (!path.startsWith('/')) continue;
      atoms.push({
        scope: '',
        apiGroup: '',
        resource: '',
        path,
        verb: o.verb,
        names: [],
        seen: seenOf(o),
        byVerb,
      });
      continue;
    }
    const resource = o.subresource ? `${o.resource}/${o.subresource}` : o.resource;
    const names =
      o.onlyName !== undefined && o.onlyName !== '' && verbTakesResourceName(o.verb, o.subresource)
        ? [o.onlyName]
        : [];
    const atom: Atom = {
      scope: o.namespace,
      apiGroup: o.apiGroup,
      resource,
      path: '',
      verb: o.verb,
      names,
      seen: seenOf(o),
      byVerb,
    };
    atoms.push(atom);
    if (
      o.verb === 'get' &&
      o.apiGroup === '' &&
      o.resource === 'pods' &&
      STREAMING_SUBRESOURCES.has(o.subresource)
    ) {
      atoms.push({ ...atom, verb: 'create', byVerb: new Map(), note: STREAMING_CREATE_NOTE });
    }
  }
  return atoms;
}

/** Impersonation: one atom per checked resource, listing every impersonated name. */
function impersonationAtoms(observations: readonly ImpersonationObservation[]): Atom[] {
  const byKey = new Map<string, Atom & { nameSet: Set<string> }>();
  for (const o of observations) {
    if (o.name === '') continue;
    const apiGroup = IMPERSONATED_GROUP[o.kind];
    const resource = o.kind === 'userextras' ? `userextras/${o.extraKey ?? ''}` : o.kind;
    if (resource === 'userextras/') continue;
    const scope = o.kind === 'serviceaccounts' ? o.namespace : '';
    const key = JSON.stringify([scope, apiGroup, resource]);
    const found = byKey.get(key);
    if (found) {
      found.nameSet.add(o.name);
      found.seen = mergeSeen(found.seen, o);
      addCounts(found.byVerb, new Map([['impersonate', o.requests]]));
    } else {
      byKey.set(key, {
        scope,
        apiGroup,
        resource,
        path: '',
        verb: 'impersonate',
        names: [],
        nameSet: new Set([o.name]),
        seen: seenOf(o),
        byVerb: new Map([['impersonate', o.requests]]),
      });
    }
  }
  return [...byKey.values()].map(({ nameSet, ...atom }) => ({
    ...atom,
    names: [...nameSet].sort(byText),
  }));
}

/** Atoms with the same identity merged (the same access reported twice adds up). */
function mergeAtoms(atoms: readonly Atom[]): Atom[] {
  const merged = new Map<string, Atom>();
  for (const atom of atoms) {
    const key = JSON.stringify([
      atom.scope,
      atom.apiGroup,
      atom.resource,
      atom.path,
      atom.verb,
      atom.names,
    ]);
    const found = merged.get(key);
    if (!found) {
      merged.set(key, { ...atom, byVerb: new Map(atom.byVerb) });
      continue;
    }
    found.seen = mergeSeen(found.seen, atom.seen);
    addCounts(found.byVerb, atom.byVerb);
    found.note ??= atom.note;
  }
  return [...merged.values()];
}

interface BuiltRule {
  rule: PolicyRule;
  seen: Seen;
  byVerb: Map<string, number>;
  note?: string;
}

function combine(atoms: readonly Atom[]): Omit<BuiltRule, 'rule'> {
  let seen = atoms[0].seen;
  const byVerb = new Map<string, number>();
  let note: string | undefined;
  atoms.forEach((atom, i) => {
    if (i > 0) seen = mergeSeen(seen, atom.seen);
    addCounts(byVerb, atom.byVerb);
    note ??= atom.note;
  });
  // A derived verb's requests are the ones of the verb it comes from: do not count them twice.
  return {
    seen: { ...seen, requests: [...byVerb.values()].reduce((a, b) => a + b, 0) },
    byVerb,
    note,
  };
}

/**
 * The rules of one role: resource atoms merged by (group, resource, names) with their verbs,
 * then non-resource paths merged by their set of verbs. Sorted, so the output is stable.
 */
function rulesOf(atoms: readonly Atom[]): BuiltRule[] {
  const resourceRules = new Map<string, Atom[]>();
  const pathVerbs = new Map<string, Atom[]>();
  for (const atom of atoms) {
    if (atom.resource === '') {
      pathVerbs.set(atom.path, [...(pathVerbs.get(atom.path) ?? []), atom]);
    } else {
      const key = JSON.stringify([atom.apiGroup, atom.resource, atom.names]);
      resourceRules.set(key, [...(resourceRules.get(key) ?? []), atom]);
    }
  }
  const built: BuiltRule[] = [];
  const sortKey = new Map<BuiltRule, string>();
  for (const group of resourceRules.values()) {
    const { apiGroup, resource, names } = group[0];
    const verbs = [...new Set(group.map((a) => a.verb))].sort(compareVerbs);
    const rule: PolicyRule = {
      apiGroups: [apiGroup],
      resources: [resource],
      ...(names.length > 0 ? { resourceNames: names } : {}),
      verbs,
    };
    const b = { rule, ...combine(group) };
    built.push(b);
    sortKey.set(b, JSON.stringify([0, apiGroup, resource, names.join(','), verbs.join(',')]));
  }
  const byVerbSet = new Map<string, { paths: string[]; atoms: Atom[] }>();
  for (const [path, group] of pathVerbs) {
    const verbs = [...new Set(group.map((a) => a.verb))].sort(compareVerbs);
    const key = verbs.join(',');
    const entry = byVerbSet.get(key) ?? { paths: [], atoms: [] };
    entry.paths.push(path);
    entry.atoms.push(...group);
    byVerbSet.set(key, entry);
  }
  for (const [key, entry] of byVerbSet) {
    const paths = entry.paths.sort(byText);
    const b = { rule: { nonResourceURLs: paths, verbs: key.split(',') }, ...combine(entry.atoms) };
    built.push(b);
    sortKey.set(b, JSON.stringify([1, paths, key]));
  }
  return built.sort((a, b) => byText(sortKey.get(a) ?? '', sortKey.get(b) ?? ''));
}

/** Short, stable digest for names derived from text that had to be changed. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Longest base name, leaving room for `:namespaces-<8 hex>` under the 253-character limit. */
const MAX_BASE = 200;

/**
 * `observed:<username>`, made safe for any RBAC object name. RBAC names only need to be valid
 * path segments (no `/`, no `%`, not `.` or `..`; k8s ValidateRBACName), which is why built-in
 * roles are called `system:controller:...`. We keep lowercase DNS-1123 characters and colons,
 * replace everything else with `-`, and when anything was replaced or cut append a digest of
 * the original name, so `Alice` and `alice` never share a role.
 */
export function roleBaseName(username: string): string {
  let safe = username
    .toLowerCase()
    .replace(/[^a-z0-9.:-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.:]+|[-.:]+$/g, '');
  const changed = safe !== username || safe.length > MAX_BASE - 20;
  if (safe.length > MAX_BASE - 20) safe = safe.slice(0, MAX_BASE - 20).replace(/[-.:]+$/, '');
  if (safe === '') safe = 'user';
  return changed ? `observed:${safe}-${digest(username)}` : `observed:${safe}`;
}

/** `20261121T080000Z`: an instant as a label value (no colons allowed there). */
export function labelTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `system:serviceaccount:<ns>:<name>` is a ServiceAccount subject; anyone else a User. */
export function subjectOf(username: string): Subject {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (sa) return { kind: 'ServiceAccount', name: sa[2], namespace: sa[1] };
  return { kind: 'User', apiGroup: RBAC_GROUP, name: username };
}

/** The generated objects and, for each rule, the requests behind it. */
export function generateRbac(input: RbacObservations): RbacSuggestion {
  const atoms = mergeAtoms([
    ...accessAtoms(input.access),
    ...impersonationAtoms(input.impersonation),
  ]);
  const base = roleBaseName(input.username);
  const subject = subjectOf(input.username);
  const metadata = (name: string, namespace?: string): ObjectMeta => ({
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: {
      [`${LABEL_PREFIX}/generated-by`]: 'rbac-suggestions',
      [`${LABEL_PREFIX}/observed-from`]: labelTime(input.fromMs),
      [`${LABEL_PREFIX}/observed-to`]: labelTime(input.toMs),
    },
    annotations: {
      [`${LABEL_PREFIX}/observed-user`]: input.username,
      [`${LABEL_PREFIX}/observed-cluster`]: input.cluster,
      [`${LABEL_PREFIX}/observed-range`]: `${new Date(input.fromMs).toISOString()}/${new Date(input.toMs).toISOString()}`,
    },
  });
  const objects: RbacObject[] = [];
  const evidence: RuleEvidence[] = [];
  const addRole = (
    kind: 'Role' | 'ClusterRole',
    name: string,
    namespace: string | undefined,
    roleAtoms: readonly Atom[],
    boundIn: string[],
  ) => {
    const built = rulesOf(roleAtoms);
    objects.push({
      apiVersion: RBAC_API_VERSION,
      kind,
      metadata: metadata(name, namespace),
      rules: built.map((b) => b.rule),
    });
    built.forEach((b, index) => {
      evidence.push({
        role: { kind, name, ...(namespace === undefined ? {} : { namespace }) },
        index,
        rule: b.rule,
        namespaces: boundIn,
        requests: b.seen.requests,
        firstSeen: new Date(b.seen.firstSeenMs).toISOString(),
        lastSeen: new Date(b.seen.lastSeenMs).toISOString(),
        exampleEventId: b.seen.lastEventId,
        verbs: [...b.byVerb.entries()]
          .filter(([, n]) => n > 0)
          .sort(([a], [b2]) => compareVerbs(a, b2))
          .map(([verb, requests]) => ({ verb, requests })),
        ...(b.note ? { note: b.note } : {}),
      });
    });
  };
  const bind = (
    kind: 'RoleBinding' | 'ClusterRoleBinding',
    name: string,
    namespace: string | undefined,
    roleRef: RoleRef,
  ) => {
    objects.push({
      apiVersion: RBAC_API_VERSION,
      kind,
      metadata: metadata(name, namespace),
      subjects: [subject],
      roleRef,
    });
  };

  // Cluster scope: cluster-scoped resources, requests across all namespaces, non-resource URLs.
  const clusterAtoms = atoms.filter((a) => a.scope === '');
  if (clusterAtoms.length > 0) {
    addRole('ClusterRole', base, undefined, clusterAtoms, []);
    bind('ClusterRoleBinding', base, undefined, {
      apiGroup: RBAC_GROUP,
      kind: 'ClusterRole',
      name: base,
    });
  }

  // Namespaced access: each (group, resource, verb, names) with the set of namespaces it was seen in.
  const namespacesOf = new Map<string, Set<string>>();
  const atomKey = (a: Atom) => JSON.stringify([a.apiGroup, a.resource, a.verb, a.names]);
  for (const atom of atoms) {
    if (atom.scope === '') continue;
    const key = atomKey(atom);
    namespacesOf.set(key, (namespacesOf.get(key) ?? new Set()).add(atom.scope));
  }
  const bySet = new Map<string, Atom[]>();
  for (const atom of atoms) {
    if (atom.scope === '') continue;
    const set = [...(namespacesOf.get(atomKey(atom)) ?? [])].sort(byText);
    const key = set.length === 1 ? `role:${set[0]}` : `shared:${set.join(',')}`;
    bySet.set(key, [...(bySet.get(key) ?? []), atom]);
  }
  const shared = [...bySet.keys()].filter((k) => k.startsWith('shared:')).sort(byText);
  for (const key of shared) {
    const namespaces = key.slice('shared:'.length).split(',');
    const name = `${base}:namespaces-${digest(namespaces.join(','))}`;
    addRole('ClusterRole', name, undefined, bySet.get(key) ?? [], namespaces);
    for (const namespace of namespaces) {
      bind('RoleBinding', name, namespace, { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name });
    }
  }
  const own = [...bySet.keys()].filter((k) => k.startsWith('role:')).sort(byText);
  for (const key of own) {
    const namespace = key.slice('role:'.length);
    addRole('Role', base, namespace, bySet.get(key) ?? [], [namespace]);
    bind('RoleBinding', base, namespace, { apiGroup: RBAC_GROUP, kind: 'Role', name: base });
  }
  return { objects, rules: evidence };
}

/**
 * The objects as one multi-document YAML stream for `kubectl apply -f -`. Written as YAML 1.1
 * (what kubectl's parser reads), so a name such as `yes` or `on` is quoted and stays a string.
 */
export function toYaml(objects: readonly RbacObject[]): string {
  return objects.map((o) => stringify(o, { version: '1.1', lineWidth: 0 })).join('---\n');
}
