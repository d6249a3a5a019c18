import { ALL_CLUSTERS } from '../auth/identity';
import type { StoredEvent } from '../database/events-table';
import { bufferToUuid } from '../database/events-table';
import { eventId } from '../ingest/event-record';
import type { EventQuery } from './audit-query';
import { idTimeMs, matchesQuery } from './event-matcher';

const AT = Date.UTC(2026, 10, 30, 10, 0, 0, 123);

/** A UUIDv7 text whose 48-bit time part is `ms` (version 7, variant 10). */
function idAt(ms: number, seq = 0): string {
  const hex = ms.toString(16).padStart(12, '0');
  const rand = `7${seq.toString(16).padStart(3, '0')}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${rand}-8000-000000000001`;
}

function stored(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: idAt(AT),
    cluster: 'prod-eu',
    auditID: '5b0c1d2e-0000-4000-8000-000000000001',
    stage: 'ResponseComplete',
    level: 'Metadata',
    verb: 'get',
    username: 'alice@example.com',
    groups: ['system:authenticated', 'devs'],
    impersonatedUser: null,
    sourceIPs: ['10.0.0.7', '2001:db8::1'],
    userAgent: 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd',
    apiGroup: 'apps',
    apiVersion: 'v1',
    resource: 'deployments',
    subresource: '',
    namespace: 'prod',
    name: 'nginx-7d9',
    responseCode: 200,
    decision: 'allow',
    requestReceivedTimestamp: '2026-11-30T10:00:00.100000Z',
    stageTimestamp: '2026-11-30T10:00:00.123000Z',
    requestURI: '/apis/apps/v1/namespaces/prod/deployments/nginx-7d9',
    ...overrides,
  };
}

describe('idTimeMs', () => {
  it('reads the 48-bit millisecond time of a UUIDv7', () => {
    expect(idTimeMs(idAt(AT))).toBe(AT);
    expect(idTimeMs(idAt(0))).toBe(0);
    expect(idTimeMs(idAt(2 ** 48 - 1))).toBe(2 ** 48 - 1);
  });

  it('agrees with the ids the ingest path writes', () => {
    for (const ms of [AT, AT + 1, 1_700_000_000_000, Date.UTC(2030, 0, 1)]) {
      expect(idTimeMs(bufferToUuid(eventId(ms)))).toBe(ms);
    }
  });

  it('ignores case', () => {
    expect(idTimeMs(idAt(AT).toUpperCase())).toBe(AT);
  });
});

