/**
 * The audit.k8s.io/v1 Policy shape and the apiserver's rule matching
 * (staging/src/k8s.io/apiserver/pkg/audit/policy/checker.go), enough to test a policy file.
 */
export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
const RULE_FIELDS = [
  'level',
  'users',
  'userGroups',
  'verbs',
  'resources',
  'namespaces',
  'nonResourceURLs',
  'omitStages',
  'omitManagedFields',
];
const GROUP_FIELDS = ['group', 'resources', 'resourceNames'];
const POLICY_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'rules',
  'omitStages',
  'omitManagedFields',
];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: string[];
}

export interface Policy {
  apiVersion: string;
  kind: string;
  rules: PolicyRule[];
  omitStages?: string[];
}

const isStringList = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** What the apiserver's policy validation (apis/audit/validation) would refuse. */
export function policyProblems(p: Record<string, any>): string[] {
  const problems: string[] = [];
  if (p.apiVersion !== 'audit.k8s.io/v1')
    problems.push(`apiVersion must be audit.k8s.io/v1, not ${p.apiVersion}`);
  if (p.kind !== 'Policy') problems.push(`kind must be Policy, not ${p.kind}`);
  for (const key of Object.keys(p))
    if (!POLICY_FIELDS.includes(key)) problems.push(`unknown field ${key}`);
  const checkStages = (where: string, stages: unknown) => {
    if (stages === undefined) return;
    if (!isStringList(stages)) problems.push(`${where}: omitStages must be a list of strings`);
    else
      for (const s of stages as string[])
        if (!STAGES.includes(s)) problems.push(`${where}: unknown stage ${s}`);
  };
  checkStages('policy', p.omitStages);
  if (!Array.isArray(p.rules) || p.rules.length === 0)
    return [...problems, 'rules must be a non-empty list'];
  p.rules.forEach((rule: Record<string, any>, i: number) => {
    const where = `rules[${i}]`;
    for (const key of Object.keys(rule))
      if (!RULE_FIELDS.includes(key)) problems.push(`${where}: unknown field ${key}`);
    if (!LEVELS.includes(rule.level))
      problems.push(`${where}: level ${rule.level} is not one of ${LEVELS.join(', ')}`);
    for (const key of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs']) {
      if (rule[key] !== undefined && !isStringList(rule[key]))
        problems.push(`${where}: ${key} must be a list of strings`);
    }
    checkStages(where, rule.omitStages);
    if (rule.nonResourceURLs && (rule.resources || rule.namespaces)) {
      problems.push(`${where}: rules cannot apply to both regular resources and non-resource URLs`);
    }
    for (const url of rule.nonResourceURLs ?? []) {
      if (!url.startsWith('/') || url.slice(0, -1).includes('*'))
        problems.push(`${where}: bad nonResourceURL ${url}`);
    }
    for (const gr of rule.resources ?? []) {
      for (const key of Object.keys(gr))
        if (!GROUP_FIELDS.includes(key)) problems.push(`${where}: unknown field resources.${key}`);
      if (gr.resources !== undefined && !isStringList(gr.resources))
        problems.push(`${where}: resources.resources must be strings`);
      if (gr.resourceNames?.length && gr.resources?.some((r: string) => r.includes('*'))) {
        problems.push(`${where}: resourceNames cannot be combined with wildcard resources`);
      }
    }
  });
  return problems;
}

export interface RequestAttributes {
  user: string;
  groups?: string[];
  verb: string;
  /** Resource requests: */
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: */
  path?: string;
}

/** The level the first matching rule gives, or None (the apiserver's default) if none matches. */
export function levelFor(policy: Policy, req: RequestAttributes): Level {
  return policy.rules.find((rule) => ruleMatches(rule, req))?.level ?? 'None';
}

function ruleMatches(r: PolicyRule, req: RequestAttributes): boolean {
  if (r.users?.length && !r.users.includes(req.user)) return false;
  if (r.userGroups?.length && !(req.groups ?? []).some((g) => r.userGroups!.includes(g)))
    return false;
  if (r.verbs?.length && !r.verbs.includes(req.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return resourceMatches(r, req);
  if (r.nonResourceURLs?.length) {
    if (req.resource !== undefined || req.path === undefined) return false;
    return r.nonResourceURLs.some(
      (u) =>
        u === '*' || u === req.path || (u.endsWith('*') && req.path!.startsWith(u.slice(0, -1))),
    );
  }
  return true;
}

function resourceMatches(r: PolicyRule, req: RequestAttributes): boolean {
  if (req.resource === undefined) return false;
  if (r.namespaces?.length && !r.namespaces.includes(req.namespace ?? '')) return false;
  if (!r.resources?.length) return true;
  const combined = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  return r.resources.some((gr) => {
    if ((gr.group ?? '') !== (req.apiGroup ?? '')) return false;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(req.name ?? '')) return false;
    return gr.resources.some(
      (res) =>
        res === combined ||
        res === '*' ||
        (req.subresource !== undefined && res === `*/${req.subresource}`) ||
        res === `${req.resource}/*`,
    );
  });
}
