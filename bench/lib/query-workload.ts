/**
 * A month of audit traffic from five clusters, for the query benchmark: who does what follows
 * what real clusters log (kubelets renewing leases and patching pod status, controllers
 * watching and updating, operators listing, service accounts reading their config, people
 * running kubectl during working hours: get/list/logs, exec and port-forward sessions,
 * deployment patches and scales, some forbidden). Pod creations reuse the corpus's pod objects
 * (bench/lib/workload.ts loads them); names follow Kubernetes' own patterns (ReplicaSet and pod
 * hashes that change with rollouts, node names, Helm release secrets).
 *
 * Each cluster has its own clock running from `spanDays` ago to now, and batches go to the
 * cluster that is furthest behind, so inserts arrive in time order as an apiserver sends them.
 * Deterministic for a seed (apart from the auditIDs, which carry a per-run prefix).
 */
import { loadCorpusTemplates, prng } from './workload';

type Obj = Record<string, unknown>;
type Level = 'Metadata' | 'Request' | 'RequestResponse';

const DAY_MS = 86_400_000;

interface ClusterSpec {
  name: string;
  weight: number;
  version: string;
  commit: string;
  nodes: number;
  /** Second octet of the cluster's node network. */
  net: number;
}

export const CLUSTERS: readonly ClusterSpec[] = [
  { name: 'prod-eu', weight: 0.3, version: 'v1.30.4', commit: 'a51b3b7', nodes: 16, net: 10 },
  { name: 'prod-us', weight: 0.3, version: 'v1.30.4', commit: 'a51b3b7', nodes: 16, net: 20 },
  { name: 'staging', weight: 0.2, version: 'v1.31.2', commit: '5864a46', nodes: 12, net: 30 },
  { name: 'dev', weight: 0.12, version: 'v1.32.0', commit: '70d3cc9', nodes: 10, net: 40 },
  { name: 'ci', weight: 0.08, version: 'v1.31.2', commit: '5864a46', nodes: 6, net: 50 },
];

const SYSTEM_NAMESPACES: Record<string, string[]> = {
  'kube-system': ['coredns', 'metrics-server', 'cluster-autoscaler', 'kube-proxy'],
  'kube-public': [],
  'kube-node-lease': [],
  default: [],
  monitoring: ['prometheus-k8s', 'grafana', 'alertmanager-main', 'kube-state-metrics'],
  logging: ['fluent-bit', 'loki'],
  'ingress-nginx': ['ingress-nginx-controller'],
  'cert-manager': ['cert-manager', 'cert-manager-webhook', 'cert-manager-cainjector'],
  argocd: ['argocd-server', 'argocd-repo-server', 'argocd-application-controller'],
  'istio-system': ['istiod', 'istio-ingressgateway'],
  'flux-system': ['kustomize-controller', 'helm-controller', 'source-controller'],
  velero: ['velero'],
  'external-dns': ['external-dns'],
  'gatekeeper-system': ['gatekeeper-controller-manager', 'gatekeeper-audit'],
};

const TEAM_NAMESPACES = [
  'payments',
  'checkout',
  'catalog',
  'search',
  'billing',
  'orders',
  'inventory',
  'shipping',
  'notifications',
  'identity',
  'accounts',
  'recommendations',
  'analytics',
  'reporting',
  'data-pipeline',
  'ml-serving',
  'storefront',
  'api-gateway',
  'media',
  'chat',
  'pricing',
  'promotions',
  'reviews',
  'loyalty',
  'fraud-detection',
  'ledger',
  'invoicing',
  'warehouse',
  'fulfillment',
  'returns',
  'customer-support',
  'crm',
  'marketing',
  'email',
  'sms-gateway',
  'geo',
  'maps',
  'feature-flags',
  'experiments',
  'audit-trail',
  'backoffice',
  'partner-api',
  'mobile-bff',
  'web-bff',
  'image-resizer',
  'batch-jobs',
];

const APP_SUFFIXES = ['api', 'worker', 'web', 'consumer'];

const CONTROLLERS = [
  'replicaset-controller',
  'deployment-controller',
  'endpoint-controller',
  'endpointslice-controller',
  'endpointslicemirroring-controller',
  'namespace-controller',
  'generic-garbage-collector',
  'horizontal-pod-autoscaler',
  'job-controller',
  'cronjob-controller',
  'statefulset-controller',
  'daemon-set-controller',
  'node-controller',
  'pvc-protection-controller',
  'ttl-after-finished-controller',
  'resourcequota-controller',
  'coredns',
  'kube-proxy',
  'cluster-autoscaler',
  'metrics-server',
].map((name) => `system:serviceaccount:kube-system:${name}`);

interface Operator {
  user: string;
  agent: string;
  /** What it lists and watches cluster-wide. */
  watches: string[];
  lease?: { namespace: string; name: string };
}

const OPERATORS: Operator[] = [
  {
    user: 'system:serviceaccount:argocd:argocd-application-controller',
    agent: 'argocd-application-controller/v2.11.3 (linux/amd64) kubernetes/$Format',
    watches: ['deployments', 'services', 'configmaps', 'ingresses'],
  },
  {
    user: 'system:serviceaccount:argocd:argocd-server',
    agent: 'argocd-server/v2.11.3 (linux/amd64) kubernetes/$Format',
    watches: ['pods', 'events'],
  },
  {
    user: 'system:serviceaccount:cert-manager:cert-manager',
    agent: 'cert-manager-controller/v1.15.1 (linux/amd64) cert-manager/5a3e4b2',
    watches: ['secrets', 'certificates', 'ingresses'],
    lease: { namespace: 'kube-system', name: 'cert-manager-controller' },
  },
  {
    user: 'system:serviceaccount:cert-manager:cert-manager-cainjector',
    agent: 'cainjector/v1.15.1 (linux/amd64) cert-manager/5a3e4b2',
    watches: ['secrets', 'mutatingwebhookconfigurations'],
    lease: { namespace: 'kube-system', name: 'cert-manager-cainjector-leader-election' },
  },
  {
    user: 'system:serviceaccount:monitoring:prometheus-k8s',
    agent: 'Prometheus/2.53.1',
    watches: ['pods', 'endpoints', 'services', 'nodes'],
  },
  {
    user: 'system:serviceaccount:monitoring:kube-state-metrics',
    agent: 'kube-state-metrics/v2.13.0 (linux/amd64) kubernetes/6e7f8a1',
    watches: ['pods', 'deployments', 'replicasets', 'nodes', 'jobs', 'secrets', 'configmaps'],
  },
  {
    user: 'system:serviceaccount:monitoring:grafana',
    agent: 'Go-http-client/2.0',
    watches: ['configmaps', 'secrets'],
  },
  {
    user: 'system:serviceaccount:ingress-nginx:ingress-nginx',
    agent: 'nginx-ingress-controller/v1.11.1 (linux/amd64) ingress-nginx/7c44f992',
    watches: ['ingresses', 'services', 'endpointslices', 'secrets', 'configmaps'],
    lease: { namespace: 'ingress-nginx', name: 'ingress-nginx-leader' },
  },
  {
    user: 'system:serviceaccount:flux-system:kustomize-controller',
    agent: 'kustomize-controller/v1.3.0 (linux/amd64) flux/3d5b7c1',
    watches: ['deployments', 'configmaps', 'services'],
    lease: { namespace: 'flux-system', name: 'kustomize-controller-leader-election' },
  },
  {
    user: 'system:serviceaccount:flux-system:helm-controller',
    agent: 'helm-controller/v1.0.1 (linux/amd64) flux/3d5b7c1',
    watches: ['secrets', 'deployments'],
    lease: { namespace: 'flux-system', name: 'helm-controller-leader-election' },
  },
  {
    user: 'system:serviceaccount:velero:velero',
    agent: 'velero-server/v1.14.0 (linux/amd64) 2fc6300',
    watches: ['pods', 'persistentvolumeclaims', 'secrets', 'configmaps', 'deployments'],
  },
  {
    user: 'system:serviceaccount:external-dns:external-dns',
    agent: 'external-dns/v0.14.2',
    watches: ['services', 'ingresses', 'nodes'],
  },
  {
    user: 'system:serviceaccount:gatekeeper-system:gatekeeper-admin',
    agent: 'gatekeeper/v3.16.3 (linux/amd64) 8c6a3d2/2024-06-01T00:00:00Z',
    watches: ['pods', 'namespaces', 'deployments'],
    lease: { namespace: 'gatekeeper-system', name: 'gatekeeper-controller-manager-leader' },
  },
  {
    user: 'system:serviceaccount:istio-system:istiod',
    agent: 'pilot-discovery/1.22.3',
    watches: ['pods', 'services', 'endpointslices', 'namespaces', 'configmaps'],
    lease: { namespace: 'istio-system', name: 'istio-leader' },
  },
  {
    user: 'system:serviceaccount:logging:fluent-bit',
    agent: 'fluent-bit/3.1.4',
    watches: ['pods', 'namespaces'],
  },
];

