import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules, Ruleset } from '../../../src/detection/engine';

export type Json = Record<string, unknown>;

export const RULES_DIR = join(__dirname, '..', '..', '..', 'rules');

/** rules/*.yaml (and .yml) in name order, as the service loads them (src/detection/rules-loader.ts). */
export function defaultRuleSources(): { path: string; text: string }[] {
  return readdirSync(RULES_DIR)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => ({ path: `rules/${f}`, text: readFileSync(join(RULES_DIR, f), 'utf8') }));
}

/** The default rules, plus `extra` sources loaded after them (a user's RULES_FILES). */
export function defaultRuleset(extra: { path: string; text: string }[] = []): Ruleset {
  return loadRules([...defaultRuleSources(), ...extra]);
}

/** Falco's own k8saudit rules file (the engine's fixture), as a user may add it with RULES_FILES. */
export function falcoRulesFile(): { path: string; text: string } {
  const path = join(__dirname, '..', '..', 'fixtures', 'rules', 'falco-k8s_audit_rules.yaml');
  return { path: 'falco-k8s_audit_rules.yaml', text: readFileSync(path, 'utf8') };
}

/** Every rule of the default files, also those disabled by default (enabled by an override). */
export function defaultRulesetAllEnabled(extra: { path: string; text: string }[] = []): Ruleset {
  const disabled = defaultRuleSources()
    .flatMap((s) => [...s.text.matchAll(/^- rule: (.+)\n(?:(?!- ).*\n)*?\s+enabled: false/gm)])
    .map((m) => m[1].trim());
  const text = disabled.map((name) => `- rule: ${name}\n  enabled: true\n`).join('\n');
  return defaultRuleset([...extra, { path: 'test-enable-all.yaml', text }]);
}

