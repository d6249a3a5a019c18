/** Hand-written audit events for the detection engine's tests (audit.k8s.io/v1 shapes). */

export function baseEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'a1b2c3',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods?fieldManager=kubectl-client-side-apply&dryRun=All',
    verb: 'create',
    user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
    impersonatedUser: { username: 'bob' },
    sourceIPs: ['10.0.0.1', '10.0.0.2'],
    userAgent: 'kubectl/v1.29.0',
    objectRef: { resource: 'pods', namespace: 'default', name: 'web', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2024-05-01T10:00:00.123456Z',
    stageTimestamp: '2024-05-01T10:00:00.223456Z',
    annotations: {
      'authorization.k8s.io/decision': 'allow',
      'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "admin"',
      'pod-security.kubernetes.io/audit-violations':
        'privileged (container "app" must not set privileged=true)',
      'validation.policy.admission.k8s.io/validation_failure': '[{"message":"denied"}]',
      'authentication.openshift.io/decision': 'allow',
      'authentication.openshift.io/username': 'kube:admin',
    },
    ...overrides,
  };
}

/** A pod spec exercising every pod field: three kinds of containers, volumes, security contexts. */
export function podSpec(): Record<string, unknown> {
  return {
    hostNetwork: true,
    hostPID: false,
    hostIPC: true,
    securityContext: {
      runAsUser: 1000,
      runAsGroup: 3000,
      fsGroup: 2000,
      supplementalGroups: [4000, 5000],
    },
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/team/app:1.2@sha256:abc',
        command: ['/bin/sh', '-c'],
        args: ['sleep 3600'],
        ports: [{ containerPort: 8080, hostPort: 80 }, { containerPort: 9090 }],
        securityContext: {
          privileged: true,
          allowPrivilegeEscalation: true,
          readOnlyRootFilesystem: false,
          runAsUser: 0,
          procMount: 'Unmasked',
          capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] },
        },
      },
      { name: 'sidecar', image: 'busybox', securityContext: { runAsGroup: 10 } },
    ],
    initContainers: [
      {
        name: 'init',
        image: 'alpine:3',
        securityContext: { privileged: false, capabilities: { add: ['CHOWN'] } },
      },
    ],
    ephemeralContainers: [
      { name: 'debugger', image: 'nicolaka/netshoot:latest', command: ['bash'] },
    ],
    volumes: [
      { name: 'root', hostPath: { path: '/etc/kubernetes' } },
      { name: 'flex', flexVolume: { driver: 'example/lvm' } },
      { name: 'cache', emptyDir: {} },
    ],
  };
}

export function podCreate(
  spec: Record<string, unknown> = podSpec(),
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return baseEvent({
    requestObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web', namespace: 'default' },
      spec,
    },
    responseObject: { kind: 'Pod', metadata: { name: 'web', namespace: 'default' } },
    ...overrides,
  });
}

export function workloadCreate(
  resource: string,
  kind: string,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const template = { metadata: { labels: { app: 'web' } }, spec };
  const workloadSpec =
    resource === 'cronjobs'
      ? { schedule: '* * * * *', jobTemplate: { spec: { template } } }
      : { template };
  return baseEvent({
    requestURI: `/apis/apps/v1/namespaces/default/${resource}`,
    objectRef: { resource, namespace: 'default', name: 'web', apiGroup: 'apps', apiVersion: 'v1' },
    requestObject: { kind, apiVersion: 'apps/v1', metadata: { name: 'web' }, spec: workloadSpec },
  });
}