const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yasmin',
  'zoe',
  'amir',
  'beatriz',
  'chen',
  'dmitri',
  'elena',
  'farid',
  'gunnar',
  'hana',
  'ingrid',
  'jonas',
  'kaito',
  'leila',
  'mateo',
  'nadia',
  'oskar',
  'priya',
  'quentin',
  'rosa',
  'sanjay',
  'tomas',
  'ulla',
  'vikram',
  'wen',
  'ximena',
  'yusuf',
];
const LAST_NAMES = ['smith', 'garcia', 'muller', 'rossi', 'tanaka', 'kowalski', 'nguyen', 'silva'];

const HUMAN_AGENTS = [
  'kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46',
  'kubectl/v1.30.4 (linux/amd64) kubernetes/a51b3b7',
  'kubectl/v1.29.8 (windows/amd64) kubernetes/1e2f3a4',
  'k9s/v0.32.5 (darwin/arm64) kubernetes/$Format',
  'Lens/2024.7.311039',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36',
];

const CI_USERS = [
  'system:serviceaccount:ci:gitlab-runner',
  'system:serviceaccount:ci:github-actions',
  'system:serviceaccount:argocd:argocd-image-updater',
];
const CI_AGENTS = [
  'helm/v3.15.2 (linux/amd64) kubernetes/$Format',
  'kubectl/v1.30.4 (linux/amd64) kubernetes/a51b3b7',
  'argocd-image-updater/v0.14.0',
];

/** FNV-1a, for names that must be the same every time they are derived. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Kubernetes' "safe" alphabet for generated name suffixes (no vowels, no 0/1/3). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function safeString(seed: string, length: number): string {
  let h = hash32(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    if (i % 6 === 5) h = hash32(`${seed}/${i}`);
    out += SAFE[h % SAFE.length];
    h = Math.floor(h / SAFE.length);
  }
  return out;
}

function hex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++)
    out += hash32(`${seed}#${i}`).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

function uid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

function microTime(micros: number): string {
  const ms = Math.floor(micros / 1000);
  return `${new Date(ms).toISOString().slice(0, 20)}${String(micros % 1_000_000).padStart(6, '0')}Z`;
}

interface Human {
  user: string;
  admin: boolean;
  teams: string[];
  agent: string;
  ips: string[];
}

interface App {
  namespace: string;
  name: string;
  replicas: number;
  /** Days between rollouts (new ReplicaSet hash, new pod names). */
  rolloutDays: number;
  serviceAccount?: string;
}

interface ClusterState {
  spec: ClusterSpec;
  nodes: string[];
  /** Stage time (microseconds since the epoch) of this cluster's latest event. */
  clock: number;
  startMicros: number;
  /** Slot (0..quota-1) of the event being made: its place in this cluster's month. */
  made: number;
  /** Events of this cluster handed out in batches so far, and how many it gets in all. */
  posted: number;
  quota: number;
  /** Second events (ResponseComplete) of exec sessions and watches, for the next batch. */
  pending: string[];
  stepMicros: number;
}

/** What one request did, before it becomes audit JSON. */
interface Action {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code: number;
  level: Level;
  query?: string;
  requestObject?: unknown;
  responseObject?: unknown;
  /** How long the request took, in microseconds (exec sessions: minutes). */
  durationMicros?: number;
}

interface Actor {
  user: string;
  groups: string[];
  agent: string;
  ip: string;
  /** RBAC reason for an allowed request. */
  binding: string;
  extra?: Record<string, string[]>;
}

export interface QueryWorkloadOptions {
  /** Events in total over all clusters. */
  events: number;
  batch: number;
  spanDays: number;
  /** The newest events are stamped at this time (epoch ms). */
  endMs: number;
  seed: number;
}

export interface WorkloadMix {
  events: number;
  bytes: number;
  byVerb: Record<string, number>;
  byCode: Record<string, number>;
  byLevel: Record<string, number>;
  byCluster: Record<string, number>;
  users: number;
  namespaces: number;
}

const FORBIDDEN_RESOURCES: [string, string][] = [
  ['secrets', ''],
  ['nodes', ''],
  ['clusterrolebindings', 'rbac.authorization.k8s.io'],
  ['pods', ''],
];

export class QueryWorkload {
  private readonly rnd: () => number;
  private readonly clusters: ClusterState[];
  private readonly apps: App[];
  /** Apps with their own service account (the first app of each team namespace). */
  private readonly serviceApps: App[];
  private readonly appsByNamespace = new Map<string, App[]>();
  private readonly humans: Human[];
  private readonly podTemplates: Obj[];
  private readonly runPrefix: string;
  private sequence = 0;
  private produced = 0;
  private readonly mix: WorkloadMix;
  private readonly users = new Set<string>();
  private readonly namespaces = new Set<string>();

