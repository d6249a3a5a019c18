/**
 * The apiserver-side files in k8s/apiserver: the audit policy (shape, and the level it gives to
 * typical requests under the apiserver's first-match rules), the two webhook kubeconfigs, and
 * the kubeadm patch (flags and the hostPath mount that makes the files visible to the pod).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { parse } from 'yaml';
import {
  levelFor,
  policyProblems,
  type Level,
  type Policy,
  type RequestAttributes,
} from './support/audit-policy';

const dir = join(__dirname, '..', '..', 'k8s', 'apiserver');
const load = (file: string) => parse(readFileSync(join(dir, file), 'utf8'), { uniqueKeys: true });
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('audit-policy.yaml', () => {
  const policy = load('audit-policy.yaml') as Policy;

  it('is a valid audit.k8s.io/v1 Policy', () => {
    expect(policyProblems(policy)).toEqual([]);
  });

  it('omits the RequestReceived stage but keeps ResponseStarted', () => {
    expect(policy.omitStages).toEqual(['RequestReceived']);
  });

  const nodes = ['system:nodes', 'system:authenticated'];
  const human = { user: 'alice@example.com', groups: ['developers', 'system:authenticated'] };
  const cases: [string, RequestAttributes, Level][] = [
    [
      'kubelet renews its node lease',
      {
        user: 'system:node:n1',
        groups: nodes,
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-node-lease',
        name: 'n1',
      },
      'None',
    ],
    [
      'controller-manager renews its leader lease',
      {
        user: 'system:kube-controller-manager',
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-system',
      },
      'None',
    ],
    [
      'a kube-system controller SA renews a lease',
      {
        user: 'system:serviceaccount:kube-system:cloud-controller',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'],
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-system',
      },
      'None',
    ],
    [
      'a person edits a lease',
      {
        ...human,
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-system',
      },
      'Request',
    ],
    [
      'a load balancer probes /healthz',
      { user: 'system:anonymous', verb: 'get', path: '/healthz' },
      'None',
    ],
    [
      'a probe hits /readyz/etcd',
      { user: 'system:anonymous', verb: 'get', path: '/readyz/etcd' },
      'None',
    ],
    [
      'someone reads a secret',
      { ...human, verb: 'get', resource: 'secrets', namespace: 'default', name: 's' },
      'Metadata',
    ],
    [
      'someone creates a secret (body holds the data)',
      { ...human, verb: 'create', resource: 'secrets', namespace: 'default' },
      'Metadata',
    ],
    [
      'someone patches a configmap',
      { ...human, verb: 'patch', resource: 'configmaps', namespace: 'default' },
      'Metadata',
    ],
    [
      'kubectl create token',
      {
        ...human,
        verb: 'create',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'default',
      },
      'Metadata',
    ],
    [
      'a webhook reviews a token',
      {
        user: 'system:serviceaccount:x:y',
        verb: 'create',
        apiGroup: 'authentication.k8s.io',
        resource: 'tokenreviews',
      },
      'Metadata',
    ],
    [
      'kubectl exec',
      { ...human, verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default' },
      'Metadata',
    ],
    [
      'kubectl attach',
      { ...human, verb: 'get', resource: 'pods', subresource: 'attach', namespace: 'default' },
      'Metadata',
    ],
    [
      'kubectl port-forward',
      {
        ...human,
        verb: 'create',
        resource: 'pods',
        subresource: 'portforward',
        namespace: 'default',
      },
      'Metadata',
    ],
    [
      'kubectl logs',
      { ...human, verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default' },
      'Metadata',
    ],
    [
      'kubectl set image (patch)',
      { ...human, verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'default' },
      'Request',
    ],
    [
      'kubectl scale (patch scale)',
      {
        ...human,
        verb: 'patch',
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'default',
      },
      'Request',
    ],
    [
      'kubectl delete pod',
      { ...human, verb: 'delete', resource: 'pods', namespace: 'default' },
      'Request',
    ],
    [
      'a controller deletes a collection',
      {
        user: 'system:serviceaccount:kube-system:namespace-controller',
        verb: 'deletecollection',
        resource: 'pods',
        namespace: 'gone',
      },
      'Request',
    ],
    [
      'kubectl get pods',
      { ...human, verb: 'list', resource: 'pods', namespace: 'default' },
      'Metadata',
    ],
    [
      'an informer watches deployments',
      {
        user: 'system:kube-controller-manager',
        verb: 'watch',
        apiGroup: 'apps',
        resource: 'deployments',
      },
      'Metadata',
    ],
    ['kubectl version', { ...human, verb: 'get', path: '/version' }, 'Metadata'],
  ];

  it.each(cases.map(([what, request, level]) => [what, level, request] as const))(
    '%s -> %s',
    (_what, expected, request) => {
      expect(levelFor(policy, request)).toBe(expected);
    },
  );
});

describe.each(['webhook-config.yaml', 'webhook-config-mtls.yaml'])('%s', (file) => {
  const config = load(file);
  const context = config.contexts?.find((c: any) => c.name === config['current-context'])?.context;
  const cluster = config.clusters?.find((c: any) => c.name === context?.cluster)?.cluster;
  const user = config.users?.find((u: any) => u.name === context?.user)?.user;

  it('is a kubeconfig whose current context names an existing cluster and user', () => {
    expect(config).toMatchObject({ apiVersion: 'v1', kind: 'Config' });
    expect(cluster).toBeDefined();
    expect(user).toBeDefined();
  });

  it('points at /webhook/audit/<cluster> over https, with no query (client-go drops it)', () => {
    const url = new URL(cluster.server);
    expect(url.protocol).toBe('https:');
    expect(url.search).toBe('');
    const match = /^\/webhook\/audit\/([^/]+)$/.exec(url.pathname);
    expect(match).not.toBeNull();
    expect(match![1]).toMatch(CLUSTER_NAME);
    expect(cluster['certificate-authority'] ?? cluster['certificate-authority-data']).toBeTruthy();
  });

  it('authenticates one way only', () => {
    const token = user.token ?? user.tokenFile;
    const cert = user['client-certificate'] ?? user['client-certificate-data'];
    const key = user['client-key'] ?? user['client-key-data'];
    if (file.includes('mtls')) {
      expect({ token, cert: !!cert, key: !!key }).toEqual({
        token: undefined,
        cert: true,
        key: true,
      });
    } else {
      expect({ token: !!token, cert }).toEqual({ token: true, cert: undefined });
    }
  });
});

describe('kubeadm patch for the kube-apiserver static pod', () => {
  const ops = load('kubeadm/kube-apiserver+json.yaml') as {
    op: string;
    path: string;
    value: any;
  }[];
  const flags = new Map(
    ops
      .filter((o) => o.path === '/spec/containers/0/command/-')
      .map((o) => {
        const [flag, ...value] = String(o.value).split('=');
        return [flag, value.join('=')] as const;
      }),
  );
  const mounts = ops
    .filter((o) => o.path === '/spec/containers/0/volumeMounts/-')
    .map((o) => o.value);
  const volumes = ops.filter((o) => o.path === '/spec/volumes/-').map((o) => o.value);

  it('only appends (a JSON patch "add" with "/-"), so the existing flags survive', () => {
    for (const op of ops)
      expect({ op: op.op, path: op.path.endsWith('/-') }).toEqual({ op: 'add', path: true });
  });

  it('sets the policy, the webhook config, batch mode and its limits', () => {
    expect(basename(flags.get('--audit-policy-file') ?? '')).toBe('audit-policy.yaml');
    expect(basename(flags.get('--audit-webhook-config-file') ?? '')).toBe('webhook-config.yaml');
    expect(flags.get('--audit-webhook-version')).toBe('audit.k8s.io/v1');
    expect(flags.get('--audit-webhook-mode')).toBe('batch');
    for (const flag of [
      '--audit-webhook-batch-max-size',
      '--audit-webhook-batch-max-wait',
      '--audit-webhook-batch-buffer-size',
    ]) {
      expect(flags.get(flag)).toBeTruthy();
    }
  });

  it('mounts every file a flag names into the pod from a hostPath volume', () => {
    const files = [
      flags.get('--audit-policy-file'),
      flags.get('--audit-webhook-config-file'),
    ] as string[];
    for (const file of files) {
      const mount = mounts.find((m) => file.startsWith(posix.join(m.mountPath, '/')));
      expect({ file, mounted: !!mount }).toEqual({ file, mounted: true });
      const volume = volumes.find((v) => v.name === mount.name);
      expect(volume?.hostPath?.path).toBeTruthy();
      expect(mount.readOnly).toBe(true);
    }
  });

  it('kubeadm ClusterConfiguration says the same', () => {
    const cfg = load('kubeadm/cluster-configuration.yaml');
    expect(cfg.apiVersion).toMatch(/^kubeadm\.k8s\.io\/v1beta[34]$/);
    const args = new Map<string, string>(
      cfg.apiServer.extraArgs.map((a: any) => [a.name, String(a.value)]),
    );
    for (const [flag, value] of flags)
      expect([flag, args.get(flag.slice(2))]).toEqual([flag, value]);
    const volume = cfg.apiServer.extraVolumes[0];
    expect(dirname(args.get('audit-policy-file')!)).toBe(volume.mountPath);
    expect(volume.hostPath).toBe(volume.mountPath);
  });
});
