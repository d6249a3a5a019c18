/**
 * GET /api/v1/objects/history (issue 7 contract): every event on one object, oldest first, each
 * successful recorded write with its field diff against the previous known state; and Secret
 * values never in any response of the query API.
 */
import type { FieldChange, HistoryItem, Page } from '../../src/audit/audit-query';
import {
  auditIDs,
  BadRequest,
  EventSpec,
  get,
  getOk,
  messageOf,
  oldestFirst,
  postEvents,
  Query,
  walk,
} from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
const at = (i: number): number => T0 + i * 60_000;

const HISTORY = '/api/v1/objects/history';
const OBJECT: Query = {
  cluster: 'hist',
  apiGroup: 'apps',
  resource: 'deployments',
  namespace: 'production',
  name: 'web-api',
};

interface DeploymentState {
  replicas: number;
  image: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion: string;
  managedAt: string;
}

function deployment(state: DeploymentState, server = true): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    name: 'web-api',
    namespace: 'production',
    labels: state.labels,
  };
  if (state.annotations) metadata.annotations = state.annotations;
  if (server) {
    metadata.uid = '6f1c1c3e-1111-4222-8333-944445555666';
    metadata.creationTimestamp = '2026-11-21T08:01:00Z';
    metadata.resourceVersion = state.resourceVersion;
    metadata.managedFields = [
      {
        manager: 'kubectl',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: state.managedAt,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ];
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: state.replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: state.image }] },
      },
    },
  };
}

const S1: DeploymentState = {
  replicas: 2,
  image: 'nginx:1.25',
  labels: { app: 'web' },
  annotations: { team: 'payments', owner: 'ops' },
  resourceVersion: '100',
  managedAt: '2026-11-21T08:01:00Z',
};
const S3: DeploymentState = {
  ...S1,
  replicas: 3,
  resourceVersion: '101',
  managedAt: '2026-11-21T08:03:00Z',
};
const S4: DeploymentState = {
  replicas: 3,
  image: 'nginx:1.27',
  labels: { app: 'web', tier: 'frontend' },
  annotations: { owner: 'ops' },
  resourceVersion: '102',
  managedAt: '2026-11-21T08:04:00Z',
};
const S5: DeploymentState = { ...S4, replicas: 5 };
const S8: DeploymentState = {
  ...S4,
  replicas: 6,
  resourceVersion: '105',
  managedAt: '2026-11-21T08:08:00Z',
};

const ref = {
  apiGroup: 'apps',
  resource: 'deployments',
  namespace: 'production',
  name: 'web-api',
  user: 'bob',
  decision: 'allow' as const,
};
const conflict = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason: 'Conflict',
  code: 409,
  message: 'the object has been modified',
};

// prettier-ignore
const DEPLOYMENT_EVENTS: EventSpec[] = [
  { ...ref, auditID: 'h01', at: at(1), verb: 'create', level: 'RequestResponse', code: 201, requestURI: '/apis/apps/v1/namespaces/production/deployments', requestObject: deployment(S1, false), responseObject: deployment(S1) },
  { ...ref, auditID: 'h02', at: at(2), verb: 'get', level: 'RequestResponse', code: 200, responseObject: deployment(S1) },
  { ...ref, auditID: 'h03', at: at(3), verb: 'patch', level: 'RequestResponse', code: 200, requestObject: { spec: { replicas: 3 } }, responseObject: deployment(S3) },
  { ...ref, auditID: 'h04', at: at(4), verb: 'update', level: 'RequestResponse', code: 200, requestObject: deployment({ ...S4, resourceVersion: '101' }), responseObject: deployment(S4) },
  { ...ref, auditID: 'h05', at: at(5), verb: 'update', level: 'Request', code: 200, requestObject: deployment(S5) },
  { ...ref, auditID: 'h06', at: at(6), verb: 'patch', level: 'Metadata', code: 200 },
  { ...ref, auditID: 'h07', at: at(7), verb: 'update', level: 'RequestResponse', code: 409, requestObject: deployment({ ...S5, replicas: 9 }), responseObject: conflict },
  { ...ref, auditID: 'h08', at: at(8), verb: 'patch', level: 'RequestResponse', code: 200, requestObject: { spec: { replicas: 6 } }, responseObject: deployment(S8) },
  { ...ref, auditID: 'h09', at: at(9), verb: 'delete', level: 'RequestResponse', code: 200, responseObject: { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'web-api', group: 'apps', kind: 'deployments' } } },
];