  private constructor(
    templates: Obj[],
    private readonly options: QueryWorkloadOptions,
  ) {
    this.rnd = prng(options.seed);
    this.runPrefix = Date.now().toString(16).slice(-8);
    this.podTemplates = templates.filter((t) => {
      const ref = t.objectRef as Obj | undefined;
      return t.verb === 'create' && ref?.resource === 'pods' && !ref.subresource && t.requestObject;
    });
    const startMicros = (options.endMs - options.spanDays * DAY_MS) * 1000;
    const totalWeight = CLUSTERS.reduce((s, c) => s + c.weight, 0);
    const quotas = CLUSTERS.map((c) => Math.floor((options.events * c.weight) / totalWeight));
    quotas[0] += options.events - quotas.reduce((a, b) => a + b, 0);
    this.clusters = CLUSTERS.map((spec, index) => {
      const quota = quotas[index];
      return {
        spec,
        nodes: Array.from(
          { length: spec.nodes },
          (_, i) =>
            `gke-${spec.name}-pool-${(i % 3) + 1}-${hex(`${spec.name}${i % 3}`, 8)}-${safeString(`${spec.name}/${i}`, 4)}`,
        ),
        clock: startMicros,
        startMicros,
        made: 0,
        posted: 0,
        quota,
        pending: [],
        stepMicros: (options.spanDays * DAY_MS * 1000) / Math.max(1, quota),
      };
    });
    this.apps = [];
    for (const [namespace, names] of Object.entries(SYSTEM_NAMESPACES)) {
      for (const name of names) this.addApp({ namespace, name, replicas: 2, rolloutDays: 20 });
    }
    for (const namespace of TEAM_NAMESPACES) {
      const count = 2 + (hash32(namespace) % 3);
      for (let i = 0; i < count; i++) {
        this.addApp({
          namespace,
          name: `${namespace}-${APP_SUFFIXES[i]}`,
          replicas: 2 + (hash32(`${namespace}${i}`) % 5),
          rolloutDays: 1 + (hash32(`${namespace}/${i}`) % 6),
          serviceAccount:
            i === 0 ? `system:serviceaccount:${namespace}:${namespace}-api` : undefined,
        });
      }
    }
    this.serviceApps = this.apps.filter((a) => a.serviceAccount !== undefined);
    this.humans = Array.from({ length: 50 }, (_, i) => {
      const first = FIRST_NAMES[i % FIRST_NAMES.length];
      const last = LAST_NAMES[hash32(first) % LAST_NAMES.length];
      const user =
        i < 46
          ? `${first}.${last}@example.com`
          : ['kubernetes-admin', 'oidc:ops-oncall', 'oidc:sre-bot', 'break-glass'][i - 46];
      const teams = Array.from(
        { length: 2 + (i % 3) },
        (_, k) => TEAM_NAMESPACES[(i * 7 + k * 11) % TEAM_NAMESPACES.length],
      );
      const ipCount = 1 + (i % 2);
      return {
        user,
        admin: i % 9 === 0 || i >= 46,
        teams,
        agent: HUMAN_AGENTS[hash32(user) % HUMAN_AGENTS.length],
        ips: Array.from({ length: ipCount }, (_, k) =>
          k === 0 ? `203.0.113.${(i * 5) % 250}` : `100.64.${i}.${(i * 13) % 250}`,
        ),
      };
    });
    this.mix = {
      events: 0,
      bytes: 0,
      byVerb: {},
      byCode: {},
      byLevel: {},
      byCluster: {},
      users: 0,
      namespaces: 0,
    };
  }

  static async create(options: Partial<QueryWorkloadOptions> = {}): Promise<QueryWorkload> {
    return new QueryWorkload(await loadCorpusTemplates(), {
      events: 1_000_000,
      batch: 400,
      spanDays: 30,
      endMs: Date.now(),
      seed: 7,
      ...options,
    });
  }

  private addApp(app: App): void {
    this.apps.push(app);
    const list = this.appsByNamespace.get(app.namespace) ?? [];
    list.push(app);
    this.appsByNamespace.set(app.namespace, list);
  }

  /** Every cluster, namespace and user name the generator can produce (a fallback vocabulary). */
  vocabulary(): { clusters: string[]; namespaces: string[]; humans: string[]; apps: string[] } {
    return {
      clusters: CLUSTERS.map((c) => c.name),
      namespaces: [...Object.keys(SYSTEM_NAMESPACES), ...TEAM_NAMESPACES],
      humans: this.humans.map((h) => h.user),
      apps: this.apps.map((a) => a.name),
    };
  }

  /** The counts of what has been produced so far. */
  describe(): WorkloadMix {
    return { ...this.mix, users: this.users.size, namespaces: this.namespaces.size };
  }

  get remaining(): number {
    return this.options.events - this.produced;
  }

