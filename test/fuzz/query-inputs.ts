import fc from 'fast-check';
import { hostileParam, percentEncode, printable, PROTO_KEYS } from './hostile';

/** What the fuzzer knows of a route: its path, its parameters and how it answers. */
export interface RouteSpec {
  path: string;
  /** `:id` or `:username` in `path`, filled from `segment` of the request. */
  segment?: 'id' | 'username';
  params: readonly string[];
  answers: 'json' | 'html';
  /** Answers 200 with an endless event stream (read up to the headers only). */
  stream?: boolean;
  /** Answers 200 with NDJSON or CSV. */
  export?: boolean;
  /** Names one object (cluster, resource, name...): half the requests start from a real one. */
  object?: boolean;
  /** May answer 302 to a page of this console (a form's GET that redirects to its canonical URL). */
  redirects?: boolean;
}

const FILTERS = [
  'cluster',
  'user',
  'group',
  'verb',
  'resource',
  'apiGroup',
  'namespace',
  'name',
  'code',
  'decision',
  'sourceIP',
  'userAgent',
  'q',
  'from',
  'to',
  'stage',
  'auditID',
] as const;
const PAGE = ['limit', 'cursor'] as const;
const OBJECT = ['cluster', 'apiGroup', 'resource', 'namespace', 'name', ...PAGE] as const;
const ACCESS_LOG = ['user', 'action', 'from', 'to', ...PAGE] as const;
const DETECTIONS = ['cluster', 'rule', 'priority', 'from', 'to', 'grouped', 'eventId'] as const;

export const API_ROUTES: RouteSpec[] = [
  {
    path: '/api/v1/events',
    params: [...FILTERS, 'hasDetections', 'detectionRule', ...PAGE],
    answers: 'json',
  },
  { path: '/api/v1/detections', params: [...DETECTIONS, ...PAGE], answers: 'json' },
  { path: '/api/v1/detections/summary', params: DETECTIONS, answers: 'json' },
  { path: '/api/v1/events/export', params: [...FILTERS, 'format'], answers: 'json', export: true },
  { path: '/api/v1/events/stream', params: FILTERS, answers: 'json', stream: true },
  { path: '/api/v1/events/:id', segment: 'id', params: [], answers: 'json' },
  { path: '/api/v1/objects/history', params: OBJECT, answers: 'json', object: true },
  {
    path: '/api/v1/users/:username/activity',
    segment: 'username',
    params: ['from', 'to', 'cluster'],
    answers: 'json',
  },
  {
    path: '/api/v1/users/:username/rbac',
    segment: 'username',
    params: ['from', 'to', 'cluster'],
    answers: 'json',
  },
  { path: '/api/v1/stats', params: FILTERS, answers: 'json' },
  { path: '/api/v1/clusters', params: [], answers: 'json' },
  { path: '/api/v1/sources', params: [], answers: 'json' },
  { path: '/api/docs-json', params: [], answers: 'json' },
  { path: '/api/v1/access-log', params: ACCESS_LOG, answers: 'json' },
];

export const CONSOLE_ROUTES: RouteSpec[] = [
  { path: '/', params: [...FILTERS, ...PAGE], answers: 'html' },
  { path: '/events/rows', params: [...FILTERS, ...PAGE], answers: 'html' },
  { path: '/events/live', params: FILTERS, answers: 'html', stream: true },
  { path: '/events/:id', segment: 'id', params: [], answers: 'html' },
  { path: '/objects', params: OBJECT, answers: 'html', object: true },
  { path: '/users/:username', segment: 'username', params: FILTERS, answers: 'html' },
  {
    path: '/users/:username/rbac',
    segment: 'username',
    params: ['from', 'to', 'cluster'],
    answers: 'html',
  },
  {
    path: '/rbac',
    params: ['user', 'from', 'to', 'cluster'],
    answers: 'html',
    redirects: true,
  },
  { path: '/overview', params: FILTERS, answers: 'html' },
  { path: '/detections', params: [...DETECTIONS, ...PAGE], answers: 'html' },
  { path: '/clusters', params: [], answers: 'html' },
  { path: '/admin/access-log', params: ACCESS_LOG, answers: 'html' },
];