/** Events on other objects that must not show up in the history. */
// prettier-ignore
const DISTRACTORS: EventSpec[] = [
  { ...ref, auditID: 'x-other-ns', at: at(2) + 1000, namespace: 'staging', verb: 'get', code: 200 },
  { ...ref, auditID: 'x-other-group', at: at(3) + 1000, apiGroup: 'extensions', verb: 'get', code: 200 },
  { ...ref, auditID: 'x-list', at: at(4) + 1000, name: undefined, verb: 'list', code: 200 },
  { ...ref, auditID: 'x-other-name', at: at(5) + 1000, name: 'web-api-2', verb: 'get', code: 200 },
  { ...ref, auditID: 'x-other-resource', at: at(6) + 1000, resource: 'replicasets', name: 'web-api', verb: 'get', code: 200 },
];
const OTHER_CLUSTER: EventSpec[] = [
  { ...ref, auditID: 'x-other-cluster', at: at(3) + 2000, verb: 'get', code: 200 },
];

const CONFIGMAP_EVENTS: EventSpec[] = [
  {
    auditID: 'c1',
    at: at(20),
    verb: 'create',
    level: 'RequestResponse',
    code: 201,
    resource: 'configmaps',
    namespace: 'production',
    name: 'app-config',
    responseObject: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'production', resourceVersion: '7' },
      data: { key1: 'v1', gone: 'bye' },
    },
  },
  {
    auditID: 'c2',
    at: at(21),
    verb: 'update',
    level: 'Request',
    code: 200,
    resource: 'configmaps',
    namespace: 'production',
    name: 'app-config',
    requestObject: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'production', resourceVersion: '7' },
      data: { key1: 'v2', key2: 'new' },
    },
  },
];

// Secret values: base64 in data, plain text in stringData and inside kubectl's last-applied annotation.
const PASSWORD_1 = 'hunter2-first';
const PASSWORD_2 = 'correct-horse-battery';
const TOKEN = 'plain-token-value-0xDEADBEEF';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const SECRET_STRINGS = [
  PASSWORD_1,
  PASSWORD_2,
  TOKEN,
  b64(PASSWORD_1),
  b64(PASSWORD_2),
  b64(TOKEN),
];

function secret(password: string, rv: string, withToken: boolean): Record<string, unknown> {
  const data: Record<string, string> = { password: b64(password) };
  if (withToken) data.token = b64(TOKEN);
  const lastApplied = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-creds', namespace: 'production' },
    data: { password: b64(password) },
  });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: 'db-creds',
      namespace: 'production',
      resourceVersion: rv,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
    },
    data,
  };
}
const secretRef = { resource: 'secrets', namespace: 'production', name: 'db-creds', user: 'alice' };
const SECRET_EVENTS: EventSpec[] = [
  {
    ...secretRef,
    auditID: 'sec1',
    at: at(30),
    verb: 'create',
    level: 'RequestResponse',
    code: 201,
    requestObject: { ...secret(PASSWORD_1, '', false), stringData: { token: TOKEN } },
    responseObject: secret(PASSWORD_1, '300', true),
  },
  {
    ...secretRef,
    auditID: 'sec2',
    at: at(31),
    verb: 'update',
    level: 'RequestResponse',
    code: 200,
    requestObject: secret(PASSWORD_2, '300', true),
    responseObject: secret(PASSWORD_2, '301', true),
  },
  {
    ...secretRef,
    auditID: 'sec3',
    at: at(32),
    verb: 'get',
    level: 'RequestResponse',
    code: 200,
    responseObject: secret(PASSWORD_2, '301', true),
  },
  {
    ...secretRef,
    auditID: 'sec4',
    at: at(33),
    verb: 'patch',
    level: 'RequestResponse',
    code: 403,
    decision: 'forbid',
    requestObject: { data: { password: b64(PASSWORD_1) } },
  },
];

