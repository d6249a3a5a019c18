/**
 * A small RBAC authorizer with Kubernetes' semantics (plugin/pkg/auth/authorizer/rbac and
 * pkg/apis/rbac/v1 evaluation helpers), to check generated objects without a cluster:
 * - ClusterRoleBindings apply everywhere; RoleBindings only to requests in their namespace,
 *   and never to non-resource requests (those have no namespace);
 * - a RoleBinding's roleRef is a Role of its namespace or a ClusterRole;
 * - RuleAllows: verb, API group, resource (`pods/exec` as resource/subresource, `*` and
 *   `* /subresource` honoured), resourceNames (a request without a name never matches a rule
 *   that lists names), nonResourceURLs (exact, or a prefix ending in `*`).
 */
import type { PolicyRule, RbacObject, Subject } from '../../src/rbac/rbac-generator';

export interface RequestAttributes {
  user: string;
  groups?: string[];
  verb: string;
  /** Resource requests. */
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests (resource undefined or ''). */
  path?: string;
}

const ALL = '*';

function has(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((item) => item === ALL || item === value);
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, group);
}

export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource === '') continue;
    if (r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) {
      return true;
    }
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  return rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === ALL || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

function isResourceRequest(a: RequestAttributes): boolean {
  return a.resource !== undefined && a.resource !== '';
}

export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (isResourceRequest(a)) {
    const sub = a.subresource ?? '';
    const combined = sub === '' ? (a.resource ?? '') : `${a.resource}/${sub}`;
    return (
      verbMatches(rule, a.verb) &&
      apiGroupMatches(rule, a.apiGroup ?? '') &&
      resourceMatches(rule, combined, sub) &&
      resourceNameMatches(rule, a.name ?? '')
    );
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path ?? '');
}

export function appliesTo(subject: Subject, user: string, groups: readonly string[]): boolean {
  switch (subject.kind as string) {
    case 'User':
      return subject.name === user;
    case 'Group':
      return groups.includes(subject.name);
    case 'ServiceAccount':
      return user === `system:serviceaccount:${subject.namespace}:${subject.name}`;
    default:
      return false;
  }
}

type Role = Extract<RbacObject, { rules: PolicyRule[] }>;
type Binding = Extract<RbacObject, { roleRef: unknown }>;

/** Whether the objects allow the request (Kubernetes RBAC; nothing else is consulted). */
export function authorize(objects: readonly RbacObject[], a: RequestAttributes): boolean {
  const roles = objects.filter((o): o is Role => o.kind === 'Role' || o.kind === 'ClusterRole');
  const bindings = objects.filter(
    (o): o is Binding => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding',
  );
  const groups = a.groups ?? [];
  const namespace = isResourceRequest(a) ? (a.namespace ?? '') : '';
  for (const binding of bindings) {
    if (binding.kind === 'RoleBinding') {
      // Role bindings only count inside their namespace.
      if (namespace === '' || binding.metadata.namespace !== namespace) continue;
    }
    if (!binding.subjects.some((s) => appliesTo(s, a.user, groups))) continue;
    const ref = binding.roleRef;
    const role = roles.find(
      (r) =>
        r.kind === ref.kind &&
        r.metadata.name === ref.name &&
        (ref.kind === 'ClusterRole' || r.metadata.namespace === binding.metadata.namespace),
    );
    if (ref.kind === 'Role' && binding.kind === 'ClusterRoleBinding') continue;
    if (role?.rules.some((rule) => ruleAllows(a, rule))) return true;
  }
  return false;
}