/** Values the stored corpus makes meaningful, so some queries reach the database and match. */
export interface KnownValues {
  ids: string[];
  usernames: string[];
  auditIDs: string[];
  names: string[];
  /** Object references of stored events, as history parameters. */
  objects: Record<string, string>[];
}

/** Per parameter, values that are valid or nearly so (and hit every SQL and full-text path). */
function plausible(known: KnownValues): Record<string, fc.Arbitrary<string>> {
  const pick = (values: string[], fallback: string) =>
    fc.constantFrom(...(values.length > 0 ? values : [fallback]));
  const time = fc.oneof(
    fc.constantFrom('15m', '24h', '7d', '2w', 'now', '0s', '999999w'),
    fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('9999-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    fc.constantFrom(
      '2018-10-26T13:38:34Z',
      '2018-10-26T13:38:34.123456789+02:00',
      '2026-02-29T00:00:00Z',
    ),
  );
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    fc.constantFrom('%', '_', '\\', '%_%', "o'brien", 'a"b', 'ǅ', 'İstanbul', '😀', 'a b'),
  );
  return {
    cluster: fc.constantFrom('fuzz', 'dev', 'a', 'a'.repeat(63), 'a'.repeat(64), 'Bad_Name', '-a'),
    user: fc.oneof(pick(known.usernames, 'admin'), text),
    username: fc.oneof(pick(known.usernames, 'admin'), text),
    group: fc.oneof(fc.constantFrom('system:masters', 'system:authenticated'), text),
    verb: fc.constantFrom('get', 'list', 'create', 'watch', 'GET', 'x'.repeat(65)),
    resource: fc.constantFrom(
      'pods',
      'pods/exec',
      'deployments.apps',
      'deployments.apps/scale',
      'a.b/c/d',
      '.pods',
    ),
    apiGroup: fc.constantFrom('apps', '', 'rbac.authorization.k8s.io', 'APPS', '.'),
    namespace: fc.constantFrom('default', 'kube-system', '', '-', 'a'.repeat(64)),
    name: fc.oneof(pick(known.names, 'nginx'), text),
    code: fc.constantFrom('200', '403', '404', '4xx', '5xx', '6xx', '99', '2000'),
    decision: fc.constantFrom('allow', 'forbid', 'deny', ''),
    sourceIP: fc.constantFrom('127.0.0.1', '::1', '10.0.0.1', '::ffff:1.2.3.4', '999.1.1.1', ':'),
    userAgent: fc.oneof(
      fc.constantFrom('kubectl', 'kube-controller-manager', '%', '_', '\\'),
      text,
    ),
    q: fc.oneof(
      fc.constantFrom(
        'nginx',
        'default pods',
        'kube-system',
        'a*',
        '"a',
        'NEAR(a b)',
        'a OR b',
        'a AND NOT b',
        '-a',
        '+a',
        '^a',
        'a:b',
        '(a',
        '{a}',
        '@3',
        '>a <b ~c',
        "'",
        '\\',
        '.',
        'a'.repeat(200),
        'a'.repeat(201),
        'é ü ß',
        '中文 검색',
      ),
      text,
    ),
    from: time,
    to: time,
    stage: fc.constantFrom(
      'RequestReceived',
      'ResponseStarted',
      'ResponseComplete',
      'Panic',
      'panic',
    ),
    auditID: fc.oneof(pick(known.auditIDs, 'x'), text),
    limit: fc.constantFrom('1', '50', '500', '501', '0', '-1', '1.5', '1e2', ' 5', '0x10', ''),
    cursor: fc.oneof(pick(known.ids, '00000000-0000-0000-0000-000000000000'), fc.uuid()),
    format: fc.constantFrom('ndjson', 'csv', 'CSV', 'xml', ''),
    action: fc.constantFrom('search', 'open-event', 'login-failed', 'live-tail', 'EXPORT', ''),
    id: fc.oneof(pick(known.ids, '00000000-0000-0000-0000-000000000000'), fc.uuid()),
  };
}

