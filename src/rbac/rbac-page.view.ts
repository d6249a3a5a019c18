import { userActivityHref } from '../console/event-detail.view';
import { TimeView, timeView } from '../console/event-row.view';
import type { LayoutView } from '../console/layout.view';
import type { PolicyRule } from './rbac-generator';
import type { RbacAnswer } from './rbac.service';

export interface RbacRuleRow {
  role: string;
  where: string;
  apiGroups: string;
  resources: string;
  resourceNames: string;
  verbs: string;
  requests: number;
  verbCounts: string;
  firstSeen: TimeView;
  lastSeen: TimeView;
  eventHref: string;
  note?: string;
}

export interface RbacPageView extends LayoutView {
  username: string;
  cluster: string | null;
  from: TimeView;
  to: TimeView;
  requests: number;
  objectCount: number;
  ruleCount: number;
  yaml: string;
  rows: RbacRuleRow[];
  activityHref: string;
  apiHref: string;
  /** Several clusters and none chosen: links to each. */
  choices: { cluster: string; href: string }[];
}

/** `""` for the core group, so the table shows what the YAML says. */
const shown = (values: readonly string[] | undefined) =>
  (values ?? []).map((v) => (v === '' ? '""' : v)).join(', ');

function describeResources(rule: PolicyRule): string {
  return rule.nonResourceURLs ? shown(rule.nonResourceURLs) : shown(rule.resources);
}

/** The address of this page (and of the API) with its range and cluster. */
export function rbacHref(
  prefix: string,
  username: string,
  query: { cluster?: string | null; from?: string; to?: string },
): string {
  const params = new URLSearchParams();
  if (query.cluster) params.set('cluster', query.cluster);
  if (query.from) params.set('from', query.from);
  if (query.to) params.set('to', query.to);
  const search = params.toString();
  return `${prefix}/users/${encodeURIComponent(username)}/rbac${search ? `?${search}` : ''}`;
}

export function rbacPageView(
  answer: RbacAnswer,
  query: { from?: string; to?: string },
  choices: string[] = [],
): RbacPageView {
  return {
    title: `RBAC for ${answer.username}`,
    nav: 'none',
    switcher: null,
    username: answer.username,
    cluster: answer.cluster,
    from: timeView(answer.from),
    to: timeView(answer.to),
    requests: answer.requests,
    objectCount: answer.objects.length,
    ruleCount: answer.rules.length,
    yaml: answer.yaml,
    rows: answer.rules.map((r) => ({
      role: `${r.role.kind} ${r.role.namespace ? `${r.role.namespace}/` : ''}${r.role.name}`,
      where: r.namespaces.length === 0 ? 'cluster-wide' : r.namespaces.join(', '),
      apiGroups: r.rule.nonResourceURLs ? '(non-resource URL)' : shown(r.rule.apiGroups),
      resources: describeResources(r.rule),
      resourceNames: shown(r.rule.resourceNames),
      verbs: r.rule.verbs.join(', '),
      requests: r.requests,
      verbCounts: r.verbs.map((v) => `${v.verb} ${v.requests}`).join(', '),
      firstSeen: timeView(r.firstSeen),
      lastSeen: timeView(r.lastSeen),
      eventHref: `/events/${encodeURIComponent(r.exampleEventId)}`,
      ...(r.note ? { note: r.note } : {}),
    })),
    activityHref: userActivityHref(answer.username, answer.cluster ?? undefined),
    apiHref: rbacHref('/api/v1', answer.username, { cluster: answer.cluster, ...query }),
    choices: choices.map((cluster) => ({
      cluster,
      href: rbacHref('', answer.username, { cluster, ...query }),
    })),
  };
}
