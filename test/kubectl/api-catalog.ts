/**
 * The API surface the fake apiserver advertises: just enough discovery and OpenAPI for kubectl
 * 1.27-1.33 to resolve resources, pick group versions and believe that server-side field
 * validation is supported (so it sends `fieldValidation=Strict` instead of validating locally).
 */

export interface ResourceDef {
  group: string;
  version: string;
  /** Plural name as in the URL; `pods/exec` style names describe subresources. */
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources whose payload lives in another group (pods/eviction -> policy/v1 Eviction). */
  subGroup?: string;
  subVersion?: string;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ = ['get', 'list'];

function crud(
  group: string,
  version: string,
  name: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  return { group, version, name, kind, namespaced, verbs: CRUD, ...extra };
}

function sub(
  parent: ResourceDef,
  subresource: string,
  kind: string,
  verbs: string[],
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  return {
    ...parent,
    name: `${parent.name}/${subresource}`,
    kind,
    verbs,
    shortNames: undefined,
    categories: undefined,
    ...extra,
  };
}

const pods = crud('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], categories: ['all'] });
const nodes = crud('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'] });
const serviceAccounts = crud('', 'v1', 'serviceaccounts', 'ServiceAccount', true, {
  shortNames: ['sa'],
});
const services = crud('', 'v1', 'services', 'Service', true, {
  shortNames: ['svc'],
  categories: ['all'],
});
const namespaces = crud('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'] });
const deployments = crud('apps', 'v1', 'deployments', 'Deployment', true, {
  shortNames: ['deploy'],
  categories: ['all'],
});
const replicaSets = crud('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
  shortNames: ['rs'],
  categories: ['all'],
});
const statefulSets = crud('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
  shortNames: ['sts'],
  categories: ['all'],
});
const daemonSets = crud('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
  shortNames: ['ds'],
  categories: ['all'],
});
const csrs = crud(
  'certificates.k8s.io',
  'v1',
  'certificatesigningrequests',
  'CertificateSigningRequest',
  false,
  {
    shortNames: ['csr'],
  },
);
const scale = { subGroup: 'autoscaling', subVersion: 'v1' };

