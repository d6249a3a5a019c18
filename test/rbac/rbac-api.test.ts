/**
 * GET /api/v1/users/:username/rbac through the real HTTP server on SQLite and MariaDB: events
 * go in through the webhook, the generated objects come out, and a Kubernetes-semantics RBAC
 * authorizer (rbac-authorizer.ts) proves that every observed allowed request is allowed by
 * them, and that denied requests and near misses (another verb, namespace, name, subresource,
 * group, non-resource URL, impersonated user) are not. Objects are checked against the
 * Kubernetes schemas (kubernetes-models) and the YAML must parse back to the same objects.
 */
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import type { AccessEntry } from '../../src/access-log/access-log.repository';
import type { RbacObject } from '../../src/rbac/rbac-generator';
import type { RbacAnswer } from '../../src/rbac/rbac.service';
import { loadCorpus } from '../support/corpus';
import { buildEvent, EventSpec, Json, postEvents } from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';
import { TokenClient, tokenClient } from '../support/token-client';
import { authorize, RequestAttributes } from './rbac-authorizer';

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
const at = (minute: number): number => T0 + minute * 60_000;
const RANGE = { from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' };

const TOKENS = { all: 'rbac-all-token-0123456789abcdef', c2: 'rbac-c2-token-0123456789abcdef' };
const ENV = {
  API_TOKENS: `auditor:${TOKENS.all}:sre,c2-bot:${TOKENS.c2}:team-c2`,
  CLUSTER_ACCESS: 'sre:*,team-c2:c2',
  ADMIN_GROUPS: 'sre',
};

const dana = { user: 'dana', decision: 'allow' as const };
const shop = { ...dana, namespace: 'shop' };

/** What dana was allowed to do in cluster c1, directly or impersonated by root. */
// prettier-ignore
const ALLOWED: EventSpec[] = [
  { ...shop, auditID: 'a-list-pods-1', at: at(1), verb: 'list', resource: 'pods', code: 200 },
  { ...shop, auditID: 'a-list-pods-2', at: at(2), verb: 'list', resource: 'pods', code: 200 },
  { ...shop, auditID: 'a-watch-pods', at: at(3), verb: 'watch', resource: 'pods', code: 200 },
  { ...shop, auditID: 'a-get-pod', at: at(4), verb: 'get', resource: 'pods', name: 'web-0', code: 200 },
  { ...shop, auditID: 'a-get-cm-shop', at: at(5), verb: 'get', resource: 'configmaps', name: 'settings', code: 200 },
  { ...dana, auditID: 'a-get-cm-ops', at: at(6), namespace: 'ops', verb: 'get', resource: 'configmaps', name: 'settings', code: 200 },
  { ...shop, auditID: 'a-delete-cm', at: at(7), verb: 'delete', resource: 'configmaps', name: 'old', code: 200 },
  { ...shop, auditID: 'a-create-secret', at: at(8), verb: 'create', resource: 'secrets', name: 'new-secret', code: 201, requestURI: '/api/v1/namespaces/shop/secrets' },
  { ...shop, auditID: 'a-scale', at: at(9), verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'web', code: 200 },
  { ...dana, auditID: 'a-list-nodes', at: at(10), verb: 'list', resource: 'nodes', code: 200 },
  { ...dana, auditID: 'a-version', at: at(11), verb: 'get', requestURI: '/version?timeout=32s', code: 200 },
  { ...dana, auditID: 'a-healthz', at: at(12), verb: 'get', requestURI: '/healthz', code: 200 },
  // No decision recorded (an older apiserver): a successful answer counts.
  { user: 'dana', auditID: 'a-apis', at: at(13), verb: 'get', requestURI: '/apis', code: 200 },
  // root impersonating dana: dana's request.
  { user: 'root', impersonate: 'dana', decision: 'allow', auditID: 'a-imp-svc', at: at(14), namespace: 'shop', verb: 'get', resource: 'services', name: 'api', code: 200 },
];

/** A WebSocket exec: two stages of one request (one auditID), audited as get. */
// prettier-ignore
const EXEC: EventSpec[] = [
  { ...shop, auditID: 'a-exec', at: at(15), stage: 'ResponseStarted', verb: 'get', resource: 'pods', subresource: 'exec', name: 'web-0', code: 101, requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&stdin=true&tty=true' },
  { ...shop, auditID: 'a-exec', at: at(16), stage: 'ResponseComplete', verb: 'get', resource: 'pods', subresource: 'exec', name: 'web-0', code: 101, requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&stdin=true&tty=true' },
];

/** dana's requests that must not become rules. */
// prettier-ignore
const EXCLUDED: EventSpec[] = [
  { ...shop, auditID: 'x-denied', at: at(20), verb: 'delete', resource: 'pods', name: 'web-0', code: 403, decision: 'forbid' },
  { ...shop, auditID: 'x-denied-secret', at: at(21), verb: 'get', resource: 'secrets', name: 'db', code: 403, decision: 'forbid' },
  { ...shop, auditID: 'x-failed', at: at(22), verb: 'update', apiGroup: 'apps', resource: 'deployments', name: 'web', code: 500 },
  { ...shop, auditID: 'x-not-found', at: at(23), verb: 'get', resource: 'endpoints', name: 'gone', code: 404 },
  { ...shop, auditID: 'x-received', at: at(24), stage: 'RequestReceived', verb: 'create', resource: 'configmaps', name: 'x' },
  { ...shop, auditID: 'x-out-of-range', at: Date.parse('2026-11-23T08:00:00Z'), verb: 'get', resource: 'leases', apiGroup: 'coordination.k8s.io', name: 'l', code: 200 },
  // dana impersonating erin: erin's request, not dana's.
  { ...shop, impersonate: 'erin', auditID: 'x-as-erin', at: at(25), verb: 'list', resource: 'secrets', code: 200 },
  { user: 'zed', decision: 'allow', auditID: 'x-zed', at: at(26), namespace: 'shop', verb: 'list', resource: 'jobs', apiGroup: 'batch', code: 200 },
];

/** dana impersonating a service account (its groups added by the apiserver, unchecked). */
const AS_DEPLOYER: Json = {
  ...buildEvent({
    ...shop,
    namespace: 'ci',
    auditID: 'x-as-deployer',
    at: at(27),
    verb: 'list',
    resource: 'deployments',
    apiGroup: 'apps',
    code: 200,
  }),
  impersonatedUser: {
    username: 'system:serviceaccount:ci:deployer',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
  },
};

const OTHER_CLUSTER: EventSpec[] = [
  { ...shop, auditID: 'c2-list', at: at(30), verb: 'list', resource: 'pods', code: 200 },
];

/** The attributes the authorizer sees for an event, as the apiserver's RequestInfo had them. */
function attributesOf(event: Json): RequestAttributes {
  const user = event.user as { username: string };
  const impersonated = event.impersonatedUser as { username: string } | undefined;
  const ref = event.objectRef as Record<string, string> | undefined;
  const uri = String(event.requestURI);
  return {
    user: impersonated?.username ?? user.username,
    verb: String(event.verb),
    ...(ref
      ? {
          apiGroup: ref.apiGroup ?? '',
          resource: ref.resource ?? '',
          subresource: ref.subresource ?? '',
          namespace: ref.namespace ?? '',
          name: ref.name ?? '',
        }
      : { path: uri.split('?')[0] }),
  };
}

function attributesOfSpec(spec: EventSpec): RequestAttributes {
  return attributesOf(buildEvent(spec));
}

/** The rule objects are valid Kubernetes objects (schemas of kubernetes-models). */
function validateSchemas(objects: readonly RbacObject[]): void {
  for (const o of objects) {
    const data = o as never;
    if (o.kind === 'Role') new Role(data).validate();
    else if (o.kind === 'ClusterRole') new ClusterRole(data).validate();
    else if (o.kind === 'RoleBinding') new RoleBinding(data).validate();
    else new ClusterRoleBinding(data).validate();
  }
}

/** What RBAC and the API server accept as names, labels and annotations. */
function validateMetadata(objects: readonly RbacObject[]): void {
  const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  const qualifiedKey =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
  for (const o of objects) {
    const { name, labels, annotations } = o.metadata;
    // ValidateRBACName = path segment name: no '/', no '%', not '.' or '..'.
    expect(name).not.toMatch(/[/%]/);
    expect(['.', '..']).not.toContain(name);
    expect(name.length).toBeLessThanOrEqual(253);
    for (const [key, value] of Object.entries(labels)) {
      expect(key).toMatch(qualifiedKey);
      expect(value).toMatch(labelValue);
      expect(value.length).toBeLessThanOrEqual(63);
    }
    for (const key of Object.keys(annotations)) expect(key).toMatch(qualifiedKey);
  }
}

function checkAnswer(answer: RbacAnswer): void {
  validateSchemas(answer.objects);
  validateMetadata(answer.objects);
  const docs = parseAllDocuments(answer.yaml, { version: '1.1' }).map((d) => d.toJS() as unknown);
  expect(docs).toEqual(answer.objects);
  expect(answer.yaml).not.toContain('*');
}

describe.each(backends())('RBAC suggestions (%s)', (backend) => {
  let app: TestApp;
  let all: TokenClient;
  let c2: TokenClient;

  beforeAll(async () => {
    app = await startTestApp(backend, ENV);
    all = tokenClient(app, TOKENS.all);
    c2 = tokenClient(app, TOKENS.c2);
    await postEvents(app, 'c1', [...ALLOWED, ...EXEC, ...EXCLUDED, AS_DEPLOYER]);
    await postEvents(app, 'c2', OTHER_CLUSTER);
  });
  afterAll(() => app?.close());

  const rbac = (client: TokenClient, user: string, query: Record<string, string>) =>
    client.json<RbacAnswer>(`/api/v1/users/${encodeURIComponent(user)}/rbac`, query);

  it('allows every observed allowed request and nothing denied', async () => {
    const answer = await rbac(all, 'dana', { ...RANGE, cluster: 'c1' });
    checkAnswer(answer);
    expect(answer.cluster).toBe('c1');
    for (const spec of [...ALLOWED, ...EXEC]) {
      expect([spec.auditID, authorize(answer.objects, attributesOfSpec(spec))]).toEqual([
        spec.auditID,
        true,
      ]);
    }
    // The WebSocket exec also needs create on pods/exec (Kubernetes 1.35+), for that pod only.
    const exec = attributesOfSpec(EXEC[0]);
    expect(authorize(answer.objects, { ...exec, verb: 'create' })).toBe(true);
    for (const spec of EXCLUDED) {
      const attributes = { ...attributesOfSpec(spec), user: 'dana' };
      expect([spec.auditID, authorize(answer.objects, attributes)]).toEqual([spec.auditID, false]);
    }
    // 14 allowed requests, the exec once, and dana's two impersonations.
    expect(answer.requests).toBe(ALLOWED.length + 1 + 2);
  });

  it('allows no near miss: another verb, namespace, name, subresource, group or URL', async () => {
    const { objects } = await rbac(all, 'dana', { ...RANGE, cluster: 'c1' });
    const base = (spec: EventSpec) => attributesOfSpec(spec);
    const [listPods, , , getPod, getCmShop, , deleteCm, createSecret, scale, listNodes, version] =
      ALLOWED;
    const nearMisses: Array<[string, RequestAttributes]> = [
      ['other verb: delete the pod read', { ...base(getPod), verb: 'delete' }],
      ['other verb: update the configmap read', { ...base(getCmShop), verb: 'update' }],
      ['other verb: deletecollection pods', { ...base(listPods), verb: 'deletecollection' }],
      ['other verb: get the scale patched', { ...base(scale), verb: 'get' }],
      ['other verb: watch nodes', { ...base(listNodes), verb: 'watch' }],
      ['other verb: post /version', { ...base(version), verb: 'post' }],
      ['other namespace: list pods', { ...base(listPods), namespace: 'kube-system' }],
      ['other namespace: get configmap', { ...base(getCmShop), namespace: 'kube-system' }],
      ['other namespace: create secret', { ...base(createSecret), namespace: 'ops' }],
      ['all namespaces: list pods', { ...base(listPods), namespace: '' }],
      ['other name: get pod', { ...base(getPod), name: 'web-1' }],
      ['other name: get configmap', { ...base(getCmShop), name: 'other' }],
      ['other name: delete configmap', { ...base(deleteCm), name: 'settings' }],
      ['other name: exec', { ...base(EXEC[0]), name: 'db-0' }],
      ['other subresource: pods/log', { ...base(getPod), subresource: 'log' }],
      ['other subresource: pods/attach', { ...base(EXEC[0]), subresource: 'attach' }],
      ['other subresource: deployments/status', { ...base(scale), subresource: 'status' }],
      ['no subresource: the deployment', { ...base(scale), subresource: '' }],
      ['other group: extensions/deployments', { ...base(scale), apiGroup: 'extensions' }],
      ['other group: metrics nodes', { ...base(listNodes), apiGroup: 'metrics.k8s.io' }],
      ['other URL: /metrics', { ...base(version), path: '/metrics' }],
      ['other URL: /healthz/etcd', { ...base(version), path: '/healthz/etcd' }],
      ['other URL: /version/', { ...base(version), path: '/version/' }],
      ['another person', { ...base(listPods), user: 'mallory' }],
      [
        'impersonate another user',
        { user: 'dana', verb: 'impersonate', resource: 'users', name: 'root' },
      ],
      [
        'impersonate a group',
        { user: 'dana', verb: 'impersonate', resource: 'groups', name: 'system:masters' },
      ],
      [
        'impersonate another service account',
        {
          user: 'dana',
          verb: 'impersonate',
          resource: 'serviceaccounts',
          namespace: 'ci',
          name: 'admin',
        },
      ],
      [
        'impersonate the account elsewhere',
        {
          user: 'dana',
          verb: 'impersonate',
          resource: 'serviceaccounts',
          namespace: 'shop',
          name: 'deployer',
        },
      ],
    ];
    for (const [label, attributes] of nearMisses) {
      expect([label, authorize(objects, attributes)]).toEqual([label, false]);
    }
    const impersonations: RequestAttributes[] = [
      { user: 'dana', verb: 'impersonate', resource: 'users', name: 'erin' },
      {
        user: 'dana',
        verb: 'impersonate',
        resource: 'serviceaccounts',
        namespace: 'ci',
        name: 'deployer',
      },
    ];
    for (const attributes of impersonations) expect(authorize(objects, attributes)).toBe(true);
  });

  it('shapes the objects: Role per namespace, shared ClusterRole, cluster ClusterRole', async () => {
    const answer = await rbac(all, 'dana', { ...RANGE, cluster: 'c1' });
    const summary = answer.objects.map(
      (o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`,
    );
    const shared = answer.objects[2].metadata.name;
    expect(shared).toMatch(/^observed:dana:namespaces-[0-9a-f]{8}$/);
    expect(summary).toEqual([
      'ClusterRole /observed:dana',
      'ClusterRoleBinding /observed:dana',
      `ClusterRole /${shared}`,
      `RoleBinding ops/${shared}`,
      `RoleBinding shop/${shared}`,
      'Role ci/observed:dana',
      'RoleBinding ci/observed:dana',
      'Role shop/observed:dana',
      'RoleBinding shop/observed:dana',
    ]);
    expect(answer.objects[0]).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
        { apiGroups: [''], resources: ['users'], resourceNames: ['erin'], verbs: ['impersonate'] },
        { nonResourceURLs: ['/apis', '/healthz', '/version'], verbs: ['get'] },
      ],
    });
    expect(answer.objects[2]).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get'] },
      ],
    });
    expect(answer.objects[7]).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['old'], verbs: ['delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: ['web-0'], verbs: ['get'] },
        {
          apiGroups: [''],
          resources: ['pods/exec'],
          resourceNames: ['web-0'],
          verbs: ['get', 'create'],
        },
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['services'], resourceNames: ['api'], verbs: ['get'] },
        {
          apiGroups: ['apps'],
          resources: ['deployments/scale'],
          resourceNames: ['web'],
          verbs: ['patch'],
        },
      ],
    });
    expect(answer.objects[1]).toMatchObject({
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'dana' }],
      metadata: {
        labels: {
          'k8s-audit-webhook/generated-by': 'rbac-suggestions',
          'k8s-audit-webhook/observed-from': '20261121T000000Z',
          'k8s-audit-webhook/observed-to': '20261122T000000Z',
        },
        annotations: {
          'k8s-audit-webhook/observed-user': 'dana',
          'k8s-audit-webhook/observed-cluster': 'c1',
        },
      },
    });
  });

  it('gives each rule its evidence: requests, first and last seen, an example event', async () => {
    const answer = await rbac(all, 'dana', { ...RANGE, cluster: 'c1' });
    const find = (resource: string, verbs: string[]) =>
      answer.rules.find(
        (r) => r.rule.resources?.[0] === resource && r.rule.verbs.join() === verbs.join(),
      );
    const pods = find('pods', ['list', 'watch']);
    expect(pods).toMatchObject({
      role: { kind: 'Role', name: 'observed:dana', namespace: 'shop' },
      namespaces: ['shop'],
      requests: 3,
      firstSeen: new Date(at(1)).toISOString(),
      lastSeen: new Date(at(3)).toISOString(),
      verbs: [
        { verb: 'list', requests: 2 },
        { verb: 'watch', requests: 1 },
      ],
    });
    const example = await all.json<{ auditID: string }>(`/api/v1/events/${pods?.exampleEventId}`);
    expect(example.auditID).toBe('a-watch-pods');
    // ResponseStarted and ResponseComplete of one exec count once.
    const exec = find('pods/exec', ['get', 'create']);
    expect(exec).toMatchObject({
      requests: 1,
      firstSeen: new Date(at(15)).toISOString(),
      lastSeen: new Date(at(16)).toISOString(),
      verbs: [{ verb: 'get', requests: 1 }],
    });
    expect(exec?.note).toMatch(/create/);
    expect(find('configmaps', ['get'])).toMatchObject({ namespaces: ['ops', 'shop'], requests: 2 });
    // Every rule of every object has exactly one evidence entry, in object order.
    const roles = answer.objects.filter((o) => 'rules' in o);
    expect(answer.rules.map((r) => [r.role.name, r.role.namespace, r.index])).toEqual(
      roles.flatMap((o) =>
        ('rules' in o ? o.rules : []).map((_, i) => [o.metadata.name, o.metadata.namespace, i]),
      ),
    );
  });

  it('asks for a cluster when the identity used several; a hidden cluster gives nothing', async () => {
    const several = await all.raw('/api/v1/users/dana/rbac', RANGE);
    expect(several.status).toBe(400);
    expect(several.text).toContain('cluster is required');
    expect(several.text).toContain('c1, c2');
    // c2-bot sees only c2: one cluster, no question.
    const own = await rbac(c2, 'dana', RANGE);
    expect(own.cluster).toBe('c2');
    expect(own.objects.map((o) => o.kind)).toEqual(['Role', 'RoleBinding']);
    const hidden = await rbac(c2, 'dana', { ...RANGE, cluster: 'c1' });
    expect(hidden).toEqual({
      username: 'dana',
      cluster: null,
      from: '2026-11-21T00:00:00.000Z',
      to: '2026-11-22T00:00:00.000Z',
      requests: 0,
      objects: [],
      yaml: '',
      rules: [],
    });
    const nobody = await rbac(all, 'nobody', RANGE);
    expect(nobody).toMatchObject({ cluster: null, objects: [], yaml: '' });
  });

  it('validates its parameters', async () => {
    const bad: Array<[Record<string, string | string[]>, string]> = [
      [{ cluster: 'Not_A_Cluster' }, 'cluster must be'],
      [{ cluster: ['c1', 'c2'] }, 'cluster must be one cluster name'],
      [{ from: 'yesterday' }, 'from must be'],
      [{ from: '2026-11-22T00:00:00Z', to: '2026-11-21T00:00:00Z' }, 'from must not be later'],
    ];
    for (const [query, message] of bad) {
      const answer = await all.raw('/api/v1/users/dana/rbac', query);
      expect([answer.status, answer.text]).toEqual([400, expect.stringContaining(message)]);
    }
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await all.json<{
      paths: Record<string, { get?: { parameters?: { name: string }[]; tags?: string[] } }>;
    }>('/api/docs-json');
    const route = doc.paths['/api/v1/users/{username}/rbac']?.get;
    expect(route?.tags).toEqual(['rbac']);
    expect((route?.parameters ?? []).map((p) => p.name).sort()).toEqual([
      'cluster',
      'from',
      'to',
      'username',
    ]);
  });

  it('records who asked in the access log', async () => {
    await rbac(all, 'dana', { ...RANGE, cluster: 'c1' });
    const log = await all.json<{ items: AccessEntry[] }>('/api/v1/access-log', {
      user: 'auditor',
      limit: 1,
    });
    expect(log.items[0]).toMatchObject({ action: 'rbac-suggestion', name: 'auditor' });
    expect(log.items[0].target).toContain('/api/v1/users/dana/rbac');
  });

  it('on the audit2rbac demo (real events): bob gets exactly what he was allowed', async () => {
    const demo = (await loadCorpus()).filter((c) => c.file === 'liggitt-audit2rbac/demo.log');
    await postEvents(
      app,
      'demo',
      demo.map((c) => c.raw),
    );
    // The demo was recorded in September 2017 (v1 events with `timestamp`, no stage times).
    const range = { cluster: 'demo', from: '2017-09-01T00:00:00Z', to: '2017-10-01T00:00:00Z' };
    const bob = await rbac(all, 'bob', range);
    checkAnswer(bob);
    const ofBob = demo.map((c) => c.raw).filter((e) => attributesOf(e).user === 'bob');
    const code = (e: Json) => (e.responseStatus as { code: number }).code;
    const allowed = ofBob.filter((e) => code(e) < 400).map(attributesOf);
    const denied = ofBob.filter((e) => code(e) >= 400).map(attributesOf);
    expect(allowed.length).toBeGreaterThan(20);
    for (const attributes of allowed) expect(authorize(bob.objects, attributes)).toBe(true);
    // A denial that was later retried and allowed (the demo granted access in between) is the
    // same request; every other denial stays denied.
    const same = (a: RequestAttributes, b: RequestAttributes) =>
      JSON.stringify(a) === JSON.stringify(b);
    const stillDenied = denied.filter((d) => !allowed.some((a) => same(a, d)));
    expect(stillDenied.length).toBeGreaterThan(0);
    for (const attributes of stillDenied) expect(authorize(bob.objects, attributes)).toBe(false);
    expect(bob.objects.map((o) => o.kind)).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
    ]);

    // system:admin impersonated bob, alice and a service account: exactly those.
    const admin = await rbac(all, 'system:admin', range);
    checkAnswer(admin);
    const imp = (resource: string, name: string, namespace?: string): RequestAttributes => ({
      user: 'system:admin',
      verb: 'impersonate',
      resource,
      name,
      ...(namespace ? { namespace } : {}),
    });
    expect(authorize(admin.objects, imp('users', 'bob'))).toBe(true);
    expect(authorize(admin.objects, imp('users', 'alice'))).toBe(true);
    expect(authorize(admin.objects, imp('serviceaccounts', 'sa1', 'ns1'))).toBe(true);
    expect(authorize(admin.objects, imp('users', 'carol'))).toBe(false);
    expect(authorize(admin.objects, imp('serviceaccounts', 'sa2', 'ns1'))).toBe(false);
    expect(authorize(admin.objects, { user: 'system:admin', verb: 'list', resource: 'pods' })).toBe(
      false,
    );
  });
});