/** Keys a query parser may treat specially: prototypes, brackets, dots, repeats. */
const HOSTILE_KEYS = fc.oneof(
  fc.constantFrom(
    ...PROTO_KEYS,
    '__proto__[cluster]',
    '__proto__[x]',
    'constructor[prototype][x]',
    'cluster[]',
    'cluster[0]',
    'cluster[__proto__]',
    'user.name',
    'limit[]',
    '',
    ' ',
    'CLUSTER',
    'a'.repeat(5000),
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** How one pair is written: encoded, or with raw characters a query parser must cope with. */
type Writing = 'encoded' | 'raw-percent' | 'plus' | 'bare-key' | 'junk';

function writePair(key: string, value: string, writing: Writing): string {
  const k = percentEncode(key);
  const v = percentEncode(value);
  switch (writing) {
    case 'encoded':
      return `${k}=${v}`;
    case 'raw-percent':
      return `${k}=${v}%`;
    case 'plus':
      return `${k}=${v.replace(/%20/g, '+')}+%zz`;
    case 'bare-key':
      return k;
    case 'junk':
      return `${k}==${v}&&;`;
  }
}

export interface QueryRequest {
  route: RouteSpec;
  path: string;
}

/** A request to one of `routes`: its path segment and query, both hostile or plausible. */
export function queryRequest(routes: RouteSpec[], known: KnownValues): fc.Arbitrary<QueryRequest> {
  const values = plausible(known);
  const value = (param: string) =>
    fc.oneof(
      { weight: 3, arbitrary: values[param] ?? hostileParam },
      { weight: 2, arbitrary: hostileParam },
    );
  const segment = (name: 'id' | 'username') =>
    fc.oneof(
      { weight: 3, arbitrary: values[name].map(percentEncode) },
      { weight: 2, arbitrary: hostileParam.map(percentEncode) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '%2F',
          '..',
          '%2e%2e',
          '.',
          '%zz',
          '%00',
          'a%2Fb',
          '%C0%AF',
          '%E0%A4%A',
          '%F0%9F%98%80',
          '~',
          '%20',
        ),
      },
    );
  const request = fc.constantFrom(...routes).chain((route) => {
    const pair = fc.oneof(
      {
        weight: 6,
        arbitrary:
          route.params.length > 0
            ? fc
                .constantFrom(...route.params)
                .chain((key) => value(key).map((v) => [key, v] as const))
            : HOSTILE_KEYS.chain((key) => hostileParam.map((v) => [key, v] as const)),
      },
      {
        weight: 1,
        arbitrary: HOSTILE_KEYS.chain((key) => hostileParam.map((v) => [key, v] as const)),
      },
    );
    const writing = fc.oneof(
      { weight: 12, arbitrary: fc.constant<Writing>('encoded') },
      { weight: 1, arbitrary: fc.constantFrom<Writing>('raw-percent', 'plus', 'bare-key', 'junk') },
    );
    return fc
      .record({
        base:
          route.object && known.objects.length > 0
            ? fc.option(fc.constantFrom(...known.objects), { freq: 2 })
            : fc.constant(null),
        pairs: fc.array(fc.tuple(pair, writing), { maxLength: 6 }),
        segment: route.segment ? segment(route.segment) : fc.constant(''),
      })
      .map(({ base: object, pairs, segment: seg }): QueryRequest => {
        const base = route.segment ? route.path.replace(`:${route.segment}`, seg) : route.path;
        const real = Object.entries(object ?? {}).map(([k, v]) => writePair(k, v, 'encoded'));
        const query = [...real, ...pairs.map(([[k, v], w]) => writePair(k, v, w))].join('&');
        return { route, path: query ? `${base}?${query}` : base };
      });
  });
  return printable(request);
}