function clusterRole(team: string, rv: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'viewer', labels: { team }, resourceVersion: rv },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  };
}
const rbac = {
  apiGroup: 'rbac.authorization.k8s.io',
  resource: 'clusterroles',
  name: 'viewer',
  level: 'RequestResponse',
};
/** A cluster-scoped object (no namespace). */
// prettier-ignore
const CLUSTERROLE_EVENTS: EventSpec[] = [
  { ...rbac, auditID: 'cr1', at: at(40), verb: 'create', code: 201, responseObject: clusterRole('a', '1') },
  { ...rbac, auditID: 'cr2', at: at(41), verb: 'update', code: 200, requestObject: clusterRole('b', '1'), responseObject: clusterRole('b', '2') },
];

const scaledRef = {
  apiGroup: 'apps',
  resource: 'deployments',
  namespace: 'production',
  name: 'scaled',
  level: 'RequestResponse',
};
/** A write through the scale subresource, recorded at RequestResponse. */
const SCALE_EVENTS: EventSpec[] = [
  {
    ...scaledRef,
    auditID: 'sc1',
    at: at(50),
    verb: 'create',
    code: 201,
    responseObject: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled', namespace: 'production' },
      spec: { replicas: 1 },
    },
  },
  {
    ...scaledRef,
    auditID: 'sc2',
    at: at(51),
    verb: 'patch',
    subresource: 'scale',
    code: 200,
    requestObject: { spec: { replicas: 4 } },
    responseObject: {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'scaled', namespace: 'production' },
      spec: { replicas: 4 },
      status: { replicas: 1 },
    },
  },
];

