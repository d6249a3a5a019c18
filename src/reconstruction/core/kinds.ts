/** Built-in resources: plural -> Kind, the group it lives in, and whether it is cluster-scoped. */
interface ResourceInfo {
  kind: string;
  group: string;
  /** The version kubectl picks for the bare plural on a current cluster. */
  version: string;
  clusterScoped?: boolean;
}

const CORE: Record<string, [string, boolean?]> = {
  pods: ['Pod'],
  services: ['Service'],
  endpoints: ['Endpoints'],
  configmaps: ['ConfigMap'],
  secrets: ['Secret'],
  serviceaccounts: ['ServiceAccount'],
  namespaces: ['Namespace', true],
  nodes: ['Node', true],
  persistentvolumes: ['PersistentVolume', true],
  persistentvolumeclaims: ['PersistentVolumeClaim'],
  events: ['Event'],
  replicationcontrollers: ['ReplicationController'],
  resourcequotas: ['ResourceQuota'],
  limitranges: ['LimitRange'],
  podtemplates: ['PodTemplate'],
  componentstatuses: ['ComponentStatus', true],
  bindings: ['Binding'],
};

const GROUPED: Record<string, [string, string, string, boolean?]> = {
  deployments: ['Deployment', 'apps', 'v1'],
  replicasets: ['ReplicaSet', 'apps', 'v1'],
  statefulsets: ['StatefulSet', 'apps', 'v1'],
  daemonsets: ['DaemonSet', 'apps', 'v1'],
  controllerrevisions: ['ControllerRevision', 'apps', 'v1'],
  jobs: ['Job', 'batch', 'v1'],
  cronjobs: ['CronJob', 'batch', 'v1'],
  horizontalpodautoscalers: ['HorizontalPodAutoscaler', 'autoscaling', 'v2'],
  roles: ['Role', 'rbac.authorization.k8s.io', 'v1'],
  rolebindings: ['RoleBinding', 'rbac.authorization.k8s.io', 'v1'],
  clusterroles: ['ClusterRole', 'rbac.authorization.k8s.io', 'v1', true],
  clusterrolebindings: ['ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', true],
  ingresses: ['Ingress', 'networking.k8s.io', 'v1'],
  ingressclasses: ['IngressClass', 'networking.k8s.io', 'v1', true],
  networkpolicies: ['NetworkPolicy', 'networking.k8s.io', 'v1'],
  poddisruptionbudgets: ['PodDisruptionBudget', 'policy', 'v1'],
  storageclasses: ['StorageClass', 'storage.k8s.io', 'v1', true],
  volumeattachments: ['VolumeAttachment', 'storage.k8s.io', 'v1', true],
  csidrivers: ['CSIDriver', 'storage.k8s.io', 'v1', true],
  csinodes: ['CSINode', 'storage.k8s.io', 'v1', true],
  leases: ['Lease', 'coordination.k8s.io', 'v1'],
  certificatesigningrequests: ['CertificateSigningRequest', 'certificates.k8s.io', 'v1', true],
  customresourcedefinitions: ['CustomResourceDefinition', 'apiextensions.k8s.io', 'v1', true],
  apiservices: ['APIService', 'apiregistration.k8s.io', 'v1', true],
  priorityclasses: ['PriorityClass', 'scheduling.k8s.io', 'v1', true],
  runtimeclasses: ['RuntimeClass', 'node.k8s.io', 'v1', true],
  endpointslices: ['EndpointSlice', 'discovery.k8s.io', 'v1'],
  mutatingwebhookconfigurations: [
    'MutatingWebhookConfiguration',
    'admissionregistration.k8s.io',
    'v1',
    true,
  ],
  validatingwebhookconfigurations: [
    'ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io',
    'v1',
    true,
  ],
  validatingadmissionpolicies: [
    'ValidatingAdmissionPolicy',
    'admissionregistration.k8s.io',
    'v1',
    true,
  ],
  flowschemas: ['FlowSchema', 'flowcontrol.apiserver.k8s.io', 'v1', true],
  tokenreviews: ['TokenReview', 'authentication.k8s.io', 'v1', true],
  selfsubjectreviews: ['SelfSubjectReview', 'authentication.k8s.io', 'v1', true],
  subjectaccessreviews: ['SubjectAccessReview', 'authorization.k8s.io', 'v1', true],
  selfsubjectaccessreviews: ['SelfSubjectAccessReview', 'authorization.k8s.io', 'v1', true],
  selfsubjectrulesreviews: ['SelfSubjectRulesReview', 'authorization.k8s.io', 'v1', true],
  localsubjectaccessreviews: ['LocalSubjectAccessReview', 'authorization.k8s.io', 'v1'],
};

const TABLE = new Map<string, ResourceInfo>();
for (const [plural, [kind, clusterScoped]] of Object.entries(CORE)) {
  TABLE.set(plural, { kind, group: '', version: 'v1', clusterScoped });
}
for (const [plural, [kind, group, version, clusterScoped]] of Object.entries(GROUPED)) {
  TABLE.set(plural, { kind, group, version, clusterScoped });
}

export function kindOf(resource: string): string {
  const known = TABLE.get(resource);
  if (known) return known.kind;
  return guessKind(resource);
}

/** `networkpolicies` -> `Networkpolicy` style guess for resources the table does not know. */
function guessKind(resource: string): string {
  if (!resource) return 'object';
  let singular = resource;
  if (/[^aeiou]ies$/.test(resource)) singular = `${resource.slice(0, -3)}y`;
  else if (/(s|x|z|ch|sh)es$/.test(resource)) singular = resource.slice(0, -2);
  else if (resource.endsWith('s') && !resource.endsWith('ss')) singular = resource.slice(0, -1);
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

export function pluralKind(kind: string): string {
  if (kind === 'Endpoints' || kind.endsWith('ss')) return kind === 'Endpoints' ? kind : `${kind}es`;
  if (/[^aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(kind)) return `${kind}es`;
  return `${kind}s`;
}

export function isClusterScoped(resource: string, group: string): boolean {
  const known = TABLE.get(resource);
  return known !== undefined && known.group === group && known.clusterScoped === true;
}

/**
 * The resource type as kubectl should be told it: the bare plural when that resolves to the
 * same group and version on a current cluster, `plural.version.group` otherwise.
 */
export function resourceType(resource: string, group: string, version: string): string {
  const known = TABLE.get(resource);
  if (known && known.group === group && (known.version === version || !version)) return resource;
  if (!group) return resource;
  if (!version) return `${resource}.${group}`;
  return `${resource}.${version}.${group}`;
}

/** Built-in resources support strategic merge patches; custom resources do not. */
export function knownResource(resource: string, group: string): boolean {
  const known = TABLE.get(resource);
  return known !== undefined && (known.group === group || group === 'extensions');
}
