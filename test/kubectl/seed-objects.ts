/**
 * The objects every fresh fake apiserver starts with. They are what kubectl reads before it
 * writes: a Deployment with a selector and two ReplicaSet revisions (scale, rollout, set, expose,
 * autoscale), a running Pod with two containers on node-1 (exec, attach, logs, drain), a
 * schedulable and a cordoned Node, a pending CSR, and a few namespaced objects to patch,
 * replace, label and delete. Everything is fixed (uids, resourceVersions, timestamps) so that
 * two servers answer identically and a replayed command sees exactly what the original saw.
 */

export type KubeObject = Record<string, any>;

const CREATED = '2026-01-01T00:00:00Z';
const DEPLOYMENT_UID = '11111111-0000-4000-8000-000000000001';
const RS_CURRENT_UID = '11111111-0000-4000-8000-000000000002';

function meta(name: string, namespace: string | undefined, n: number, extra: KubeObject = {}) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    resourceVersion: String(100 + n),
    creationTimestamp: CREATED,
    ...extra,
  };
}

function podTemplate(image: string) {
  return {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'web', image, ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
    },
  };
}

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...meta('web', 'default', 1, { labels: { app: 'web' } }),
      uid: DEPLOYMENT_UID,
      generation: 2,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: podTemplate('nginx:1.27'),
      strategy: { type: 'RollingUpdate' },
    },
    status: { observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2 },
  };
}

function pausedDeployment(): KubeObject {
  const d = deployment();
  d.metadata = meta('worker', 'default', 4, { labels: { app: 'worker' } });
  d.spec = {
    ...d.spec,
    paused: true,
    selector: { matchLabels: { app: 'worker' } },
    template: { ...podTemplate('busybox:1.36'), metadata: { labels: { app: 'worker' } } },
  };
  return d;
}

function replicaSet(name: string, uid: string, revision: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      ...meta(name, 'default', 2, { labels: { app: 'web' } }),
      uid,
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: DEPLOYMENT_UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate(image) },
  };
}

function pod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta('web-0', 'default', 3, { labels: { app: 'web' } }),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d4b9c',
          uid: RS_CURRENT_UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: 'node-1',
      containers: [
        { name: 'web', image: 'nginx:1.27', stdin: true, tty: true },
        { name: 'sidecar', image: 'busybox:1.36', stdin: true, tty: true },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', state: { running: {} } },
        {
          name: 'sidecar',
          ready: true,
          restartCount: 1,
          image: 'busybox:1.36',
          state: { running: {} },
        },
      ],
    },
  };
}

function node(name: string, n: number, unschedulable: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, undefined, n, { labels: { 'kubernetes.io/hostname': name } }),
    spec: unschedulable ? { unschedulable: true } : {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function csr(name: string, n: number): KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: meta(name, undefined, n),
    spec: {
      request: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K',
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth'],
      username: 'alice',
    },
    status: {},
  };
}

function simple(
  apiVersion: string,
  kind: string,
  name: string,
  ns: string | undefined,
  n: number,
  rest: KubeObject = {},
): KubeObject {
  return { apiVersion, kind, metadata: meta(name, ns, n), ...rest };
}

export function seedObjects(): KubeObject[] {
  const lastApplied = JSON.stringify({
    apiVersion: 'v1',
    data: { mode: 'blue' },
    kind: 'ConfigMap',
    metadata: { annotations: {}, name: 'app-config', namespace: 'default' },
  });
  const appConfig = simple('v1', 'ConfigMap', 'app-config', 'default', 20, {
    data: { mode: 'blue' },
  });
  appConfig.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
  };
  return [
    simple('v1', 'Namespace', 'default', undefined, 10, { status: { phase: 'Active' } }),
    simple('v1', 'Namespace', 'kube-system', undefined, 11, { status: { phase: 'Active' } }),
    simple('v1', 'Namespace', 'team-a', undefined, 12, { status: { phase: 'Active' } }),
    deployment(),
    pausedDeployment(),
    replicaSet('web-7d4b9c', RS_CURRENT_UID, '2', 'nginx:1.27'),
    replicaSet('web-5f6a8b', '11111111-0000-4000-8000-000000000003', '1', 'nginx:1.26'),
    pod(),
    node('node-1', 30, false),
    node('node-2', 31, true),
    csr('csr-alice', 40),
    simple('v1', 'ServiceAccount', 'builder', 'default', 21),
    simple('v1', 'ConfigMap', 'settings', 'default', 22, { data: { level: 'info' } }),
    simple('v1', 'Secret', 'creds', 'default', 23, {
      type: 'Opaque',
      data: { password: 'czNjcjN0' },
    }),
    simple('v1', 'Service', 'web', 'default', 24, {
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    }),
    appConfig,
    simple('batch/v1', 'CronJob', 'nightly', 'default', 25, {
      spec: {
        schedule: '0 2 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox' }] },
            },
          },
        },
      },
    }),
  ];
}

/** Fixed object bodies for the few reads that are not stored objects. */
export function podMetrics(namespace: string, podName: string): KubeObject {
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: podName, namespace, creationTimestamp: CREATED },
    timestamp: CREATED,
    window: '30s',
    containers: [{ name: 'web', usage: { cpu: '5m', memory: '20Mi' } }],
  };
}

export function nodeMetrics(nodeName: string): KubeObject {
  return {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: nodeName, creationTimestamp: CREATED },
    timestamp: CREATED,
    window: '30s',
    usage: { cpu: '250m', memory: '1Gi' },
  };
}