export const ADMIN = {
  username: 'alice@example.com',
  groups: ['developers', 'system:authenticated'],
};
export const CONTROLLER = {
  username: 'system:serviceaccount:kube-system:replicaset-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};
export const ANONYMOUS = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

const GROUPS: Record<string, string> = {
  deployments: 'apps',
  daemonsets: 'apps',
  statefulsets: 'apps',
  replicasets: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
  roles: 'rbac.authorization.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  ingresses: 'networking.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  selfsubjectrulesreviews: 'authorization.k8s.io',
};

export interface EventSpec {
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  user?: { username: string; groups?: string[] };
  impersonatedUser?: { username: string; groups?: string[] };
  code?: number;
  stage?: string;
  decision?: 'allow' | 'forbid';
  requestObject?: unknown;
  responseObject?: unknown;
  /** The query string after `?` (exec commands, ...), already encoded. */
  query?: string;
  /** The whole request URI, when it is not the one of the object. */
  uri?: string;
  userAgent?: string;
  sourceIP?: string;
  level?: string;
}

/** The request URI the API server records for an object request. */
function objectUri(spec: EventSpec): string {
  const r = spec.resource ?? '';
  const group = GROUPS[r];
  const version = group ? `/apis/${group}/v1` : '/api/v1';
  const ns = spec.namespace ? `/namespaces/${spec.namespace}` : '';
  const named = spec.name && spec.verb !== 'create' ? `/${spec.name}` : '';
  const sub = spec.subresource ? `/${spec.name}/${spec.subresource}` : named;
  const base = `${version}${ns}/${r}${sub}`;
  return spec.query ? `${base}?${spec.query}` : base;
}

/**
 * A realistic audit.k8s.io/v1 Event (the fields a kube-apiserver fills at RequestResponse level):
 * the object URI, a ResponseComplete stage (ResponseStarted/101 for exec and friends), the
 * authorization annotations, timestamps, a source address and a kubectl user agent.
 */
export function auditEvent(spec: EventSpec): Json {
  const streaming = ['exec', 'attach', 'portforward'].includes(spec.subresource ?? '');
  const code = spec.code ?? (streaming ? 101 : spec.verb === 'create' ? 201 : 200);
  const now = new Date(Date.UTC(2026, 10, 30, 10, 0, 0, 123));
  const received = now.toISOString().replace('Z', '456Z');
  const completed = new Date(now.getTime() + 7).toISOString().replace('Z', '789Z');
  const decision = spec.decision ?? (code === 403 ? 'forbid' : 'allow');
  const user = spec.user ?? ADMIN;
  const event: Json = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: spec.level ?? (spec.requestObject === undefined ? 'Metadata' : 'RequestResponse'),
    auditID: randomUUID(),
    stage: spec.stage ?? (streaming ? 'ResponseStarted' : 'ResponseComplete'),
    requestURI: spec.uri ?? objectUri(spec),
    verb: spec.verb,
    user: {
      username: user.username,
      uid: randomUUID(),
      groups: user.groups ?? ['system:authenticated'],
    },
    sourceIPs: [spec.sourceIP ?? '203.0.113.7'],
    userAgent: spec.userAgent ?? 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
    responseStatus:
      code >= 400
        ? {
            metadata: {},
            status: 'Failure',
            reason: code === 403 ? 'Forbidden' : 'Unauthorized',
            code,
          }
        : { metadata: {}, code },
    requestReceivedTimestamp: received,
    stageTimestamp: completed,
    annotations: {
      'authorization.k8s.io/decision': decision,
      'authorization.k8s.io/reason':
        decision === 'allow'
          ? 'RBAC: allowed by ClusterRoleBinding "ops" of ClusterRole "admin"'
          : '',
    },
  };
  if (spec.resource) {
    const group = GROUPS[spec.resource];
    event.objectRef = {
      resource: spec.resource,
      ...(spec.subresource ? { subresource: spec.subresource } : {}),
      ...(spec.namespace ? { namespace: spec.namespace } : {}),
      ...(spec.name ? { name: spec.name } : {}),
      ...(group ? { apiGroup: group } : {}),
      apiVersion: 'v1',
    };
  }
  if (spec.impersonatedUser) {
    event.impersonatedUser = {
      username: spec.impersonatedUser.username,
      groups: spec.impersonatedUser.groups ?? ['system:authenticated'],
    };
  }
  if (spec.requestObject !== undefined) event.requestObject = spec.requestObject;
  if (spec.responseObject !== undefined) event.responseObject = spec.responseObject;
  return event;
}

/** A pod spec with one container and the given extras (pod-level and container-level). */
export function podSpec(pod: Json = {}, container: Json = {}): Json {
  return {
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/shop/api:1.4.2',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        resources: {},
        ...container,
      },
    ],
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    ...pod,
  };
}

/** A workload object of `kind` whose pod template carries `spec`. */
export function workload(kind: string, name: string, spec: Json): Json {
  const template = { metadata: { labels: { app: name } }, spec };
  const apiVersion = kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  const body =
    kind === 'CronJob'
      ? { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } }
      : kind === 'Job'
        ? { template }
        : { replicas: 1, selector: { matchLabels: { app: name } }, template };
  return { kind, apiVersion, metadata: { name }, spec: body };
}

/** An exec request's query string as kubectl encodes it (one `command` per argument). */
export function execQuery(args: string[], container = 'app'): string {
  const params = new URLSearchParams();
  for (const a of args) params.append('command', a);
  params.append('container', container);
  params.append('stdin', 'true');
  params.append('stdout', 'true');
  params.append('tty', 'true');
  return params.toString();
}

/** A Role/ClusterRole body with the given rules. */
export function role(kind: 'Role' | 'ClusterRole', name: string, rules: Json[]): Json {
  return { kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name }, rules };
}

/** A binding body to `roleName`. */
export function binding(kind: string, name: string, roleName: string, subject = 'ci-bot'): Json {
  return {
    kind,
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject }],
  };
}