describe('matchesQuery', () => {
  const event = stored();
  const yes = (query: EventQuery, e: StoredEvent = event) =>
    expect(matchesQuery(e, ALL_CLUSTERS, query)).toBe(true);
  const no = (query: EventQuery, e: StoredEvent = event) =>
    expect(matchesQuery(e, ALL_CLUSTERS, query)).toBe(false);

  it('an empty query matches everything', () => {
    yes({});
  });

  it("only the caller's clusters, whatever the query names", () => {
    const see = (clusters: string[], query: EventQuery = {}) =>
      matchesQuery(event, { all: false, clusters }, query);
    expect(see(['prod-eu'])).toBe(true);
    expect(see(['dev', 'prod-eu'])).toBe(true);
    expect(see(['dev'])).toBe(false);
    expect(see([])).toBe(false);
    expect(see(['dev'], { cluster: ['prod-eu'] })).toBe(false);
    expect(see(['prod-eu'], { cluster: ['dev'] })).toBe(false);
  });

  it('empty lists mean no condition', () => {
    yes({
      cluster: [],
      user: [],
      group: [],
      verb: [],
      resource: [],
      apiGroup: [],
      namespace: [],
      name: [],
      code: [],
      decision: [],
      sourceIP: [],
      stage: [],
      auditID: [],
    });
  });

  it('cluster: one of the values', () => {
    yes({ cluster: ['prod-eu'] });
    yes({ cluster: ['dev', 'prod-eu'] });
    no({ cluster: ['dev'] });
    no({ cluster: ['prod'] });
  });

  it('user: the username or the impersonated user, exactly', () => {
    yes({ user: ['alice@example.com'] });
    no({ user: ['alice'] });
    no({ user: ['bob'] });
    const impersonating = stored({ username: 'admin', impersonatedUser: 'bob' });
    yes({ user: ['bob'] }, impersonating);
    yes({ user: ['admin'] }, impersonating);
    yes({ user: ['carol', 'bob'] }, impersonating);
    no({ user: ['carol'] }, impersonating);
  });

  it('group: one of the user groups, exactly', () => {
    yes({ group: ['devs'] });
    yes({ group: ['ops', 'system:authenticated'] });
    no({ group: ['dev'] });
    no({ group: ['system:masters'] });
    no({ group: ['devs'] }, stored({ groups: [] }));
  });

  it('verb', () => {
    yes({ verb: ['get'] });
    yes({ verb: ['list', 'get'] });
    no({ verb: ['list'] });
  });

  it('resource: name alone matches any group and any subresource', () => {
    yes({ resource: [{ resource: 'deployments' }] });
    yes({ resource: [{ resource: 'deployments' }] }, stored({ subresource: 'scale' }));
    no({ resource: [{ resource: 'pods' }] });
  });

  it("resource: with a group, only that group ('' is the core group)", () => {
    yes({ resource: [{ resource: 'deployments', apiGroup: 'apps' }] });
    no({ resource: [{ resource: 'deployments', apiGroup: 'extensions' }] });
    const pod = stored({ resource: 'pods', apiGroup: '' });
    yes({ resource: [{ resource: 'pods', apiGroup: '' }] }, pod);
    no({ resource: [{ resource: 'pods', apiGroup: 'metrics.k8s.io' }] }, pod);
  });

  it("resource: with a subresource, only that one ('' is the object itself)", () => {
    const exec = stored({ resource: 'pods', apiGroup: '', subresource: 'exec' });
    yes({ resource: [{ resource: 'pods', subresource: 'exec' }] }, exec);
    no({ resource: [{ resource: 'pods', subresource: 'log' }] }, exec);
    no({ resource: [{ resource: 'pods', subresource: '' }] }, exec);
    yes({ resource: [{ resource: 'deployments', subresource: '' }] });
    no({ resource: [{ resource: 'deployments', subresource: 'scale' }] });
  });

  it("resource: the selectors are OR'ed, each one AND's its parts", () => {
    yes({ resource: [{ resource: 'pods' }, { resource: 'deployments', apiGroup: 'apps' }] });
    no({
      resource: [
        { resource: 'deployments', apiGroup: 'extensions' },
        { resource: 'replicasets', apiGroup: 'apps' },
      ],
    });
  });

  it('apiGroup', () => {
    yes({ apiGroup: ['apps'] });
    no({ apiGroup: [''] });
    yes({ apiGroup: [''] }, stored({ apiGroup: '' }));
  });

  it('namespace and name, exactly', () => {
    yes({ namespace: ['prod'] });
    no({ namespace: ['pro'] });
    yes({ name: ['nginx-7d9'] });
    no({ name: ['nginx'] });
    yes({ namespace: [''] }, stored({ namespace: '' }));
  });

  it('code: exact codes and classes', () => {
    const denied = stored({ responseCode: 403 });
    yes({ code: [{ exact: 403 }] }, denied);
    no({ code: [{ exact: 404 }] }, denied);
    yes({ code: [{ class: 4 }] }, denied);
    no({ code: [{ class: 2 }] }, denied);
    no({ code: [{ class: 5 }] }, denied);
    yes({ code: [{ class: 5 }, { exact: 403 }] }, denied);
    yes({ code: [{ class: 2 }] });
    yes({ code: [{ class: 4 }] }, stored({ responseCode: 499 }));
    no({ code: [{ class: 4 }] }, stored({ responseCode: 500 }));
    no({ code: [{ class: 4 }] }, stored({ responseCode: 399 }));
  });

  it('code: an event without a code matches no code filter', () => {
    const pending = stored({ responseCode: null, stage: 'RequestReceived' });
    yes({}, pending);
    no({ code: [{ class: 2 }] }, pending);
    no({ code: [{ exact: 0 }] }, pending);
  });

  it('decision', () => {
    yes({ decision: ['allow'] });
    no({ decision: ['forbid'] });
    yes({ decision: ['forbid'] }, stored({ decision: 'forbid' }));
    no({ decision: ['allow', 'forbid'] }, stored({ decision: null }));
  });

  it('sourceIP: one of the source IPs, exactly', () => {
    yes({ sourceIP: ['10.0.0.7'] });
    yes({ sourceIP: ['2001:db8::1'] });
    no({ sourceIP: ['10.0.0.70'] });
    no({ sourceIP: ['10.0.0'] });
  });

  it('userAgent: case-insensitive contains', () => {
    yes({ userAgent: 'kubectl' });
    yes({ userAgent: 'KUBECTL/V1.32' });
    yes({ userAgent: 'linux/amd64' });
    no({ userAgent: 'helm' });
  });

  it('q: every word starts a word of name, namespace, username, URI or user agent', () => {
    yes({ q: 'ngi' });
    no({ q: 'gin' });
    yes({ q: 'NGINX prod' });
    yes({ q: 'alice' });
    yes({ q: 'example' });
    yes({ q: 'apis apps' });
    yes({ q: 'kubernetes' });
    no({ q: 'nginx redis' });
    // not searched: cluster, verb, groups
    no({ q: 'eu' });
    no({ q: 'devs' });
  });

  it('q without words is no condition', () => {
    yes({ q: '--' });
  });

  it('fromMs is inclusive and toMs exclusive, on the id time', () => {
    yes({ fromMs: AT });
    no({ fromMs: AT + 1 });
    yes({ toMs: AT + 1 });
    no({ toMs: AT });
    yes({ fromMs: AT - 1000, toMs: AT + 1000 });
    no({ fromMs: AT + 1, toMs: AT + 1000 });
  });

  it('the time is read from the id, not from the timestamp columns', () => {
    const e = stored({ id: idAt(AT + 60_000) });
    no({ toMs: AT + 1000 }, e);
    yes({ fromMs: AT + 60_000 }, e);
  });

  it('fractional bounds are floored like the SQL id bounds', () => {
    yes({ fromMs: AT + 0.5 });
    no({ toMs: AT + 0.5 });
  });

  it('stage and auditID', () => {
    yes({ stage: ['ResponseComplete'] });
    no({ stage: ['RequestReceived'] });
    yes({ auditID: ['5b0c1d2e-0000-4000-8000-000000000001'] });
    no({ auditID: ['5b0c1d2e-0000-4000-8000-000000000002'] });
  });

  it("different fields are AND'ed", () => {
    yes({ verb: ['get'], namespace: ['prod'], user: ['alice@example.com'], code: [{ class: 2 }] });
    no({ verb: ['get'], namespace: ['prod'], user: ['bob'] });
    no({ verb: ['delete'], namespace: ['prod'] });
  });
});

