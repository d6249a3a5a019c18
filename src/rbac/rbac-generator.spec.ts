import { parseAllDocuments } from 'yaml';
import {
  generateRbac,
  labelTime,
  pathOf,
  roleBaseName,
  STREAMING_CREATE_NOTE,
  subjectOf,
  toYaml,
  verbTakesResourceName,
} from './rbac-generator';
import {
  AccessObservation,
  checkedGroups,
  impersonationChecks,
  RbacObservations,
} from './rbac-observation';

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
let n = 0;
function id(ms: number): string {
  n += 1;
  const hex = ms.toString(16).padStart(12, '0') + '7000' + '8' + n.toString(16).padStart(15, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function access(partial: Partial<AccessObservation> & { verb: string }, at = 0): AccessObservation {
  const first = T0 + at * 60_000;
  return {
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    path: '',
    requests: 1,
    firstEventId: id(first),
    lastEventId: id(first + 1000),
    firstSeenMs: first,
    lastSeenMs: first + 1000,
    ...partial,
  };
}

function input(partial: Partial<RbacObservations>): RbacObservations {
  return {
    username: 'alice',
    cluster: 'prod',
    fromMs: T0,
    toMs: T0 + 7 * 86_400_000,
    access: [],
    impersonation: [],
    ...partial,
  };
}

describe('generateRbac', () => {
  it('puts one namespace’s access in a Role bound in that namespace', () => {
    const { objects, rules } = generateRbac(
      input({
        access: [
          access({ verb: 'list', resource: 'pods', namespace: 'shop', requests: 3 }),
          access({ verb: 'get', resource: 'pods', namespace: 'shop', onlyName: 'web-0' }),
          access({ verb: 'watch', resource: 'pods', namespace: 'shop' }),
        ],
      }),
    );
    expect(objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.name])).toEqual([
      ['Role', 'shop', 'observed:alice'],
      ['RoleBinding', 'shop', 'observed:alice'],
    ]);
    expect(objects[0]).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: ['web-0'], verbs: ['get'] },
      ],
    });
    expect(objects[1]).toMatchObject({
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'observed:alice' },
    });
    expect(rules.map((r) => [r.index, r.requests, r.verbs])).toEqual([
      [
        0,
        4,
        [
          { verb: 'list', requests: 3 },
          { verb: 'watch', requests: 1 },
        ],
      ],
      [1, 1, [{ verb: 'get', requests: 1 }]],
    ]);
  });

  it('shares access identical in two namespaces as one ClusterRole bound only there', () => {
    const { objects } = generateRbac(
      input({
        access: [
          access({ verb: 'list', resource: 'configmaps', namespace: 'a' }),
          access({ verb: 'list', resource: 'configmaps', namespace: 'b' }),
          access({ verb: 'delete', resource: 'configmaps', namespace: 'b', onlyName: 'x' }),
        ],
      }),
    );
    const summary = objects.map((o) => [o.kind, o.metadata.namespace ?? '', o.metadata.name]);
    const shared = summary[0][2];
    expect(shared).toMatch(/^observed:alice:namespaces-[0-9a-f]{8}$/);
    expect(summary).toEqual([
      ['ClusterRole', '', shared],
      ['RoleBinding', 'a', shared],
      ['RoleBinding', 'b', shared],
      ['Role', 'b', 'observed:alice'],
      ['RoleBinding', 'b', 'observed:alice'],
    ]);
  });

  it('sends cluster-scoped, all-namespace and non-resource access to a ClusterRole', () => {
    const { objects } = generateRbac(
      input({
        access: [
          access({ verb: 'list', resource: 'nodes' }),
          access({ verb: 'list', resource: 'pods' }),
          access({ verb: 'get', path: '/version?timeout=32s' }),
          access({ verb: 'get', path: '/version' }),
          access({ verb: 'get', path: '/apis' }),
          access({ verb: 'post', path: '/apis' }),
          access({ verb: 'get', path: '/healthz' }),
        ],
      }),
    );
    expect(objects.map((o) => o.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
    expect(objects[0]).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        { nonResourceURLs: ['/apis'], verbs: ['get', 'post'] },
        { nonResourceURLs: ['/healthz', '/version'], verbs: ['get'] },
      ],
    });
  });

  it('names objects by subresource and adds create for a WebSocket exec seen as get', () => {
    const { objects, rules } = generateRbac(
      input({
        access: [
          access({
            verb: 'get',
            resource: 'pods',
            subresource: 'exec',
            namespace: 'shop',
            onlyName: 'web-0',
            requests: 2,
          }),
          access({
            verb: 'patch',
            apiGroup: 'apps',
            resource: 'deployments',
            subresource: 'scale',
            namespace: 'shop',
          }),
        ],
      }),
    );
    expect(objects[0]).toMatchObject({
      rules: [
        {
          apiGroups: [''],
          resources: ['pods/exec'],
          resourceNames: ['web-0'],
          verbs: ['get', 'create'],
        },
        { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
      ],
    });
    expect(rules[0]).toMatchObject({ requests: 2, note: STREAMING_CREATE_NOTE });
    expect(rules[0].verbs).toEqual([{ verb: 'get', requests: 2 }]);
  });

  it('never restricts a create of a collection or a deletecollection by name', () => {
    expect(verbTakesResourceName('create', '')).toBe(false);
    expect(verbTakesResourceName('deletecollection', '')).toBe(false);
    expect(verbTakesResourceName('create', 'exec')).toBe(true);
    expect(verbTakesResourceName('watch', '')).toBe(true);
    const { objects } = generateRbac(
      input({
        access: [
          access({ verb: 'create', resource: 'secrets', namespace: 'a', onlyName: 's' }),
          access({ verb: 'deletecollection', resource: 'pods', namespace: 'a', onlyName: 'p' }),
        ],
      }),
    );
    expect(objects[0]).toMatchObject({
      rules: [
        { resources: ['pods'], verbs: ['deletecollection'] },
        { resources: ['secrets'], verbs: ['create'] },
      ],
    });
    expect(JSON.stringify(objects)).not.toContain('resourceNames');
  });

  it('grants impersonation name by name, service accounts in their namespace', () => {
    const seen = {
      requests: 2,
      firstEventId: id(T0),
      lastEventId: id(T0 + 1),
      firstSeenMs: T0,
      lastSeenMs: T0 + 1,
    };
    const checks = impersonationChecks([
      { username: 'bob', groups: ['system:authenticated'], extra: {}, ...seen },
      {
        username: 'carol',
        groups: ['devs', 'system:authenticated'],
        extra: { scopes: ['a', 'b'] },
        uid: 'u-1',
        ...seen,
      },
      {
        username: 'system:serviceaccount:ns1:sa1',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
        extra: {},
        ...seen,
      },
    ]);
    const { objects } = generateRbac(input({ username: 'system:admin', impersonation: checks }));
    expect(objects.map((o) => [o.kind, o.metadata.namespace ?? '', o.metadata.name])).toEqual([
      ['ClusterRole', '', 'observed:system:admin'],
      ['ClusterRoleBinding', '', 'observed:system:admin'],
      ['Role', 'ns1', 'observed:system:admin'],
      ['RoleBinding', 'ns1', 'observed:system:admin'],
    ]);
    expect(objects[0]).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['groups'], resourceNames: ['devs'], verbs: ['impersonate'] },
        {
          apiGroups: [''],
          resources: ['users'],
          resourceNames: ['bob', 'carol'],
          verbs: ['impersonate'],
        },
        {
          apiGroups: ['authentication.k8s.io'],
          resources: ['uids'],
          resourceNames: ['u-1'],
          verbs: ['impersonate'],
        },
        {
          apiGroups: ['authentication.k8s.io'],
          resources: ['userextras/scopes'],
          resourceNames: ['a', 'b'],
          verbs: ['impersonate'],
        },
      ],
    });
    expect(objects[2]).toMatchObject({
      rules: [
        {
          apiGroups: [''],
          resources: ['serviceaccounts'],
          resourceNames: ['sa1'],
          verbs: ['impersonate'],
        },
      ],
    });
  });

  it('leaves out the groups the apiserver adds without a check', () => {
    expect(checkedGroups('bob', ['system:authenticated'])).toEqual([]);
    expect(checkedGroups('system:anonymous', ['system:unauthenticated'])).toEqual([]);
    expect(
      checkedGroups('system:serviceaccount:a:b', [
        'system:serviceaccounts',
        'system:serviceaccounts:a',
        'system:authenticated',
      ]),
    ).toEqual([]);
    expect(checkedGroups('system:serviceaccount:a:b', ['ops', 'system:authenticated'])).toEqual([
      'ops',
    ]);
  });

  it('binds service accounts as ServiceAccount subjects, anyone else as a User', () => {
    expect(subjectOf('system:serviceaccount:ci:deployer')).toEqual({
      kind: 'ServiceAccount',
      name: 'deployer',
      namespace: 'ci',
    });
    expect(subjectOf('system:serviceaccount:bad')).toEqual({
      kind: 'User',
      apiGroup: 'rbac.authorization.k8s.io',
      name: 'system:serviceaccount:bad',
    });
  });

  it('makes names safe and distinct, labels with the range', () => {
    expect(roleBaseName('alice')).toBe('observed:alice');
    expect(roleBaseName('system:serviceaccount:ci:deployer')).toBe(
      'observed:system:serviceaccount:ci:deployer',
    );
    expect(roleBaseName('Alice')).toMatch(/^observed:alice-[0-9a-f]{8}$/);
    expect(roleBaseName('Alice')).not.toBe(roleBaseName('alice'));
    expect(roleBaseName('<script>alert(1)</script>')).toMatch(
      /^observed:script-alert-1-script-[0-9a-f]{8}$/,
    );
    expect(roleBaseName('a/b%c')).toMatch(/^observed:a-b-c-[0-9a-f]{8}$/);
    expect(roleBaseName('x'.repeat(400)).length).toBeLessThanOrEqual(200);
    expect(roleBaseName('???')).toMatch(/^observed:user-[0-9a-f]{8}$/);
    expect(labelTime(T0)).toBe('20261121T080000Z');
    expect(pathOf('/version?timeout=32s')).toBe('/version');
  });

  it('is stable: the same observations in any order give the same objects', () => {
    const observations = [
      access({ verb: 'get', resource: 'pods', namespace: 'b', onlyName: 'x' }),
      access({ verb: 'list', resource: 'pods', namespace: 'a' }),
      access({ verb: 'list', resource: 'pods', namespace: 'b' }),
      access({ verb: 'get', path: '/api' }),
      access({
        verb: 'update',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'a',
        onlyName: 'd',
      }),
    ];
    const one = generateRbac(input({ access: observations }));
    const two = generateRbac(input({ access: [...observations].reverse() }));
    expect(two).toEqual(one);
  });

  it('writes YAML that reads back as the same objects, with YAML 1.1 look-alikes quoted', () => {
    const { objects } = generateRbac(
      input({
        username: 'yes',
        access: [access({ verb: 'get', resource: 'configmaps', namespace: 'on', onlyName: 'no' })],
      }),
    );
    const yaml = toYaml(objects);
    expect(yaml).toContain('- "no"');
    expect(yaml).toContain('- ""');
    for (const version of ['1.1', '1.2'] as const) {
      const docs = parseAllDocuments(yaml, { version });
      expect(docs.map((d) => d.toJS() as unknown)).toEqual(objects);
    }
    expect(JSON.stringify(objects)).not.toContain('*');
  });

  it('keeps hostile usernames as data in the YAML', () => {
    for (const username of [
      '<script>alert(1)</script>"\'&',
      '- a: b',
      '#x',
      'a\nkind: Secret',
      '*',
    ]) {
      const { objects } = generateRbac(
        input({ username, access: [access({ verb: 'list', resource: 'pods', namespace: 'a' })] }),
      );
      const docs = parseAllDocuments(toYaml(objects), { version: '1.1' });
      expect(docs.map((d) => d.toJS() as unknown)).toEqual(objects);
      expect(objects[1]).toMatchObject({ subjects: [{ name: username }] });
    }
  });
});
