/**
 * GET /api/v1/events filters, derived from the query API contract (issue 7): every filter alone,
 * repeated, combined, the text search, time ranges, the item shape and invalid values.
 */
import type { EventItem, EventPage } from '../../src/audit/audit-query';
import {
  auditIDs,
  BadRequest,
  EventSpec,
  get,
  getOk,
  messageOf,
  microTime,
  newestFirst,
  postEvents,
  Query,
  stageOf,
  UA,
  walk,
} from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const MINUTE = 60_000;
/** Stage time of fixture i (f01 at T0 + 1 min, ...). */
const at = (i: number): number => T0 + i * MINUTE;

const AUTHD = 'system:authenticated';
const ARGO_SA = 'system:serviceaccount:argocd:argocd-application-controller';

/** clusters prod, dev, edge-1 */
// prettier-ignore
const MAIN: Record<string, EventSpec[]> = {
  prod: [
    { auditID: 'f01', at: at(1), user: 'alice', groups: [AUTHD, 'devs'], verb: 'get', resource: 'pods', namespace: 'web', name: 'nginx-7d9', code: 200, decision: 'allow', sourceIPs: ['10.0.0.1'], userAgent: UA.kubectl32 },
    { auditID: 'f02', at: at(2), user: 'alice', groups: [AUTHD, 'devs'], verb: 'list', resource: 'pods', namespace: 'web', code: 200, decision: 'allow', sourceIPs: ['10.0.0.1'], userAgent: UA.kubectl32 },
    { auditID: 'f03', at: at(3), user: 'bob', groups: [AUTHD, 'ops'], verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'web', name: 'nginx-7d9', code: 101, decision: 'allow', sourceIPs: ['10.0.0.2'], userAgent: UA.kubectl31, stage: 'ResponseStarted' },
    { auditID: 'f04', at: at(4), user: 'bob', groups: [AUTHD, 'ops'], verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'production', name: 'web-api', code: 200, decision: 'allow', sourceIPs: ['10.0.0.2'], userAgent: UA.kubectl31 },
    { auditID: 'f05', at: at(5), user: 'bob', groups: [AUTHD, 'ops'], verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'production', name: 'web-api', code: 200, decision: 'allow', sourceIPs: ['10.0.0.2'], userAgent: UA.kubectl31 },
    { auditID: 'f06', at: at(6), user: 'carol', groups: [AUTHD], verb: 'delete', resource: 'secrets', namespace: 'production', name: 'db-creds', code: 403, decision: 'forbid', sourceIPs: ['10.0.0.3'], userAgent: UA.kubectl32 },
    { auditID: 'f07', at: at(7), user: 'admin', impersonate: 'carol', groups: [AUTHD, 'system:masters'], verb: 'get', resource: 'secrets', namespace: 'production', name: 'db-creds', code: 200, decision: 'allow', sourceIPs: ['10.0.0.4'], userAgent: UA.kubectl32 },
    { auditID: 'f15', at: at(15), user: 'alice', groups: [AUTHD, 'devs'], verb: 'get', resource: 'pods', namespace: 'web', name: 'nginx-7d9', sourceIPs: ['10.0.0.1'], userAgent: UA.kubectl32, stage: 'RequestReceived' },
    { auditID: 'f17', at: at(17), user: 'erin', groups: [AUTHD, 'devs'], verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'production', name: 'web-api', code: 422, decision: 'allow', sourceIPs: ['172.16.0.3'], userAgent: UA.go },
  ],
  dev: [
    { auditID: 'f08', at: at(8), user: ARGO_SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', AUTHD], verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'staging', name: 'frontend', code: 409, decision: 'allow', sourceIPs: ['10.1.0.5', '192.168.1.5'], userAgent: UA.argocd },
    { auditID: 'f09', at: at(9), user: ARGO_SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', AUTHD], verb: 'list', apiGroup: 'extensions', apiVersion: 'v1beta1', resource: 'deployments', namespace: 'staging', code: 200, decision: 'allow', sourceIPs: ['10.1.0.5'], userAgent: UA.argocd },
    { auditID: 'f10', at: at(10), user: 'alice', groups: [AUTHD, 'devs'], verb: 'get', apiGroup: 'metrics.k8s.io', apiVersion: 'v1beta1', resource: 'pods', namespace: 'web', name: 'nginx-7d9', code: 200, decision: 'allow', sourceIPs: ['10.0.0.1'], userAgent: UA.lens },
    { auditID: 'f11', at: at(11), user: 'dave', groups: [AUTHD], verb: 'create', apiGroup: 'networking.k8s.io', resource: 'ingresses', namespace: 'staging', name: 'frontend', code: 201, decision: 'allow', sourceIPs: ['10.2.0.7'], userAgent: UA.terraform },
    { auditID: 'f12', at: at(12), user: 'dave', groups: [AUTHD], verb: 'get', resource: 'pods', subresource: 'log', namespace: 'staging', name: 'frontend-abc', code: 500, sourceIPs: ['10.2.0.7'], userAgent: UA.kubectl30 },
  ],
  'edge-1': [
    { auditID: 'f13', at: at(13), user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', requestURI: '/api', code: 401, sourceIPs: ['203.0.113.9'], userAgent: UA.curl },
    { auditID: 'f14', at: at(14), user: 'bob', groups: [AUTHD, 'ops'], verb: 'watch', resource: 'configmaps', namespace: 'kube-system', code: 200, decision: 'allow', sourceIPs: ['10.3.0.1'], userAgent: UA.kubectl31 },
    { auditID: 'f16', at: at(16), user: 'carol', groups: [AUTHD], verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'kube-system', name: 'coredns', code: 403, decision: 'forbid', sourceIPs: ['10.3.0.2'], userAgent: UA.kubectl32 },
  ],
};
const ALL_MAIN = Object.values(MAIN).flat();
const specById = new Map(ALL_MAIN.map((s) => [s.auditID, s]));
/** The expected answer for a set of fixture ids: newest first. */
const expectIds = (...ids: string[]): string[] =>
  newestFirst(ids.map((id) => specById.get(id) ?? missing(id)));
function missing(id: string): never {
  throw new Error(`no fixture ${id}`);
}
const MAIN_CLUSTERS = ['prod', 'dev', 'edge-1'];

/**
 * Text search fixtures (cluster `search`): each word appears in exactly the fields named.
 */
// prettier-ignore
const SEARCH: EventSpec[] = [
  { auditID: 's1', at: at(101), user: 'alice', verb: 'get', resource: 'pods', namespace: 'payments', name: 'nginx-7d9', code: 200, userAgent: UA.kubectl32 },
  { auditID: 's2', at: at(102), user: 'bob', verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'production', name: 'web-frontend', code: 200, userAgent: UA.kubectl31 },
  { auditID: 's3', at: at(103), user: 'carol', verb: 'get', resource: 'services', namespace: 'webshop', name: 'api-gateway', code: 200, userAgent: UA.lens },
  { auditID: 's4', at: at(104), user: ARGO_SA, verb: 'update', resource: 'configmaps', namespace: 'staging', name: 'cobweb-cache', code: 200, userAgent: UA.argocd },
  { auditID: 's5', at: at(105), user: 'dave', verb: 'list', resource: 'pods', namespace: 'staging', code: 200, userAgent: UA.helm, requestURI: '/api/v1/namespaces/staging/pods?labelSelector=tier%3Dbackend&limit=500' },
  { auditID: 's6', at: at(106), user: 'erin', verb: 'get', resource: 'pods', namespace: 'prod-east', name: 'redis-0', code: 200, userAgent: UA.kubectl32 },
  { auditID: 's7', at: at(107), user: 'frank', verb: 'get', resource: 'configmaps', namespace: 'payments', name: 'db-config', code: 200, userAgent: UA.kubectl32 },
  { auditID: 's8', at: at(108), user: 'jürgen', verb: 'get', resource: 'pods', namespace: 'finance', name: 'ledger-0', code: 200, userAgent: UA.kubectl32 },
  { auditID: 's9', at: at(109), user: 'grace@example.com', verb: 'get', resource: 'pods', namespace: 'finance', name: 'ledger-1', code: 200, userAgent: UA.kubectl32 },
  { auditID: 's10', at: at(110), user: 'henry', verb: 'get', apiGroup: 'apps', resource: 'deployments', namespace: 'edge', name: 'www-frontend', code: 200, userAgent: UA.kubectl32 },
];
const searchIds = (...ids: string[]): string[] =>
  newestFirst(ids.map((id) => SEARCH.find((s) => s.auditID === id) ?? missing(id)));

/** Values that need escaping in JSON columns or LIKE patterns (cluster `odd`). */
// prettier-ignore
const ODD: EventSpec[] = [
  { auditID: 'o1', at: at(201), user: "o'brien", groups: ['team "x"', 'back\\slash', 'ütf-grüppe', '50%_off'], sourceIPs: ['2001:db8::1'] },
  { auditID: 'o2', at: at(202), user: 'obrien', groups: ['team', 'system:serviceaccounts:argocd'], sourceIPs: ['2001:db8::10'] },
];

/** Sub-millisecond stage times around one boundary (cluster `micro`). */
const MICRO: EventSpec[] = [
  { auditID: 'm0', at: '2026-11-20T10:30:00.000000Z' },
  { auditID: 'm1', at: '2026-11-20T10:30:00.000500Z' },
  { auditID: 'm2', at: '2026-11-20T10:30:00.001000Z' },
];

describe.each(backends())('events API filters (%s)', (backend) => {
  let app: TestApp;
  const now = Date.now();
  const RECENT: EventSpec[] = [
    { auditID: 'r1', at: now - 2 * MINUTE },
    { auditID: 'r2', at: now - 30 * MINUTE },
    { auditID: 'r3', at: now - 3 * 60 * MINUTE },
    { auditID: 'r4', at: now - 2 * 24 * 60 * MINUTE },
    { auditID: 'r5', at: now - 8 * 24 * 60 * MINUTE },
  ];

  beforeAll(async () => {
    app = await startTestApp(backend);
    for (const [cluster, specs] of Object.entries(MAIN)) await postEvents(app, cluster, specs);
    await postEvents(app, 'search', SEARCH);
    await postEvents(app, 'recent', RECENT);
    await postEvents(app, 'micro', MICRO);
    await postEvents(app, 'odd', ODD);
  });
  afterAll(() => app?.close());

  /** One page big enough for every fixture; must be the last page. */
  async function ids(query: Query): Promise<string[]> {
    const page = await getOk<EventPage>(app, '/api/v1/events', { limit: 500, ...query });
    expect(page.nextCursor).toBeNull();
    return auditIDs(page.items);
  }
  const main = (query: Query): Promise<string[]> => ids({ cluster: MAIN_CLUSTERS, ...query });

  describe('each filter alone and repeated', () => {
    it.each<[string, Query, string[]]>([
      [
        'cluster=prod',
        { cluster: 'prod' },
        expectIds('f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f15', 'f17'),
      ],
      ['cluster=dev', { cluster: 'dev' }, expectIds('f08', 'f09', 'f10', 'f11', 'f12')],
      [
        'cluster=prod&cluster=edge-1',
        { cluster: ['prod', 'edge-1'] },
        expectIds(
          'f01',
          'f02',
          'f03',
          'f04',
          'f05',
          'f06',
          'f07',
          'f13',
          'f14',
          'f15',
          'f16',
          'f17',
        ),
      ],
      ['cluster=nowhere', { cluster: 'nowhere' }, []],
    ])('%s', async (_label, query, expected) => {
      expect(await ids(query)).toEqual(expected);
    });

    it.each<[string, Query, string[]]>([
      ['user=alice', { user: 'alice' }, expectIds('f01', 'f02', 'f10', 'f15')],
      [
        'user=carol (also as the impersonated user)',
        { user: 'carol' },
        expectIds('f06', 'f07', 'f16'),
      ],
      ['user=admin (the impersonator)', { user: 'admin' }, expectIds('f07')],
      [
        'user=bob&user=dave',
        { user: ['bob', 'dave'] },
        expectIds('f03', 'f04', 'f05', 'f11', 'f12', 'f14'),
      ],
      ['user=<service account>', { user: ARGO_SA }, expectIds('f08', 'f09')],
      ['user=ali (exact, not a prefix)', { user: 'ali' }, []],
      ['group=devs', { group: 'devs' }, expectIds('f01', 'f02', 'f10', 'f15', 'f17')],
      ['group=ops', { group: 'ops' }, expectIds('f03', 'f04', 'f05', 'f14')],
      [
        'group=system:unauthenticated&group=system:masters',
        { group: ['system:unauthenticated', 'system:masters'] },
        expectIds('f07', 'f13'),
      ],
      ['group=dev (exact, not a prefix)', { group: 'dev' }, []],
      ['verb=get', { verb: 'get' }, expectIds('f01', 'f07', 'f10', 'f12', 'f13', 'f15')],
      [
        'verb=get&verb=list',
        { verb: ['get', 'list'] },
        expectIds('f01', 'f02', 'f07', 'f09', 'f10', 'f12', 'f13', 'f15'),
      ],
      ['verb=watch', { verb: 'watch' }, expectIds('f14')],
      ['verb=delete', { verb: 'delete' }, expectIds('f06')],
      [
        'resource=pods (any subresource, any group)',
        { resource: 'pods' },
        expectIds('f01', 'f02', 'f03', 'f10', 'f12', 'f15'),
      ],
      ['resource=pods/exec', { resource: 'pods/exec' }, expectIds('f03')],
      [
        'resource=pods/exec&resource=pods/log',
        { resource: ['pods/exec', 'pods/log'] },
        expectIds('f03', 'f12'),
      ],
      [
        'resource=deployments.apps',
        { resource: 'deployments.apps' },
        expectIds('f04', 'f05', 'f08', 'f16', 'f17'),
      ],
      [
        'resource=deployments.apps/scale',
        { resource: 'deployments.apps/scale' },
        expectIds('f05', 'f16'),
      ],
      [
        'resource=deployments (any group)',
        { resource: 'deployments' },
        expectIds('f04', 'f05', 'f08', 'f09', 'f16', 'f17'),
      ],
      ['resource=deployments.extensions', { resource: 'deployments.extensions' }, expectIds('f09')],
      [
        'resource=ingresses.networking.k8s.io (dotted group)',
        { resource: 'ingresses.networking.k8s.io' },
        expectIds('f11'),
      ],
      ['resource=pods.metrics.k8s.io', { resource: 'pods.metrics.k8s.io' }, expectIds('f10')],
      [
        'resource=pods&resource=secrets',
        { resource: ['pods', 'secrets'] },
        expectIds('f01', 'f02', 'f03', 'f06', 'f07', 'f10', 'f12', 'f15'),
      ],
      ['apiGroup=apps', { apiGroup: 'apps' }, expectIds('f04', 'f05', 'f08', 'f16', 'f17')],
      ['apiGroup=metrics.k8s.io', { apiGroup: 'metrics.k8s.io' }, expectIds('f10')],
      [
        'apiGroup=apps&apiGroup=networking.k8s.io',
        { apiGroup: ['apps', 'networking.k8s.io'] },
        expectIds('f04', 'f05', 'f08', 'f11', 'f16', 'f17'),
      ],
      ['namespace=web', { namespace: 'web' }, expectIds('f01', 'f02', 'f03', 'f10', 'f15')],
      ['namespace=kube-system', { namespace: 'kube-system' }, expectIds('f14', 'f16')],
      [
        'namespace=web&namespace=staging',
        { namespace: ['web', 'staging'] },
        expectIds('f01', 'f02', 'f03', 'f08', 'f09', 'f10', 'f11', 'f12', 'f15'),
      ],
      ['name=nginx-7d9', { name: 'nginx-7d9' }, expectIds('f01', 'f03', 'f10', 'f15')],
      [
        'name=web-api&name=coredns',
        { name: ['web-api', 'coredns'] },
        expectIds('f04', 'f05', 'f16', 'f17'),
      ],
      ['name=nginx (exact, not a prefix)', { name: 'nginx' }, []],
      ['code=403', { code: '403' }, expectIds('f06', 'f16')],
      ['code=101', { code: '101' }, expectIds('f03')],
      ['code=201', { code: '201' }, expectIds('f11')],
      ['code=1xx', { code: '1xx' }, expectIds('f03')],
      [
        'code=2xx',
        { code: '2xx' },
        expectIds('f01', 'f02', 'f04', 'f05', 'f07', 'f09', 'f10', 'f11', 'f14'),
      ],
      ['code=4xx', { code: '4xx' }, expectIds('f06', 'f08', 'f13', 'f16', 'f17')],
      ['code=5xx', { code: '5xx' }, expectIds('f12')],
      ['code=403&code=5xx', { code: ['403', '5xx'] }, expectIds('f06', 'f12', 'f16')],
      ['decision=forbid', { decision: 'forbid' }, expectIds('f06', 'f16')],
      [
        'decision=allow',
        { decision: 'allow' },
        expectIds(
          'f01',
          'f02',
          'f03',
          'f04',
          'f05',
          'f07',
          'f08',
          'f09',
          'f10',
          'f11',
          'f14',
          'f17',
        ),
      ],
      [
        'decision=allow&decision=forbid',
        { decision: ['allow', 'forbid'] },
        expectIds(
          'f01',
          'f02',
          'f03',
          'f04',
          'f05',
          'f06',
          'f07',
          'f08',
          'f09',
          'f10',
          'f11',
          'f14',
          'f16',
          'f17',
        ),
      ],
      ['sourceIP=10.0.0.1', { sourceIP: '10.0.0.1' }, expectIds('f01', 'f02', 'f10', 'f15')],
      ['sourceIP=192.168.1.5 (the second of two)', { sourceIP: '192.168.1.5' }, expectIds('f08')],
      ['sourceIP=10.1.0.5', { sourceIP: '10.1.0.5' }, expectIds('f08', 'f09')],
      ['sourceIP=10.0.0 (exact, not a prefix)', { sourceIP: '10.0.0' }, []],
      [
        'sourceIP=10.0.0.3&sourceIP=203.0.113.9',
        { sourceIP: ['10.0.0.3', '203.0.113.9'] },
        expectIds('f06', 'f13'),
      ],
      [
        'userAgent=kubectl',
        { userAgent: 'kubectl' },
        expectIds('f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f12', 'f14', 'f15', 'f16'),
      ],
      [
        'userAgent=KUBECTL/V1.31 (case-insensitive)',
        { userAgent: 'KUBECTL/V1.31' },
        expectIds('f03', 'f04', 'f05', 'f14'),
      ],
      ['userAgent=lens/6 (contains, mid-string)', { userAgent: 'lens/6' }, expectIds('f10')],
      ['userAgent=x86 (contains, mid-word)', { userAgent: 'x86' }, expectIds('f10')],
      [
        'userAgent=linux',
        { userAgent: 'linux' },
        expectIds('f01', 'f02', 'f06', 'f07', 'f08', 'f09', 'f10', 'f12', 'f15', 'f16'),
      ],
      ['userAgent=% (literal, not a wildcard)', { userAgent: '%' }, []],
      ['userAgent=_ (literal, not a wildcard: only x86_64)', { userAgent: '_' }, expectIds('f10')],
      ['userAgent=\\ (literal backslash)', { userAgent: '\\' }, []],
      ['userAgent=ku%l (literal, not a wildcard)', { userAgent: 'ku%l' }, []],
      ['stage=ResponseStarted', { stage: 'ResponseStarted' }, expectIds('f03')],
      ['stage=RequestReceived', { stage: 'RequestReceived' }, expectIds('f15')],
      [
        'stage=ResponseStarted&stage=RequestReceived',
        { stage: ['ResponseStarted', 'RequestReceived'] },
        expectIds('f03', 'f15'),
      ],
      ['auditID=f04&auditID=f11', { auditID: ['f04', 'f11'] }, expectIds('f04', 'f11')],
    ])('%s', async (_label, query, expected) => {
      expect(await main(query)).toEqual(expected);
    });
  });

  describe('values that need escaping match exactly', () => {
    it.each<[string, Query, string[]]>([
      ['group=team "x"', { group: 'team "x"' }, ['o1']],
      ['group=team', { group: 'team' }, ['o2']],
      ['group=back\\slash', { group: 'back\\slash' }, ['o1']],
      ['group=ütf-grüppe', { group: 'ütf-grüppe' }, ['o1']],
      ['group=50%_off', { group: '50%_off' }, ['o1']],
      ['group=% (literal)', { group: '%' }, []],
      ['group=team% (literal)', { group: 'team%' }, []],
      [
        'group=system:serviceaccounts (an element, not a substring)',
        { group: 'system:serviceaccounts' },
        [],
      ],
      ["user=o'brien", { user: "o'brien" }, ['o1']],
      ['sourceIP=2001:db8::1 (not 2001:db8::10)', { sourceIP: '2001:db8::1' }, ['o1']],
      ['sourceIP=2001:db8::10', { sourceIP: '2001:db8::10' }, ['o2']],
    ])('%s', async (_label, query, expected) => {
      expect(await ids({ cluster: 'odd', ...query })).toEqual(expected);
    });
  });

  describe('combinations (AND across parameters)', () => {
    it.each<[string, Query, string[]]>([
      [
        'cluster=prod&verb=get&verb=list',
        { cluster: 'prod', verb: ['get', 'list'] },
        expectIds('f01', 'f02', 'f07', 'f15'),
      ],
      [
        'cluster=prod&resource=pods&namespace=web&code=2xx',
        { cluster: 'prod', resource: 'pods', namespace: 'web', code: '2xx' },
        expectIds('f01', 'f02'),
      ],
      [
        'user=carol&decision=forbid',
        { user: 'carol', decision: 'forbid' },
        expectIds('f06', 'f16'),
      ],
      [
        'group=ops&resource=deployments.apps',
        { group: 'ops', resource: 'deployments.apps' },
        expectIds('f04', 'f05'),
      ],
      [
        'group=ops&resource=deployments.apps&from=T5',
        { group: 'ops', resource: 'deployments.apps', from: new Date(at(5)).toISOString() },
        expectIds('f05'),
      ],
      [
        'cluster=dev&sourceIP=10.1.0.5&verb=update',
        { cluster: 'dev', sourceIP: '10.1.0.5', verb: 'update' },
        expectIds('f08'),
      ],
      [
        'code=4xx&cluster=prod&cluster=edge-1',
        { code: '4xx', cluster: ['prod', 'edge-1'] },
        expectIds('f06', 'f13', 'f16', 'f17'),
      ],
      [
        'userAgent=kubectl&code=4xx',
        { userAgent: 'kubectl', code: '4xx' },
        expectIds('f06', 'f16'),
      ],
      [
        'apiGroup=apps&name=web-api&verb=patch&verb=update',
        { apiGroup: 'apps', name: 'web-api', verb: ['patch', 'update'] },
        expectIds('f04', 'f05'),
      ],
      ['q=nginx', { q: 'nginx' }, expectIds('f01', 'f03', 'f10', 'f15')],
      ['q=nginx&cluster=dev', { q: 'nginx', cluster: 'dev' }, expectIds('f10')],
      [
        'namespace=web&stage=RequestReceived&user=alice',
        { namespace: 'web', stage: 'RequestReceived', user: 'alice' },
        expectIds('f15'),
      ],
      [
        'auditID=f01&stage=RequestReceived (no match)',
        { auditID: 'f01', stage: 'RequestReceived' },
        [],
      ],
      ['verb=delete&decision=allow (no match)', { verb: 'delete', decision: 'allow' }, []],
    ])('%s', async (_label, query, expected) => {
      // Unless the case names clusters itself, restrict to this suite's main clusters.
      expect(await ids({ cluster: MAIN_CLUSTERS, ...query })).toEqual(expected);
    });
  });

  describe('time range (stageTimestamp; from inclusive, to exclusive)', () => {
    const iso = (ms: number): string => new Date(ms).toISOString();
    const fromT5 = [
      'f05',
      'f06',
      'f07',
      'f08',
      'f09',
      'f10',
      'f11',
      'f12',
      'f13',
      'f14',
      'f15',
      'f16',
      'f17',
    ];
    it.each<[string, Query, string[]]>([
      ['from = an event time includes it', { from: iso(at(5)) }, expectIds(...fromT5)],
      ['to = an event time excludes it', { to: iso(at(5)) }, expectIds('f01', 'f02', 'f03', 'f04')],
      ['from and to', { from: iso(at(5)), to: iso(at(8)) }, expectIds('f05', 'f06', 'f07')],
      [
        'from between requestReceived and stage: stage decides',
        { from: iso(at(5) - 2000) },
        expectIds(...fromT5),
      ],
      [
        'to between requestReceived and stage: stage decides',
        { to: iso(at(5) - 2000) },
        expectIds('f01', 'f02', 'f03', 'f04'),
      ],
      ['from with a +01:00 offset', { from: '2026-11-20T11:05:00+01:00' }, expectIds(...fromT5)],
      [
        'from without fractional seconds, to with microseconds',
        { from: '2026-11-20T10:05:00Z', to: '2026-11-20T10:07:00.000000Z' },
        expectIds('f05', 'f06'),
      ],
      ['from = to (empty)', { from: iso(at(5)), to: iso(at(5)) }, []],
    ])('%s', async (_label, query, expected) => {
      expect(await main(query)).toEqual(expected);
    });

    it.each<[string, Query, string[]]>([
      ['from=15m', { from: '15m' }, ['r1']],
      ['from=1h', { from: '1h' }, ['r1', 'r2']],
      ['from=24h', { from: '24h' }, ['r1', 'r2', 'r3']],
      ['from=7d', { from: '7d' }, ['r1', 'r2', 'r3', 'r4']],
      ['from=24h&to=15m', { from: '24h', to: '15m' }, ['r2', 'r3']],
      ['to=1h', { to: '1h' }, ['r3', 'r4', 'r5']],
    ])('relative %s', async (_label, query, expected) => {
      expect(await ids({ cluster: 'recent', ...query })).toEqual(expected);
    });

    it.each<[string, Query, string[]]>([
      ['from=.000Z includes .000500', { from: '2026-11-20T10:30:00.000Z' }, ['m2', 'm1', 'm0']],
      ['from=.001Z excludes .000500', { from: '2026-11-20T10:30:00.001Z' }, ['m2']],
      ['to=.001Z includes .000500', { to: '2026-11-20T10:30:00.001Z' }, ['m1', 'm0']],
      ['to=.000Z excludes .000000', { to: '2026-11-20T10:30:00.000Z' }, []],
      [
        'from=.000Z&to=.001Z',
        { from: '2026-11-20T10:30:00.000Z', to: '2026-11-20T10:30:00.001Z' },
        ['m1', 'm0'],
      ],
    ])('sub-millisecond stage times: %s', async (_label, query, expected) => {
      expect(await ids({ cluster: 'micro', ...query })).toEqual(expected);
    });
  });

  describe('text search q (every word, as a word prefix)', () => {
    it.each<[string, string[]]>([
      ['nginx', searchIds('s1')],
      ['ngin', searchIds('s1')],
      ['web', searchIds('s2', 's3')],
      ['web prod', searchIds('s2')],
      ['prod web', searchIds('s2')],
      ['prod', searchIds('s2', 's6')],
      ['argocd', searchIds('s4')],
      ['alice', searchIds('s1')],
      ['labelsel', searchIds('s5')],
      ['lens', searchIds('s3')],
      ['helm', searchIds('s5')],
      ['staging', searchIds('s4', 's5')],
      ['staging helm', searchIds('s5')],
      ['payments nginx', searchIds('s1')],
      ['payments nothinglikethis', []],
      ['nomatchword', []],
      ['ledger', searchIds('s8', 's9')],
      ['finance', searchIds('s8', 's9')],
      ['jürg (non-ASCII username)', searchIds('s8')],
      ['grace', searchIds('s9')],
      ['grace@example.com (an e-mail username)', searchIds('s9')],
      ['www (a short common word: www-frontend)', searchIds('s10')],
    ])('q=%s', async (label, expected) => {
      const q = label.replace(/ \(.*\)$/, '');
      expect(await ids({ cluster: 'search', q })).toEqual(expected);
    });

    it.each<[string]>([['ginx'], ['eb'], ['shop'], ['ateway'], ['duction']])(
      'q=%s (inside a word, not at its start) matches nothing',
      async (q) => {
        expect(await ids({ cluster: 'search', q })).toEqual([]);
      },
    );

    it('a word that is the end of another word does not match it (cobweb-cache for q=web)', async () => {
      expect(await ids({ cluster: 'search', q: 'cache' })).toEqual(searchIds('s4'));
      expect(await ids({ cluster: 'search', q: 'web' })).not.toContain('s4');
    });

    it('matches a two-letter word (q=db finds db-config)', async () => {
      expect(await ids({ cluster: 'search', q: 'db' })).toEqual(searchIds('s7'));
    });

    it('q=web-frontend finds the object named web-frontend', async () => {
      expect(await ids({ cluster: 'search', q: 'web-frontend' })).toContain('s2');
    });

    it('q=system:serviceaccount:argocd finds the service account', async () => {
      expect(await ids({ cluster: 'search', q: 'system:serviceaccount:argocd' })).toEqual(
        searchIds('s4'),
      );
    });

    it('q pages with a cursor like any filter', async () => {
      const { pages, items } = await walk(
        app,
        '/api/v1/events',
        { cluster: 'search', q: 'web' },
        1,
      );
      expect(auditIDs(items)).toEqual(searchIds('s2', 's3'));
      expect(pages.map((p) => p.items.length).slice(0, 2)).toEqual([1, 1]);
    });

    it('q combines with other filters', async () => {
      expect(await ids({ cluster: 'search', q: 'staging', verb: 'list' })).toEqual(searchIds('s5'));
      expect(await ids({ cluster: 'search', q: 'prod', resource: 'pods' })).toEqual(
        searchIds('s6'),
      );
    });

    // Each case: the answer (when 200) may only hold events that contain every word of q.
    it.each<[string, string[] | 'any']>([
      ['"unbalanced', []],
      ['web*', searchIds('s2', 's3')],
      ['-web', searchIds('s2', 's3')],
      ['+web +prod', searchIds('s2')],
      ['(web', searchIds('s2', 's3')],
      ['NEAR(web prod)', searchIds('s2')],
      ['web AND prod OR', searchIds('s2')],
      ["'; DROP TABLE audit_events; --", []],
      ['@web', searchIds('s2', 's3')],
      ['~web', searchIds('s2', 's3')],
      ['web:prod', searchIds('s2')],
      ['%', 'any'],
      ['_', 'any'],
      ['*', 'any'],
    ])('q=%s (search syntax characters) is words, never a server error', async (q, allowed) => {
      const answer = await get<EventPage | BadRequest>(app, '/api/v1/events', {
        cluster: 'search',
        q,
      });
      expect([200, 400]).toContain(answer.status);
      if (answer.status === 200) {
        const found = auditIDs((answer.body as EventPage).items);
        if (allowed !== 'any') expect(allowed).toEqual(expect.arrayContaining(found));
      } else {
        expect(messageOf(answer.body as BadRequest)).toMatch(/\bq\b/);
      }
    });
    it('the search table survived the search syntax cases', async () => {
      expect(await ids({ cluster: 'search' })).toEqual(newestFirst(SEARCH));
    });
  });

  describe('items', () => {
    it('carry every field of the event', async () => {
      const page = await getOk<EventPage>(app, '/api/v1/events', {
        cluster: 'prod',
        auditID: 'f07',
      });
      expect(page.items).toHaveLength(1);
      const item = page.items[0];
      const spec = specById.get('f07')!;
      expect(item).toMatchObject({
        cluster: 'prod',
        auditID: 'f07',
        stage: 'ResponseComplete',
        level: 'Metadata',
        verb: 'get',
        username: 'admin',
        groups: [AUTHD, 'system:masters'],
        impersonatedUser: 'carol',
        sourceIPs: ['10.0.0.4'],
        userAgent: UA.kubectl32,
        apiGroup: '',
        apiVersion: 'v1',
        resource: 'secrets',
        subresource: '',
        namespace: 'production',
        name: 'db-creds',
        responseCode: 200,
        decision: 'allow',
        requestReceivedTimestamp: microTime(at(7) - 5000),
        stageTimestamp: stageOf(spec),
        requestURI: '/api/v1/namespaces/production/secrets/db-creds',
      });
      expect(item.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(typeof item.summary).toBe('string');
      expect(item.summary.length).toBeGreaterThan(0);
      expect(typeof item.kubectl.command).toBe('string');
      expect(typeof item.kubectl.fidelity).toBe('string');
      expect(Array.isArray(item.kubectl.notes)).toBe(true);
    });

    it('carry both source IPs, a group, a subresource and null code/decision when absent', async () => {
      const page = await getOk<EventPage>(app, '/api/v1/events', {
        cluster: MAIN_CLUSTERS,
        auditID: ['f05', 'f08', 'f15'],
      });
      const byId = new Map(page.items.map((i) => [i.auditID, i]));
      expect(byId.get('f08')).toMatchObject({
        sourceIPs: ['10.1.0.5', '192.168.1.5'],
        apiGroup: 'apps',
        impersonatedUser: null,
        responseCode: 409,
      });
      expect(byId.get('f05')).toMatchObject({
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
      });
      expect(byId.get('f15')).toMatchObject({
        responseCode: null,
        decision: null,
        stage: 'RequestReceived',
      });
    });

    it('are newest first across clusters', async () => {
      expect(await main({})).toEqual(newestFirst(ALL_MAIN));
    });

    it('the detail of an item is the item plus the original event', async () => {
      const page = await getOk<EventPage>(app, '/api/v1/events', {
        cluster: 'dev',
        auditID: 'f08',
      });
      const item = page.items[0];
      const detail = await getOk<
        EventItem & { event: { auditID: string; user: { username: string } } }
      >(app, `/api/v1/events/${item.id}`);
      const { event, ...rest } = detail;
      expect(rest).toEqual(item);
      expect(event.auditID).toBe('f08');
      expect(event.user.username).toBe(ARGO_SA);
    });

    it('an unknown id answers 404', async () => {
      const answer = await get(app, '/api/v1/events/01890000-0000-7000-8000-000000000000');
      expect(answer.status).toBe(404);
    });

    it('each fixture cluster holds exactly its events (sanity of the fixture)', async () => {
      for (const [cluster, specs] of Object.entries(MAIN)) {
        expect(await ids({ cluster })).toEqual(newestFirst(specs));
      }
    });
  });

  describe('invalid parameters answer 400 naming the parameter', () => {
    // Every row has four elements: a shorter row would make jest pass `done` as `allows`.
    it.each<[string, Query, RegExp, RegExp | null]>([
      ['limit=0', { limit: 0 }, /limit/, /1/],
      ['limit=501', { limit: 501 }, /limit/, /500/],
      ['limit=ten', { limit: 'ten' }, /limit/, null],
      ['limit=1.5', { limit: '1.5' }, /limit/, null],
      ['code=6xx', { code: '6xx' }, /code/, null],
      ['code=abc', { code: 'abc' }, /code/, null],
      ['code=4x', { code: '4x' }, /code/, null],
      [
        'code=403&code=6xx (one bad value of a repeated parameter)',
        { code: ['403', '6xx'] },
        /code/,
        null,
      ],
      ['decision=maybe', { decision: 'maybe' }, /decision/, /allow.*forbid|forbid.*allow/],
      ['from=yesterday', { from: 'yesterday' }, /from/, null],
      ['from=15x', { from: '15x' }, /from/, null],
      ['from=2026-13-45T00:00:00Z', { from: '2026-13-45T00:00:00Z' }, /from/, null],
      ['to=notatime', { to: 'notatime' }, /\bto\b/, null],
      [
        'from after to',
        { from: '2026-11-20T11:00:00Z', to: '2026-11-20T10:00:00Z' },
        /from|to/,
        null,
      ],
      ['cursor=notauuid', { cursor: 'notauuid' }, /cursor/, null],
      ['bogus=1 (unknown parameter)', { bogus: '1' }, /bogus/, null],
      ['cluster=Bad_Name', { cluster: 'Bad_Name' }, /cluster/, null],
      ['cluster=prod&cluster=Bad_Name', { cluster: ['prod', 'Bad_Name'] }, /cluster/, null],
    ])('%s', async (_label, query, names, allows) => {
      const answer = await get<BadRequest>(app, '/api/v1/events', query);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(
        expect.objectContaining({ statusCode: 400, error: expect.any(String) as unknown }),
      );
      const message = messageOf(answer.body);
      expect(message).toMatch(names);
      if (allows) expect(message).toMatch(allows);
    });
  });
});