describe('matchesQuery: detections (live tail reads them with the item)', () => {
  const fired = {
    ...stored(),
    detections: [{ rule: 'Attach/Exec Pod', priority: 'NOTICE' as const, output: 'o', tags: [] }],
  };
  const quiet = { ...stored(), detections: [] };

  it('hasDetections: true matches events a rule fired on, false the others', () => {
    expect(matchesQuery(fired, ALL_CLUSTERS, { hasDetections: true })).toBe(true);
    expect(matchesQuery(quiet, ALL_CLUSTERS, { hasDetections: true })).toBe(false);
    expect(matchesQuery(quiet, ALL_CLUSTERS, { hasDetections: false })).toBe(true);
    expect(matchesQuery(fired, ALL_CLUSTERS, { hasDetections: false })).toBe(false);
    // A stored event read without its detections counts as none fired.
    expect(matchesQuery(stored(), ALL_CLUSTERS, { hasDetections: true })).toBe(false);
  });

  it('detectionRule: one of the rules fired', () => {
    expect(matchesQuery(fired, ALL_CLUSTERS, { detectionRule: ['X', 'Attach/Exec Pod'] })).toBe(
      true,
    );
    expect(matchesQuery(fired, ALL_CLUSTERS, { detectionRule: ['X'] })).toBe(false);
    expect(matchesQuery(quiet, ALL_CLUSTERS, { detectionRule: ['Attach/Exec Pod'] })).toBe(false);
  });
});