function sortChanges(changes: FieldChange[] | null): FieldChange[] | null {
  if (changes === null) return null;
  return [...changes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

describe.each(backends())('object history (%s)', (backend) => {
  let app: TestApp;
  let history: HistoryItem[];
  const byId = (id: string): HistoryItem => {
    const item = history.find((h) => h.auditID === id);
    if (!item) throw new Error(`${id} is not in the history: ${auditIDs(history).join(',')}`);
    return item;
  };

  beforeAll(async () => {
    // Stored as sent (no redaction at rest): the API must hide Secret values by itself.
    app = await startTestApp(backend, { REDACT: 'none' });
    // Posted newest first, so order cannot come from insertion.
    await postEvents(app, 'hist', [...DEPLOYMENT_EVENTS].reverse());
    await postEvents(app, 'hist', DISTRACTORS);
    await postEvents(app, 'hist-other', OTHER_CLUSTER);
    await postEvents(app, 'hist', CONFIGMAP_EVENTS);
    await postEvents(app, 'hist', SECRET_EVENTS);
    await postEvents(app, 'hist', CLUSTERROLE_EVENTS);
    await postEvents(app, 'hist', SCALE_EVENTS);
    const page = await getOk<Page<HistoryItem>>(app, HISTORY, OBJECT);
    history = page.items;
    expect(page.nextCursor).toBeNull();
  });
  afterAll(() => app?.close());

  it('lists every event on the object, oldest first, and nothing else', () => {
    expect(auditIDs(history)).toEqual(oldestFirst(DEPLOYMENT_EVENTS));
  });

  it('the create: the first known state (no diff, or every field added)', () => {
    const create = byId('h01');
    if (create.diff === null) {
      expect(create.diffNote).toEqual(expect.any(String));
    } else {
      expect(create.diff).toContainEqual({ path: 'spec.replicas', op: 'added', after: '2' });
      expect(create.diff.every((c) => c.op === 'added')).toBe(true);
    }
  });

  it('a read has no diff', () => {
    expect(byId('h02').diff).toBeNull();
  });

  it('a patch: only the changed field, not resourceVersion or managedFields', () => {
    expect(byId('h03').diff).toEqual([
      { path: 'spec.replicas', op: 'changed', before: '2', after: '3' },
    ]);
  });

  it('an update: added, removed and changed fields with JSON values and array paths', () => {
    expect(sortChanges(byId('h04').diff)).toEqual([
      { path: 'metadata.annotations.team', op: 'removed', before: '"payments"' },
      { path: 'metadata.labels.tier', op: 'added', after: '"frontend"' },
      {
        path: 'spec.template.spec.containers[0].image',
        op: 'changed',
        before: '"nginx:1.25"',
        after: '"nginx:1.27"',
      },
    ]);
  });

  it('a Request-level update diffs its requestObject (no response body)', () => {
    expect(byId('h05').diff).toEqual([
      { path: 'spec.replicas', op: 'changed', before: '3', after: '5' },
    ]);
  });

  it('a Metadata-level write has no diff and says why', () => {
    const item = byId('h06');
    expect(item.diff).toBeNull();
    expect(item.diffNote).toMatch(/no body at this audit level/);
  });

  it('a failed write has no diff', () => {
    expect(byId('h07').diff).toBeNull();
  });

  it('the next recorded write diffs against the last KNOWN state (skipping the failed and the Metadata-level ones)', () => {
    expect(byId('h08').diff).toEqual([
      { path: 'spec.replicas', op: 'changed', before: '5', after: '6' },
    ]);
  });

  it('the delete is in the history as the last event', () => {
    const del = byId('h09');
    expect(del.verb).toBe('delete');
    expect(del.diff === null || Array.isArray(del.diff)).toBe(true);
    // A Status response is not the object's new state: it must not be diffed as one.
    if (del.diff !== null) {
      expect(del.diff.map((c) => c.path)).not.toContain('status');
      expect(del.diff.map((c) => c.path)).not.toContain('details.name');
    }
  });

  it('items carry the event fields', () => {
    expect(byId('h04')).toMatchObject({
      cluster: 'hist',
      verb: 'update',
      username: 'bob',
      apiGroup: 'apps',
      resource: 'deployments',
      namespace: 'production',
      name: 'web-api',
      responseCode: 200,
      level: 'RequestResponse',
    });
    expect(typeof byId('h04').summary).toBe('string');
  });

  it('pages oldest first, and diffs do not depend on the page size', async () => {
    for (const limit of [1, 2, 4]) {
      const { pages, items } = await walk<HistoryItem>(app, HISTORY, OBJECT, limit);
      expect(auditIDs(items)).toEqual(oldestFirst(DEPLOYMENT_EVENTS));
      expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(9 / limit));
      expect(items.map((i) => sortChanges(i.diff))).toEqual(
        history.map((i) => sortChanges(i.diff)),
      );
    }
  });

  it('core-group objects: apiGroup= (empty) and a Request-level update against a RequestResponse create', async () => {
    const page = await getOk<Page<HistoryItem>>(app, HISTORY, {
      cluster: 'hist',
      apiGroup: '',
      resource: 'configmaps',
      namespace: 'production',
      name: 'app-config',
    });
    expect(auditIDs(page.items)).toEqual(['c1', 'c2']);
    expect(sortChanges(page.items[1].diff)).toEqual([
      { path: 'data.gone', op: 'removed', before: '"bye"' },
      { path: 'data.key1', op: 'changed', before: '"v1"', after: '"v2"' },
      { path: 'data.key2', op: 'added', after: '"new"' },
    ]);
  });

  it('cluster-scoped objects: namespace= (empty)', async () => {
    const page = await getOk<Page<HistoryItem>>(app, HISTORY, {
      cluster: 'hist',
      apiGroup: 'rbac.authorization.k8s.io',
      resource: 'clusterroles',
      namespace: '',
      name: 'viewer',
    });
    expect(auditIDs(page.items)).toEqual(['cr1', 'cr2']);
    expect(page.items[1].diff).toEqual([
      { path: 'metadata.labels.team', op: 'changed', before: '"a"', after: '"b"' },
    ]);
  });

  it('a RequestResponse write through a subresource is in the history, and any note is true', async () => {
    const page = await getOk<Page<HistoryItem>>(app, HISTORY, { ...OBJECT, name: 'scaled' });
    expect(auditIDs(page.items)).toEqual(['sc1', 'sc2']);
    const scale = page.items[1];
    if (scale.diff === null) {
      // The level was RequestResponse and the body is there: the note must not blame the level.
      expect(scale.diffNote).toEqual(expect.any(String));
      expect(scale.diffNote).not.toMatch(/audit level|RequestResponse would/);
    } else {
      expect(scale.diff).toEqual([
        { path: 'spec.replicas', op: 'changed', before: '1', after: '4' },
      ]);
    }
  });

  it('Secret history: a changed value is reported as changed, its values redacted', async () => {
    const answer = await get<Page<HistoryItem>>(app, HISTORY, {
      cluster: 'hist',
      apiGroup: '',
      resource: 'secrets',
      namespace: 'production',
      name: 'db-creds',
    });
    expect(answer.status).toBe(200);
    for (const value of SECRET_STRINGS) expect(answer.text).not.toContain(value);
    expect(auditIDs(answer.body.items)).toEqual(['sec1', 'sec2', 'sec3', 'sec4']);
    const update = answer.body.items[1].diff ?? [];
    const password = update.find((c) => c.path === 'data.password');
    expect(password).toMatchObject({ op: 'changed' });
    expect(`${password?.before} ${password?.after}`).toMatch(/<redacted>/);
  });

  it('Secret values never appear in any query API response', async () => {
    const events = await get(app, '/api/v1/events', {
      cluster: 'hist',
      resource: 'secrets',
      limit: 500,
    });
    expect(events.status).toBe(200);
    const ids = (events.body as Page<HistoryItem>).items.map((i) => i.id);
    expect(ids).toHaveLength(4);
    const month = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
    // [where, path, query, a text the answer must hold (so it really is about the Secret)]
    const requests: [string, string, Query, string][] = [
      ...ids.map((id): [string, string, Query, string] => [
        `events/${id}`,
        `/api/v1/events/${id}`,
        {},
        'db-creds',
      ]),
      ['search', '/api/v1/events', { cluster: 'hist', q: 'creds' }, 'sec4'],
      ['ndjson', '/api/v1/events/export', { cluster: 'hist', format: 'ndjson' }, 'sec2'],
      ['csv', '/api/v1/events/export', { cluster: 'hist', format: 'csv' }, 'sec2'],
      ['activity', '/api/v1/users/alice/activity', month, 'sec4'],
      ['stats', '/api/v1/stats', { cluster: 'hist', ...month }, 'alice'],
    ];
    const texts: [string, string][] = [['events', events.text]];
    for (const [where, path, query, holds] of requests) {
      const answer = await get(app, path, query);
      expect([where, answer.status]).toEqual([where, 200]);
      expect([where, answer.text.includes(holds)]).toEqual([where, true]);
      texts.push([where, answer.text]);
    }
    for (const [where, text] of texts) {
      for (const value of SECRET_STRINGS) {
        if (text.includes(value)) throw new Error(`${where} contains the Secret value ${value}`);
      }
    }
    const detail = texts.find(([where]) => where.startsWith('events/'))![1];
    expect(detail).toMatch(/<redacted>/);
  });

  it.each<[string, Query, RegExp]>([
    [
      'without name',
      { cluster: 'hist', apiGroup: 'apps', resource: 'deployments', namespace: 'production' },
      /name/,
    ],
    [
      'without resource',
      { cluster: 'hist', apiGroup: 'apps', namespace: 'production', name: 'web-api' },
      /resource/,
    ],
    [
      'without cluster',
      { apiGroup: 'apps', resource: 'deployments', namespace: 'production', name: 'web-api' },
      /cluster/,
    ],
    ['with cluster=Bad_Name', { ...OBJECT, cluster: 'Bad_Name' }, /cluster/],
    ['with limit=0', { ...OBJECT, limit: 0 }, /limit/],
    ['with limit=501', { ...OBJECT, limit: 501 }, /limit/],
    ['with cursor=notauuid', { ...OBJECT, cursor: 'notauuid' }, /cursor/],
    ['with an unknown parameter', { ...OBJECT, verb: 'get' }, /verb/],
  ])('answers 400 %s', async (_label, query, names) => {
    const answer = await get<BadRequest>(app, HISTORY, query);
    expect(answer.status).toBe(400);
    expect(messageOf(answer.body)).toMatch(names);
  });

  it('an object nobody touched has an empty history', async () => {
    const page = await getOk<Page<HistoryItem>>(app, HISTORY, { ...OBJECT, name: 'never-there' });
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