  /** The next EventList for the cluster furthest behind; undefined when all events were made. */
  nextBatch(): { cluster: string; body: string; events: number } | undefined {
    let cluster: ClusterState | undefined;
    for (const c of this.clusters) {
      if (c.posted < c.quota && (!cluster || c.clock < cluster.clock)) cluster = c;
    }
    if (!cluster) return undefined;
    const count = Math.min(this.options.batch, cluster.quota - cluster.posted);
    const items: string[] = [];
    // Exec sessions and watches leave a second event that may fall into the next batch.
    while (items.length < count) {
      cluster.made = cluster.posted + items.length;
      items.push(cluster.pending.shift() ?? this.nextEvent(cluster));
    }
    cluster.posted += items.length;
    this.produced += items.length;
    this.mix.byCluster[cluster.spec.name] =
      (this.mix.byCluster[cluster.spec.name] ?? 0) + items.length;
    return {
      cluster: cluster.spec.name,
      events: items.length,
      body: `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${items.join(',')}]}`,
    };
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rnd() * list.length)];
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  private podName(app: App, timeMs: number, index: number): string {
    const generation = Math.floor(
      (timeMs / DAY_MS + (hash32(app.name) % 97) / 10) / app.rolloutDays,
    );
    return `${app.name}-${safeString(`${app.name}@${generation}`, 10)}-${safeString(`${app.name}@${generation}/${index}`, 5)}`;
  }

  private replicaSetName(app: App, timeMs: number): string {
    return this.podName(app, timeMs, 0).split('-').slice(0, -1).join('-');
  }

  private image(app: App, timeMs: number): string {
    const release = Math.floor((timeMs / DAY_MS + (hash32(app.name) % 97) / 10) / app.rolloutDays);
    return `registry.example.com/${app.namespace}/${app.name}:1.${release % 100}.${hash32(`${app.name}${release}`) % 20}`;
  }

  private deployment(app: App, timeMs: number, replicas: number, restartedAt?: string): Obj {
    const labels = {
      'app.kubernetes.io/name': app.name,
      'app.kubernetes.io/part-of': app.namespace,
    };
    return {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: {
        name: app.name,
        namespace: app.namespace,
        uid: uid(`deploy/${app.namespace}/${app.name}`),
        resourceVersion: String(Math.floor(timeMs / 1000) % 100_000_000),
        generation: Math.floor(timeMs / DAY_MS) % 1000,
        labels,
        annotations: {
          'deployment.kubernetes.io/revision': String(Math.floor(timeMs / DAY_MS) % 400),
        },
      },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
        },
        template: {
          metadata: {
            labels,
            ...(restartedAt
              ? { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } }
              : {}),
          },
          spec: {
            serviceAccountName: `${app.name}`,
            containers: [
              {
                name: app.name.split('-').slice(-1)[0],
                image: this.image(app, timeMs),
                ports: [{ containerPort: 8080, protocol: 'TCP' }],
                env: [
                  { name: 'LOG_LEVEL', value: 'info' },
                  {
                    name: 'DATABASE_URL',
                    valueFrom: { secretKeyRef: { name: `${app.name}-db`, key: 'url' } },
                  },
                ],
                resources: {
                  requests: { cpu: '250m', memory: '256Mi' },
                  limits: { memory: '512Mi' },
                },
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
              },
            ],
          },
        },
      },
      status: {
        observedGeneration: Math.floor(timeMs / DAY_MS) % 1000,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      },
    };
  }

  private configMap(app: App, timeMs: number): Obj {
    const revision = Math.floor(timeMs / (DAY_MS / 4));
    return {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: {
        name: `${app.name}-config`,
        namespace: app.namespace,
        uid: uid(`cm/${app.namespace}/${app.name}`),
        resourceVersion: String(Math.floor(timeMs / 1000) % 100_000_000),
      },
      data: {
        LOG_LEVEL: revision % 5 === 0 ? 'debug' : 'info',
        FEATURE_NEW_CHECKOUT: String(revision % 3 === 0),
        'application.yaml': `server:\n  port: 8080\ncache:\n  ttlSeconds: ${60 + (revision % 7) * 30}\nupstream: http://${app.namespace}-api.${app.namespace}.svc:8080\n`,
      },
    };
  }

  private podFromCorpus(app: App, name: string, timeMs: number): Obj | undefined {
    if (this.podTemplates.length === 0) return undefined;
    const template = this.pick(this.podTemplates).requestObject as Obj;
    const metadata = (template.metadata as Obj | undefined) ?? {};
    return {
      ...template,
      metadata: {
        ...metadata,
        name,
        namespace: app.namespace,
        labels: { 'app.kubernetes.io/name': app.name },
        creationTimestamp: new Date(timeMs).toISOString().slice(0, 19) + 'Z',
      },
    };
  }

  private nodeActor(cluster: ClusterState, node: string): Actor {
    const index = cluster.nodes.indexOf(node);
    return {
      user: `system:node:${node}`,
      groups: ['system:nodes', 'system:authenticated'],
      agent: `kubelet/${cluster.spec.version} (linux/amd64) kubernetes/${cluster.spec.commit}`,
      ip: `10.${cluster.spec.net}.${Math.floor(index / 3)}.${10 + (index % 3) * 20}`,
      binding: '',
    };
  }

  private serviceAccountActor(user: string, agent: string, cluster: ClusterState): Actor {
    const ns = user.split(':')[2];
    const pod = `${user.split(':')[3]}-${safeString(user, 10)}-${safeString(`${user}/p`, 5)}`;
    return {
      user,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      agent,
      ip: `10.${cluster.spec.net + 100}.${hash32(user) % 200}.${(hash32(pod) % 250) + 2}`,
      binding: `RBAC: allowed by ClusterRoleBinding "${user.split(':')[3]}" of ClusterRole "${user.split(':')[3]}" to ServiceAccount "${user.split(':')[3]}/${ns}"`,
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${uid(`${user}/jti`)}`],
        'authentication.kubernetes.io/node-name': [
          cluster.nodes[hash32(user) % cluster.nodes.length],
        ],
        'authentication.kubernetes.io/pod-name': [pod],
        'authentication.kubernetes.io/pod-uid': [uid(pod)],
      },
    };
  }

  private controlPlaneActor(cluster: ClusterState, user: string, agentName: string): Actor {
    return {
      user,
      groups: user.startsWith('system:serviceaccount:')
        ? ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']
        : ['system:authenticated'],
      agent: `${agentName}/${cluster.spec.version} (linux/amd64) kubernetes/${cluster.spec.commit}${agentName === 'kube-controller-manager' && user.startsWith('system:serviceaccount:') ? `/${user.split(':')[3]}` : ''}`,
      ip: `10.${cluster.spec.net}.255.2`,
      binding: `RBAC: allowed by ClusterRoleBinding "system:${user.split(':').pop()}" of ClusterRole "system:${user.split(':').pop()}" to User "${user}"`,
    };
  }

  private humanActor(human: Human): Actor {
    return {
      user: human.user,
      groups: human.admin
        ? ['system:masters', 'system:authenticated']
        : [`team:${human.teams[0]}`, 'developers', 'system:authenticated'],
      agent: human.agent,
      ip: this.pick(human.ips),
      binding: human.admin
        ? ''
        : `RBAC: allowed by RoleBinding "team-edit/${human.teams[0]}" of ClusterRole "edit" to Group "team:${human.teams[0]}"`,
      extra: human.user.includes('@')
        ? {
            'authentication.kubernetes.io/credential-id': [
              `JTI=${uid(`${human.user}/${Math.floor(this.rnd() * 20)}`)}`,
            ],
          }
        : undefined,
    };
  }

  /** Share of people's activity at this time of the week (UTC office hours on weekdays). */
  private humanFactor(timeMs: number): number {
    const date = new Date(timeMs);
    const day = date.getUTCDay();
    const hour = date.getUTCHours();
    if (day === 0 || day === 6) return 0.1;
    return hour >= 7 && hour < 19 ? 1 : 0.15;
  }

  private nextEvent(cluster: ClusterState): string {
    // Evenly spread with jitter: every cluster reaches "now" when all events are made.
    cluster.clock = Math.floor(
      cluster.startMicros + (cluster.made + this.rnd()) * cluster.stepMicros,
    );
    const micros = cluster.clock;
    const timeMs = micros / 1000;
    const humans = this.humanFactor(timeMs);
    // Relative weights of the kinds of traffic (humans' share follows the working week).
    const weights = [22, 8, 12, 14, 8, 12, 7, 5 * humans + 0.6, 1.2 * humans + 0.2, 0.3];
    let r = this.rnd() * weights.reduce((a, b) => a + b, 0);
    let kind = 0;
    while (r >= weights[kind] && kind < weights.length - 1) r -= weights[kind++];
    let made: { actor: Actor; action: Action };
    switch (kind) {
      case 0:
        made = this.nodeLease(cluster);
        break;
      case 1:
        made = this.leaderElection(cluster);
        break;
      case 2:
        made = this.kubeletWork(cluster, timeMs);
        break;
      case 3:
        made = this.controllerWatch(cluster);
        break;
      case 4:
        made = this.controllerWrite(cluster, timeMs);
        break;
      case 5:
        made = this.operatorWork(cluster, timeMs);
        break;
      case 6:
        made = this.appServiceAccount(cluster);
        break;
      case 7:
        made = this.humanWork(cluster, timeMs);
        break;
      case 8:
        made = this.ciWork(cluster, timeMs);
        break;
      default:
        made = this.anonymous();
    }
    return this.serialize(cluster, made.actor, made.action, micros);
  }

  private nodeLease(cluster: ClusterState): { actor: Actor; action: Action } {
    const node = this.pick(cluster.nodes);
    const update = this.rnd() < 0.9;
    return {
      actor: this.nodeActor(cluster, node),
      action: {
        verb: update ? 'update' : 'get',
        group: 'coordination.k8s.io',
        version: 'v1',
        resource: 'leases',
        namespace: 'kube-node-lease',
        name: node,
        code: update && this.chance(0.003) ? 409 : 200,
        level: 'Metadata',
        query: '?timeout=10s',
      },
    };
  }

  private leaderElection(cluster: ClusterState): { actor: Actor; action: Action } {
    const which = this.rnd();
    const update = this.rnd() < 0.5;
    if (which < 0.55) {
      const scheduler = which < 0.25;
      const user = scheduler ? 'system:kube-scheduler' : 'system:kube-controller-manager';
      return {
        actor: this.controlPlaneActor(
          cluster,
          user,
          scheduler ? 'kube-scheduler' : 'kube-controller-manager',
        ),
        action: {
          verb: update ? 'update' : 'get',
          group: 'coordination.k8s.io',
          version: 'v1',
          resource: 'leases',
          namespace: 'kube-system',
          name: scheduler ? 'kube-scheduler' : 'kube-controller-manager',
          code: 200,
          level: 'Metadata',
          query: '?timeout=5s',
        },
      };
    }
    const operator = this.pick(OPERATORS.filter((o) => o.lease));
    const lease = operator.lease!;
    return {
      actor: this.serviceAccountActor(operator.user, operator.agent, cluster),
      action: {
        verb: update ? 'update' : 'get',
        group: 'coordination.k8s.io',
        version: 'v1',
        resource: 'leases',
        namespace: lease.namespace,
        name: lease.name,
        code: update && this.chance(0.01) ? 409 : 200,
        level: 'Metadata',
      },
    };
  }

  private kubeletWork(cluster: ClusterState, timeMs: number): { actor: Actor; action: Action } {
    const node = this.pick(cluster.nodes);
    const actor = this.nodeActor(cluster, node);
    const app = this.pick(this.apps);
    const r = this.rnd();
    if (r < 0.4) {
      return {
        actor,
        action: {
          verb: 'patch',
          group: '',
          version: 'v1',
          resource: 'pods',
          subresource: 'status',
          namespace: app.namespace,
          name: this.podName(app, timeMs, Math.floor(this.rnd() * app.replicas)),
          code: this.chance(0.01) ? 404 : 200,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.55) {
      return {
        actor,
        action: {
          verb: 'get',
          group: '',
          version: 'v1',
          resource: 'pods',
          namespace: app.namespace,
          name: this.podName(app, timeMs, Math.floor(this.rnd() * app.replicas)),
          code: 200,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.8) {
      const secret = this.rnd() < 0.4;
      const name = secret ? `${app.name}-db` : `${app.name}-config`;
      return {
        actor,
        action: {
          verb: this.rnd() < 0.5 ? 'watch' : 'list',
          group: '',
          version: 'v1',
          resource: secret ? 'secrets' : 'configmaps',
          namespace: app.namespace,
          code: 200,
          level: 'Metadata',
          query: `?allowWatchBookmarks=true&fieldSelector=metadata.name%3D${name}&resourceVersion=${Math.floor(timeMs / 1000) % 1e8}&timeout=7m41s&timeoutSeconds=461&watch=true`,
        },
      };
    }
    if (r < 0.92) {
      return {
        actor,
        action: {
          verb: 'patch',
          group: '',
          version: 'v1',
          resource: 'nodes',
          subresource: 'status',
          name: node,
          code: 200,
          level: 'Metadata',
        },
      };
    }
    return {
      actor,
      action: {
        verb: 'create',
        group: '',
        version: 'v1',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: app.namespace,
        name: app.name,
        code: 201,
        level: 'Metadata',
      },
    };
  }

  private controllerWatch(cluster: ClusterState): { actor: Actor; action: Action } {
    const user = this.pick(CONTROLLERS);
    const resources: [string, string, string][] = [
      ['pods', '', 'v1'],
      ['endpoints', '', 'v1'],
      ['services', '', 'v1'],
      ['configmaps', '', 'v1'],
      ['secrets', '', 'v1'],
      ['nodes', '', 'v1'],
      ['namespaces', '', 'v1'],
      ['deployments', 'apps', 'v1'],
      ['replicasets', 'apps', 'v1'],
      ['statefulsets', 'apps', 'v1'],
      ['daemonsets', 'apps', 'v1'],
      ['jobs', 'batch', 'v1'],
      ['cronjobs', 'batch', 'v1'],
      ['endpointslices', 'discovery.k8s.io', 'v1'],
      ['horizontalpodautoscalers', 'autoscaling', 'v2'],
      ['persistentvolumeclaims', '', 'v1'],
    ];
    const [resource, group, version] = this.pick(resources);
    const watch = this.rnd() < 0.7;
    return {
      actor: this.controlPlaneActor(cluster, user, 'kube-controller-manager'),
      action: {
        verb: watch ? 'watch' : 'list',
        group,
        version,
        resource,
        code: this.chance(0.002) ? 500 : 200,
        level: 'Metadata',
        query: watch
          ? `?allowWatchBookmarks=true&resourceVersion=${Math.floor(this.rnd() * 1e8)}&timeout=9m12s&timeoutSeconds=552&watch=true`
          : '?limit=500&resourceVersion=0',
        durationMicros: watch ? 552_000_000 : undefined,
      },
    };
  }

  private controllerWrite(cluster: ClusterState, timeMs: number): { actor: Actor; action: Action } {
    const app = this.pick(this.apps);
    const r = this.rnd();
    const pod = this.podName(app, timeMs, Math.floor(this.rnd() * app.replicas));
    const conflict = this.chance(0.02);
    if (r < 0.2) {
      const created = this.podFromCorpus(app, pod, timeMs);
      return {
        actor: this.controlPlaneActor(
          cluster,
          'system:serviceaccount:kube-system:replicaset-controller',
          'kube-controller-manager',
        ),
        action: {
          verb: 'create',
          group: '',
          version: 'v1',
          resource: 'pods',
          namespace: app.namespace,
          name: pod,
          code: this.chance(0.01) ? 403 : 201,
          level: created ? 'Request' : 'Metadata',
          requestObject: created,
        },
      };
    }
    if (r < 0.35) {
      return {
        actor: this.controlPlaneActor(cluster, 'system:kube-scheduler', 'kube-scheduler'),
        action: {
          verb: 'create',
          group: '',
          version: 'v1',
          resource: 'pods',
          subresource: 'binding',
          namespace: app.namespace,
          name: pod,
          code: 201,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.6) {
      return {
        actor: this.controlPlaneActor(
          cluster,
          'system:serviceaccount:kube-system:endpointslice-controller',
          'kube-controller-manager',
        ),
        action: {
          verb: 'update',
          group: 'discovery.k8s.io',
          version: 'v1',
          resource: 'endpointslices',
          namespace: app.namespace,
          name: `${app.name}-${safeString(app.name, 5)}`,
          code: conflict ? 409 : 200,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.8) {
      return {
        actor: this.controlPlaneActor(
          cluster,
          'system:serviceaccount:kube-system:deployment-controller',
          'kube-controller-manager',
        ),
        action: {
          verb: this.rnd() < 0.5 ? 'update' : 'patch',
          group: 'apps',
          version: 'v1',
          resource: this.rnd() < 0.5 ? 'replicasets' : 'deployments',
          subresource: this.rnd() < 0.5 ? 'status' : undefined,
          namespace: app.namespace,
          name: this.rnd() < 0.5 ? app.name : this.replicaSetName(app, timeMs),
          code: conflict ? 409 : 200,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.9) {
      return {
        actor: this.controlPlaneActor(
          cluster,
          'system:serviceaccount:kube-system:generic-garbage-collector',
          'kube-controller-manager',
        ),
        action: {
          verb: 'delete',
          group: '',
          version: 'v1',
          resource: 'pods',
          namespace: app.namespace,
          name: this.podName(
            app,
            timeMs - app.rolloutDays * DAY_MS,
            Math.floor(this.rnd() * app.replicas),
          ),
          code: this.chance(0.2) ? 404 : 200,
          level: 'Metadata',
        },
      };
    }
    return {
      actor: this.controlPlaneActor(
        cluster,
        'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        'kube-controller-manager',
      ),
      action: {
        verb: this.rnd() < 0.8 ? 'get' : 'update',
        group: 'apps',
        version: 'v1',
        resource: 'deployments',
        subresource: 'scale',
        namespace: app.namespace,
        name: app.name,
        code: 200,
        level: 'Metadata',
      },
    };
  }

  private operatorWork(cluster: ClusterState, timeMs: number): { actor: Actor; action: Action } {
    const operator = this.pick(OPERATORS);
    const actor = this.serviceAccountActor(operator.user, operator.agent, cluster);
    const resource = this.pick(operator.watches);
    const group =
      resource === 'deployments' || resource === 'replicasets'
        ? 'apps'
        : resource === 'ingresses'
          ? 'networking.k8s.io'
          : resource === 'endpointslices'
            ? 'discovery.k8s.io'
            : resource === 'certificates'
              ? 'cert-manager.io'
              : resource === 'mutatingwebhookconfigurations'
                ? 'admissionregistration.k8s.io'
                : resource === 'jobs'
                  ? 'batch'
                  : '';
    const r = this.rnd();
    // Argo CD syncs: patches of deployments and configmaps with the objects logged.
    if (operator.user.endsWith('argocd-application-controller') && r < 0.25) {
      const app = this.pick(this.serviceApps);
      const configMap = this.rnd() < 0.4;
      const object = configMap
        ? this.configMap(app, timeMs)
        : this.deployment(app, timeMs, app.replicas);
      return {
        actor,
        action: {
          verb: 'patch',
          group: configMap ? '' : 'apps',
          version: 'v1',
          resource: configMap ? 'configmaps' : 'deployments',
          namespace: app.namespace,
          name: configMap ? `${app.name}-config` : app.name,
          code: this.chance(0.03) ? 422 : 200,
          level: 'RequestResponse',
          requestObject: configMap
            ? { data: (object as { data: unknown }).data }
            : {
                spec: {
                  template: {
                    spec: {
                      containers: [
                        { name: app.name.split('-').slice(-1)[0], image: this.image(app, timeMs) },
                      ],
                    },
                  },
                },
              },
          responseObject: object,
          query: '?fieldManager=argocd-controller&force=true',
        },
      };
    }
    if (operator.user.endsWith(':cert-manager') && r < 0.2) {
      const app = this.pick(this.apps);
      return {
        actor,
        action: {
          verb: this.rnd() < 0.7 ? 'get' : 'update',
          group: '',
          version: 'v1',
          resource: 'secrets',
          namespace: app.namespace,
          name: `${app.name}-tls`,
          code: this.chance(0.05) ? 404 : 200,
          level: 'Metadata',
        },
      };
    }
    const watch = this.rnd() < 0.6;
    const namespaced = this.rnd() < 0.3 && resource !== 'nodes' && resource !== 'namespaces';
    return {
      actor,
      action: {
        verb: watch ? 'watch' : 'list',
        group,
        version: 'v1',
        resource,
        namespace: namespaced ? this.pick(TEAM_NAMESPACES) : undefined,
        code: this.chance(0.01) ? 403 : this.chance(0.001) ? 500 : 200,
        level: 'Metadata',
        query: watch
          ? `?allowWatchBookmarks=true&resourceVersion=${Math.floor(this.rnd() * 1e8)}&timeoutSeconds=${300 + Math.floor(this.rnd() * 300)}&watch=true`
          : '?limit=500',
      },
    };
  }

  private appServiceAccount(cluster: ClusterState): { actor: Actor; action: Action } {
    const app = this.pick(this.serviceApps);
    const actor = this.serviceAccountActor(app.serviceAccount!, 'Go-http-client/2.0', cluster);
    const r = this.rnd();
    if (r < 0.5) {
      const secret = this.rnd() < 0.4;
      return {
        actor,
        action: {
          verb: 'get',
          group: '',
          version: 'v1',
          resource: secret ? 'secrets' : 'configmaps',
          namespace: app.namespace,
          name: secret ? `${app.name}-db` : `${app.name}-config`,
          code: this.chance(0.02) ? 404 : 200,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.8) {
      return {
        actor,
        action: {
          verb: this.rnd() < 0.5 ? 'get' : 'update',
          group: 'coordination.k8s.io',
          version: 'v1',
          resource: 'leases',
          namespace: app.namespace,
          name: `${app.name}-leader`,
          code: this.chance(0.02) ? 409 : 200,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.92) {
      return {
        actor,
        action: {
          verb: 'list',
          group: '',
          version: 'v1',
          resource: 'pods',
          namespace: app.namespace,
          code: 200,
          level: 'Metadata',
          query: `?labelSelector=app.kubernetes.io%2Fname%3D${app.name}`,
        },
      };
    }
    // A misconfigured client: cluster-wide reads it has no right to.
    const [resource, group] = this.pick(FORBIDDEN_RESOURCES);
    return {
      actor: { ...actor, binding: '' },
      action: {
        verb: 'list',
        group,
        version: 'v1',
        resource,
        code: 403,
        level: 'Metadata',
      },
    };
  }

  private humanWork(cluster: ClusterState, timeMs: number): { actor: Actor; action: Action } {
    const human = this.pick(this.humans);
    const actor = this.humanActor(human);
    const teamApps = human.teams.flatMap((t) => this.appsByNamespace.get(t) ?? []);
    const own = this.rnd() < 0.85 || human.admin;
    const app = own && teamApps.length > 0 ? this.pick(teamApps) : this.pick(this.apps);
    const allowed = human.admin || human.teams.includes(app.namespace);
    const deny = (action: Action): { actor: Actor; action: Action } =>
      allowed
        ? { actor, action }
        : {
            actor: { ...actor, binding: '' },
            action: {
              ...action,
              code: 403,
              level: 'Metadata',
              requestObject: undefined,
              responseObject: undefined,
            },
          };
    const pod = this.podName(app, timeMs, Math.floor(this.rnd() * app.replicas));
    const r = this.rnd();
    if (r < 0.3) {
      const list = this.rnd() < 0.6;
      return deny({
        verb: list ? 'list' : 'get',
        group: '',
        version: 'v1',
        resource: 'pods',
        namespace: app.namespace,
        name: list ? undefined : pod,
        code: !list && this.chance(0.05) ? 404 : 200,
        level: 'Metadata',
        query: list ? '?limit=500' : '',
      });
    }
    if (r < 0.42) {
      return deny({
        verb: 'get',
        group: '',
        version: 'v1',
        resource: 'pods',
        subresource: 'log',
        namespace: app.namespace,
        name: pod,
        code: 200,
        level: 'Metadata',
        query: `?container=${app.name.split('-').slice(-1)[0]}&follow=true&tailLines=100`,
        durationMicros: Math.floor(this.rnd() * 600e6),
      });
    }
    if (r < 0.5) {
      const commands = [
        ['sh'],
        ['bash'],
        ['/bin/sh', '-c', 'cat /etc/resolv.conf'],
        ['env'],
        ['curl', '-s', 'localhost:8080/metrics'],
        ['psql', '-c', 'select count(*) from orders'],
      ];
      const command = this.pick(commands);
      const tty = command.length === 1;
      return deny({
        verb: this.rnd() < 0.1 ? 'get' : 'create',
        group: '',
        version: 'v1',
        resource: 'pods',
        subresource: this.rnd() < 0.8 ? 'exec' : 'portforward',
        namespace: app.namespace,
        name: pod,
        code: 101,
        level: 'Metadata',
        query: `?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&container=${app.name.split('-').slice(-1)[0]}&stdin=true&stdout=true${tty ? '&tty=true' : '&stderr=true'}`,
        durationMicros: Math.floor((5 + this.rnd() * 1800) * 1e6),
      });
    }
    if (r < 0.6) {
      const byName = this.rnd() < 0.7;
      return deny({
        verb: byName ? 'get' : 'list',
        group: '',
        version: 'v1',
        resource: 'secrets',
        namespace: this.rnd() < 0.1 ? 'kube-system' : app.namespace,
        name: byName
          ? this.pick([
              `${app.name}-db`,
              `${app.name}-tls`,
              `sh.helm.release.v1.${app.name}.v${1 + (hash32(pod) % 30)}`,
            ])
          : undefined,
        code: byName && this.chance(0.1) ? 404 : 200,
        level: 'Metadata',
      });
    }
    if (r < 0.7) {
      const replicas = 1 + Math.floor(this.rnd() * 8);
      const scale = this.rnd() < 0.4;
      if (scale) {
        const body = {
          kind: 'Scale',
          apiVersion: 'autoscaling/v1',
          metadata: { name: app.name, namespace: app.namespace },
          spec: { replicas },
        };
        return deny({
          verb: 'patch',
          group: 'apps',
          version: 'v1',
          resource: 'deployments',
          subresource: 'scale',
          namespace: app.namespace,
          name: app.name,
          code: 200,
          level: 'RequestResponse',
          requestObject: { spec: { replicas } },
          responseObject: {
            ...body,
            status: { replicas, selector: `app.kubernetes.io/name=${app.name}` },
          },
        });
      }
      const restartedAt = new Date(timeMs).toISOString().slice(0, 19) + 'Z';
      return deny({
        verb: 'patch',
        group: 'apps',
        version: 'v1',
        resource: 'deployments',
        namespace: app.namespace,
        name: app.name,
        code: this.chance(0.03) ? 422 : 200,
        level: 'RequestResponse',
        query: '?fieldManager=kubectl-rollout',
        requestObject: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } },
            },
          },
        },
        responseObject: this.deployment(app, timeMs, app.replicas, restartedAt),
      });
    }
    if (r < 0.78) {
      const object = this.configMap(app, timeMs);
      return deny({
        verb: this.rnd() < 0.5 ? 'update' : 'patch',
        group: '',
        version: 'v1',
        resource: 'configmaps',
        namespace: app.namespace,
        name: `${app.name}-config`,
        code: this.chance(0.05) ? 409 : this.chance(0.03) ? 422 : 200,
        level: 'RequestResponse',
        requestObject: object,
        responseObject: object,
      });
    }
    if (r < 0.84) {
      return deny({
        verb: 'delete',
        group: '',
        version: 'v1',
        resource: 'pods',
        namespace: app.namespace,
        name: pod,
        code: this.chance(0.1) ? 404 : 200,
        level: 'Metadata',
      });
    }
    if (r < 0.88) {
      const debug = `debug-${safeString(`${human.user}${Math.floor(timeMs / 60000)}`, 5)}`;
      const created = this.podFromCorpus(app, debug, timeMs);
      return deny({
        verb: 'create',
        group: '',
        version: 'v1',
        resource: 'pods',
        namespace: app.namespace,
        name: debug,
        code: this.chance(0.05) ? 422 : 201,
        level: created ? 'RequestResponse' : 'Metadata',
        requestObject: created,
        responseObject: created,
      });
    }
    if (r < 0.93) {
      const [resource, group] = this.pick(FORBIDDEN_RESOURCES);
      return {
        actor: human.admin ? actor : { ...actor, binding: '' },
        action: {
          verb: 'list',
          group,
          version: 'v1',
          resource,
          code: human.admin ? 200 : 403,
          level: 'Metadata',
        },
      };
    }
    if (r < 0.97) {
      return {
        actor,
        action: {
          verb: 'create',
          group: 'authorization.k8s.io',
          version: 'v1',
          resource: 'selfsubjectaccessreviews',
          code: 201,
          level: 'Metadata',
        },
      };
    }
    return deny({
      verb: 'get',
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      namespace: app.namespace,
      name: app.name,
      code: 200,
      level: 'Metadata',
    });
  }

  private ciWork(cluster: ClusterState, timeMs: number): { actor: Actor; action: Action } {
    const index = Math.floor(this.rnd() * CI_USERS.length);
    const actor = this.serviceAccountActor(CI_USERS[index], CI_AGENTS[index], cluster);
    const app = this.pick(this.serviceApps);
    const r = this.rnd();
    if (r < 0.4) {
      return {
        actor,
        action: {
          verb: 'patch',
          group: 'apps',
          version: 'v1',
          resource: 'deployments',
          namespace: app.namespace,
          name: app.name,
          code: this.chance(0.02) ? 409 : this.chance(0.01) ? 500 : 200,
          level: 'RequestResponse',
          requestObject: {
            spec: {
              template: {
                spec: {
                  containers: [
                    { name: app.name.split('-').slice(-1)[0], image: this.image(app, timeMs) },
                  ],
                },
              },
            },
          },
          responseObject: this.deployment(app, timeMs, app.replicas),
        },
      };
    }
    if (r < 0.7) {
      const release = 1 + (Math.floor(timeMs / DAY_MS) % 60);
      return {
        actor,
        action: {
          verb: this.rnd() < 0.5 ? 'create' : 'list',
          group: '',
          version: 'v1',
          resource: 'secrets',
          namespace: app.namespace,
          name: `sh.helm.release.v1.${app.name}.v${release}`,
          code: 201,
          level: 'Metadata',
        },
      };
    }
    return {
      actor,
      action: {
        verb: 'get',
        group: 'apps',
        version: 'v1',
        resource: 'deployments',
        namespace: app.namespace,
        name: app.name,
        code: this.chance(0.05) ? 404 : 200,
        level: 'Metadata',
      },
    };
  }

  private anonymous(): { actor: Actor; action: Action } {
    return {
      actor: {
        user: 'system:anonymous',
        groups: ['system:unauthenticated'],
        agent: this.pick(['curl/8.5.0', 'python-requests/2.32.3', 'Go-http-client/1.1']),
        ip: `198.51.100.${Math.floor(this.rnd() * 250)}`,
        binding: '',
      },
      action: {
        verb: 'get',
        group: '',
        version: 'v1',
        resource: this.pick(['namespaces', 'secrets', 'pods']),
        namespace: this.rnd() < 0.5 ? 'kube-system' : undefined,
        code: this.rnd() < 0.5 ? 401 : 403,
        level: 'Metadata',
      },
    };
  }

  private requestUri(action: Action): string {
    const base = action.group
      ? `/apis/${action.group}/${action.version}`
      : `/api/${action.version}`;
    const ns = action.namespace ? `/namespaces/${action.namespace}` : '';
    const name = action.name && action.verb !== 'create' ? `/${action.name}` : '';
    const createSub = action.verb === 'create' && action.subresource ? `/${action.name}` : '';
    const sub = action.subresource ? `/${action.subresource}` : '';
    return `${base}${ns}/${action.resource}${name}${createSub}${sub}${action.query ?? ''}`;
  }

  private auditId(): string {
    const seq = (this.sequence++).toString(16).padStart(12, '0');
    const r = Math.floor(this.rnd() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    return `${this.runPrefix}-${r.slice(0, 4)}-4${r.slice(4, 7)}-8${r.slice(0, 3)}-${seq}`;
  }

  private serialize(cluster: ClusterState, actor: Actor, action: Action, micros: number): string {
    const code = action.code;
    const denied = code === 403 && actor.binding === '';
    const annotations: Record<string, string> =
      code === 401
        ? {}
        : {
            'authorization.k8s.io/decision': denied ? 'forbid' : 'allow',
            'authorization.k8s.io/reason': denied ? '' : actor.binding,
          };
    if (action.resource === 'pods' && action.verb === 'create' && !action.subresource)
      annotations['pod-security.kubernetes.io/enforce-policy'] = 'baseline:latest';
    const status: Obj = { metadata: {}, code };
    if (code >= 400) {
      status.status = 'Failure';
      status.reason =
        (
          {
            401: 'Unauthorized',
            403: 'Forbidden',
            404: 'NotFound',
            409: 'Conflict',
            422: 'Invalid',
          } as Record<number, string>
        )[code] ?? 'InternalError';
      status.message =
        code === 403
          ? `${action.resource}${action.name ? ` "${action.name}"` : ''} is forbidden: User "${actor.user}" cannot ${action.verb} resource "${action.resource}" in API group "${action.group}"${action.namespace ? ` in the namespace "${action.namespace}"` : ' at the cluster scope'}`
          : code === 409
            ? `Operation cannot be fulfilled on ${action.resource}${action.group ? `.${action.group}` : ''} "${action.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`
            : code === 500
              ? 'etcdserver: request timed out'
              : `${action.resource} "${action.name ?? ''}" ${code === 404 ? 'not found' : 'is invalid'}`;
    }
    const streaming = code === 101 || (action.verb === 'watch' && this.rnd() < 0.2);
    const duration = action.durationMicros ?? 300 + Math.floor(this.rnd() * this.rnd() * 80_000);
    const received = micros - (streaming ? 0 : duration);
    const user: Obj = { username: actor.user, groups: actor.groups };
    if (actor.extra) user.extra = actor.extra;
    const event: Obj = {
      level: action.level,
      auditID: this.auditId(),
      stage: streaming ? 'ResponseStarted' : 'ResponseComplete',
      requestURI: this.requestUri(action),
      verb: action.verb,
      user,
      sourceIPs: [actor.ip],
      userAgent: actor.agent,
      objectRef: {
        resource: action.resource,
        ...(action.namespace ? { namespace: action.namespace } : {}),
        ...(action.name ? { name: action.name } : {}),
        apiGroup: action.group || undefined,
        apiVersion: action.version,
        ...(action.subresource ? { subresource: action.subresource } : {}),
      },
      responseStatus: status,
      ...(action.level !== 'Metadata' && action.requestObject !== undefined
        ? { requestObject: action.requestObject }
        : {}),
      ...(action.level === 'RequestResponse' && action.responseObject !== undefined && code < 300
        ? { responseObject: action.responseObject }
        : {}),
      requestReceivedTimestamp: microTime(received),
      stageTimestamp: microTime(micros),
      annotations,
    };
    const json = JSON.stringify(event);
    this.count(actor, action, json.length);
    if (streaming && micros + duration <= this.options.endMs * 1000) {
      // The same request's second event: the session (or watch) ended (unless still running).
      const complete = JSON.stringify({
        ...event,
        stage: 'ResponseComplete',
        stageTimestamp: microTime(micros + duration),
      });
      cluster.pending.push(complete);
      this.count(actor, action, complete.length);
    }
    return json;
  }

  private count(actor: Actor, action: Action, bytes: number): void {
    const m = this.mix;
    m.events++;
    m.bytes += bytes;
    m.byVerb[action.verb] = (m.byVerb[action.verb] ?? 0) + 1;
    m.byCode[String(action.code)] = (m.byCode[String(action.code)] ?? 0) + 1;
    m.byLevel[action.level] = (m.byLevel[action.level] ?? 0) + 1;
    this.users.add(actor.user);
    if (action.namespace) this.namespaces.add(action.namespace);
  }
}