export const RESOURCES: ResourceDef[] = [
  pods,
  sub(pods, 'status', 'Pod', ['get', 'patch', 'update']),
  sub(pods, 'log', 'Pod', ['get']),
  sub(pods, 'exec', 'PodExecOptions', ['create', 'get']),
  sub(pods, 'attach', 'PodAttachOptions', ['create', 'get']),
  sub(pods, 'portforward', 'PodPortForwardOptions', ['create', 'get']),
  sub(pods, 'proxy', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']),
  sub(pods, 'eviction', 'Eviction', ['create'], { subGroup: 'policy', subVersion: 'v1' }),
  sub(pods, 'ephemeralcontainers', 'Pod', ['get', 'patch', 'update']),
  sub(pods, 'binding', 'Binding', ['create']),
  nodes,
  sub(nodes, 'status', 'Node', ['get', 'patch', 'update']),
  sub(nodes, 'proxy', 'NodeProxyOptions', ['create', 'delete', 'get', 'patch', 'update']),
  namespaces,
  sub(namespaces, 'status', 'Namespace', ['get', 'patch', 'update']),
  sub(namespaces, 'finalize', 'Namespace', ['update']),
  services,
  sub(services, 'proxy', 'ServiceProxyOptions', ['create', 'delete', 'get', 'patch', 'update']),
  crud('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  crud('', 'v1', 'secrets', 'Secret', true),
  serviceAccounts,
  sub(serviceAccounts, 'token', 'TokenRequest', ['create'], {
    subGroup: 'authentication.k8s.io',
    subVersion: 'v1',
  }),
  crud('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  crud('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  crud('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'] }),
  crud('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'] }),
  crud('', 'v1', 'replicationcontrollers', 'ReplicationController', true, { shortNames: ['rc'] }),
  crud('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'] }),
  crud('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  deployments,
  sub(deployments, 'scale', 'Scale', ['get', 'patch', 'update'], scale),
  sub(deployments, 'status', 'Deployment', ['get', 'patch', 'update']),
  replicaSets,
  sub(replicaSets, 'scale', 'Scale', ['get', 'patch', 'update'], scale),
  statefulSets,
  sub(statefulSets, 'scale', 'Scale', ['get', 'patch', 'update'], scale),
  daemonSets,
  crud('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  crud('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'] }),
  crud('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'] }),
  crud('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  crud('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  crud('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  crud('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  crud('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ['all'],
  }),
  crud('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ['all'],
  }),
  crud('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
  }),
  csrs,
  sub(csrs, 'approval', 'CertificateSigningRequest', ['get', 'patch', 'update']),
  sub(csrs, 'status', 'CertificateSigningRequest', ['get', 'patch', 'update']),
  crud('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, {
    verbs: ['create'],
  }),
  crud('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, {
    verbs: ['create'],
  }),
  crud('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false, {
    verbs: ['create'],
  }),
  crud('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, {
    verbs: ['create'],
  }),
  crud('authentication.k8s.io', 'v1', 'tokenreviews', 'TokenReview', false, { verbs: ['create'] }),
  crud('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { verbs: READ }),
  crud('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { verbs: READ }),
  crud('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'] }),
  crud('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, {
    shortNames: ['netpol'],
  }),
  crud('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  crud('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, {
    shortNames: ['pc'],
  }),
  crud('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  crud('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  crud('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  // Older versions some corpus events were recorded against; listed last so that kubectl's
  // group priority keeps preferring apps/v1 and storage.k8s.io/v1.
  crud('storage.k8s.io', 'v1beta1', 'storageclasses', 'StorageClass', false),
  crud('extensions', 'v1beta1', 'deployments', 'Deployment', true),
  crud(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
    {
      shortNames: ['crd', 'crds'],
    },
  ),
];

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Group versions in preference order (the first version of a group is its preferred one). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const r of RESOURCES) {
    const key = groupVersion(r.group, r.version);
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ group: r.group, version: r.version });
    }
  }
  return out;
}

export function findResource(
  group: string,
  version: string,
  name: string,
): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

export function findByKind(group: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.kind === kind && !r.name.includes('/'));
}

export function versionDoc(minor: string) {
  return {
    major: '1',
    minor,
    gitVersion: `v1.${minor}.0`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreApiVersions(hostPort: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }],
  };
}

export function apiGroupList() {
  const groups = new Map<string, string[]>();
  for (const { group, version } of groupVersions()) {
    if (!group) continue;
    groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups.entries()].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

export function apiResourceList(group: string, version: string) {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources: resources.map((r) => ({
      name: r.name,
      singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(),
      namespaced: r.namespaced,
      ...(r.subGroup ? { group: r.subGroup, version: r.subVersion } : {}),
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

function urlPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

export function openApiV3Root() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of groupVersions()) {
    const key = urlPrefix(group, version).slice(1);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=FAKE${key.length}` };
  }
  return { paths };
}

/**
 * A per-group-version OpenAPI v3 document with one PATCH operation per kind. kubectl's
 * QueryParamVerifierV3 only looks for a PATCH operation tagged with the kind's GVK that lists
 * the `fieldValidation` query parameter.
 */
export function openApiV3GroupVersion(group: string, version: string) {
  const resources = RESOURCES.filter(
    (r) => r.group === group && r.version === version && !r.name.includes('/'),
  );
  if (resources.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const ns = r.namespaced ? '/namespaces/{namespace}' : '';
    paths[`${urlPrefix(group, version)}${ns}/${r.name}/{name}`] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string' } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
          { name: 'force', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.0' },
    paths,
    components: { schemas: {} },
  };
}
