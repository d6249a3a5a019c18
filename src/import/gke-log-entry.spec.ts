import { normalizeEvent } from '../domain/normalize-event';
import { extractEventsDetailed } from './extract-events';
import {
  convertGkeLogEntry,
  GRPC_TO_HTTP,
  MISSING,
  nonKubernetesCategory,
  parseMethodName,
  parseResourceName,
  requestUri,
} from './gke-log-entry';

type Obj = Record<string, unknown>;

function entry(protoPayload: Obj = {}, extra: Obj = {}): Obj {
  return {
    insertId: 'ins-1',
    logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
    operation: {
      id: '5b0f7c4e-1d2a-4b3c-9d8e-7f6a5b4c3d2e',
      producer: 'k8s.io',
      first: true,
      last: true,
    },
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      serviceName: 'k8s.io',
      methodName: 'io.k8s.core.v1.pods.exec.create',
      resourceName: 'core/v1/namespaces/x/pods/y/exec',
      authenticationInfo: { principalEmail: 'alice@example.com' },
      requestMetadata: { callerIp: '203.0.113.7', callerSuppliedUserAgent: 'kubectl/v1.31.2' },
      authorizationInfo: [{ granted: true, permission: 'io.k8s.core.v1.pods.exec.create' }],
      status: {},
      ...protoPayload,
    },
    resource: {
      type: 'k8s_cluster',
      labels: { project_id: 'p', location: 'europe-west1', cluster_name: 'c' },
    },
    timestamp: '2026-11-30T10:00:01.123456Z',
    receiveTimestamp: '2026-11-30T10:00:01.912345678Z',
    ...extra,
  };
}

function convert(e: Obj): Obj {
  const c = convertGkeLogEntry(e);
  if (!c.ok) throw new Error(c.reason);
  return c.event;
}

describe('parseMethodName', () => {
  it.each([
    ['io.k8s.core.v1.pods.exec.create', 'create', '', 'v1', 'pods', 'exec'],
    ['io.k8s.apps.v1.deployments.patch', 'patch', 'apps', 'v1', 'deployments', undefined],
    ['io.k8s.apps.v1.deployments.scale.patch', 'patch', 'apps', 'v1', 'deployments', 'scale'],
    [
      'io.k8s.authorization.rbac.v1.clusterroles.get',
      'get',
      'rbac.authorization.k8s.io',
      'v1',
      'clusterroles',
      undefined,
    ],
    ['io.k8s.batch.v1.jobs.list', 'list', 'batch', 'v1', 'jobs', undefined],
    [
      'io.gke.networking.v1beta1.managedcertificates.create',
      'create',
      'networking.gke.io',
      'v1beta1',
      'managedcertificates',
      undefined,
    ],
  ])('%s', (m, verb, apiGroup, apiVersion, resource, subresource) => {
    expect(parseMethodName(m)).toEqual({ verb, apiGroup, apiVersion, resource, subresource });
  });

  it('gives nothing for a name without a version', () => {
    expect(parseMethodName('google.container.v1.ClusterManager')).toEqual({});
    expect(parseMethodName('io.k8s.get')).toEqual({});
  });
});

describe('parseResourceName and requestUri', () => {
  it.each([
    ['core/v1/namespaces/x/pods/y/exec', 'create', '/api/v1/namespaces/x/pods/y/exec'],
    ['apps/v1/namespaces/x/deployments/y', 'patch', '/apis/apps/v1/namespaces/x/deployments/y'],
    ['apps/v1/namespaces/x/deployments/y', 'create', '/apis/apps/v1/namespaces/x/deployments'],
    ['core/v1/namespaces/x/secrets', 'list', '/api/v1/namespaces/x/secrets'],
    ['core/v1/namespaces/x', 'get', '/api/v1/namespaces/x'],
    ['core/v1/namespaces/x/finalize', 'update', '/api/v1/namespaces/x/finalize'],
    [
      'rbac.authorization.k8s.io/v1/clusterroles/admin',
      'get',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin',
    ],
    ['core/v1/nodes', 'list', '/api/v1/nodes'],
  ])('%s (%s) -> %s', (name, verb, uri) => {
    expect(requestUri({ ...parseResourceName(name), verb })).toBe(uri);
  });

  it('reads namespace, name and subresource', () => {
    expect(parseResourceName('core/v1/namespaces/x/pods/y/exec')).toEqual({
      apiGroup: '',
      apiVersion: 'v1',
      namespace: 'x',
      resource: 'pods',
      name: 'y',
      subresource: 'exec',
    });
    expect(parseResourceName('core/v1/namespaces/x')).toEqual({
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'namespaces',
      name: 'x',
    });
  });
});

describe('convertGkeLogEntry', () => {
  it('turns an exec into create pods/exec with a real request URI, and says the command is not carried', () => {
    const ev = convert(entry());
    expect(ev).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: '5b0f7c4e-1d2a-4b3c-9d8e-7f6a5b4c3d2e',
      stage: 'ResponseComplete',
      verb: 'create',
      requestURI: '/api/v1/namespaces/x/pods/y/exec',
      user: { username: 'alice@example.com' },
      sourceIPs: ['203.0.113.7'],
      userAgent: 'kubectl/v1.31.2',
      objectRef: {
        resource: 'pods',
        subresource: 'exec',
        namespace: 'x',
        name: 'y',
        apiVersion: 'v1',
      },
      responseStatus: { code: 200 },
      requestReceivedTimestamp: '2026-11-30T10:00:01.123456Z',
      stageTimestamp: '2026-11-30T10:00:01.123456Z',
    });
    const a = ev.annotations as Record<string, string>;
    expect(a['k8s-audit-webhook/converted-from']).toBe('gke-cloud-logging');
    expect(a[MISSING].split(',')).toEqual(
      expect.arrayContaining(['user.groups', 'stage-timing', 'exec-command', 'http-status-code']),
    );
    expect(a['authorization.k8s.io/decision']).toBe('allow');
    expect(a['k8s-audit-webhook/gke-cluster']).toBe('projects/p/locations/europe-west1/clusters/c');
    expect(a['k8s-audit-webhook/gke-receive-timestamp']).toBe('2026-11-30T10:00:01.912345678Z');
    expect((ev.objectRef as Obj).apiGroup).toBeUndefined();
  });

  it('builds ?command=... when the entry carries a PodExecOptions request', () => {
    const ev = convert(
      entry({
        request: {
          '@type': 'core.k8s.io/v1.PodExecOptions',
          command: ['sh', '-c', 'cat /etc/passwd'],
          container: 'app',
          stdin: true,
          stdout: true,
          tty: true,
        },
      }),
    );
    expect(ev.requestURI).toBe(
      '/api/v1/namespaces/x/pods/y/exec?command=sh&command=-c&command=cat+%2Fetc%2Fpasswd&container=app&stdin=true&stdout=true&tty=true',
    );
    expect((ev.annotations as Obj)[MISSING]).not.toMatch(/exec-command/);
    expect(ev.requestObject).toMatchObject({ kind: 'PodExecOptions', apiVersion: 'v1' });
    expect(ev.requestObject).not.toHaveProperty('@type');
  });

  it('maps request/response bodies (without @type) and the level', () => {
    const ev = convert(
      entry({
        methodName: 'io.k8s.apps.v1.deployments.create',
        resourceName: 'apps/v1/namespaces/x/deployments/web',
        request: { '@type': 'apps.k8s.io/v1.Deployment', metadata: { name: 'web' } },
        response: { '@type': 'apps.k8s.io/v1.Deployment', metadata: { name: 'web', uid: 'u' } },
      }),
    );
    expect(ev.level).toBe('RequestResponse');
    expect(ev.requestURI).toBe('/apis/apps/v1/namespaces/x/deployments');
    expect(ev.requestObject).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web' },
    });
    expect(ev.responseObject).toMatchObject({ kind: 'Deployment', metadata: { uid: 'u' } });
    expect(Object.keys(ev.requestObject as Obj).slice(0, 2)).toEqual(['kind', 'apiVersion']);
    expect(ev.objectRef).toMatchObject({ apiGroup: 'apps', name: 'web' });
  });

  it('maps a denied request: gRPC 7 -> 403, decision forbid from authorizationInfo', () => {
    const ev = convert(
      entry({
        methodName: 'io.k8s.core.v1.secrets.list',
        resourceName: 'core/v1/namespaces/kube-system/secrets',
        authorizationInfo: [{ permission: 'io.k8s.core.v1.secrets.list' }],
        status: { code: 7, message: 'secrets is forbidden' },
      }),
    );
    expect(ev.responseStatus).toEqual({
      metadata: {},
      code: 403,
      status: 'Failure',
      message: 'secrets is forbidden',
    });
    expect((ev.annotations as Obj)['authorization.k8s.io/decision']).toBe('forbid');
  });

  it('prefers the LogEntry labels (the apiserver annotations) over authorizationInfo', () => {
    const ev = convert(
      entry(
        {},
        {
          labels: {
            'authorization.k8s.io/decision': 'allow',
            'authorization.k8s.io/reason': 'RBAC',
          },
        },
      ),
    );
    expect(ev.annotations).toMatchObject({ 'authorization.k8s.io/reason': 'RBAC' });
  });

  it.each([
    [0, 200],
    [3, 400],
    [5, 404],
    [6, 409],
    [7, 403],
    [16, 401],
    [14, 503],
  ])('gRPC %i -> HTTP %i', (grpc, http) => {
    expect(GRPC_TO_HTTP[grpc]).toBe(http);
  });

  it('reads core/v1/namespaces/x/finalize as a subresource of the Namespace x', () => {
    const ev = convert(
      entry({
        methodName: 'io.k8s.core.v1.namespaces.finalize.update',
        resourceName: 'core/v1/namespaces/x/finalize',
      }),
    );
    expect(ev.requestURI).toBe('/api/v1/namespaces/x/finalize');
    expect(ev.objectRef).toEqual({
      resource: 'namespaces',
      name: 'x',
      subresource: 'finalize',
      apiVersion: 'v1',
    });
  });

  it('falls back to insertId for auditID, and refuses an entry without a timestamp', () => {
    const { operation: _op, ...noOp } = entry();
    expect(convert(noOp).auditID).toBe('ins-1');
    const { timestamp: _t, receiveTimestamp: _r, ...noTime } = entry();
    expect(convertGkeLogEntry(noTime)).toEqual({ ok: false, reason: 'LogEntry has no timestamp' });
  });

  it('converts every shape to an Event normalizeEvent accepts', () => {
    for (const m of [
      ['io.k8s.core.v1.secrets.get', 'core/v1/namespaces/x/secrets/s'],
      ['io.k8s.core.v1.pods.delete', 'core/v1/namespaces/x/pods/p'],
      ['io.k8s.apps.v1.deployments.scale.patch', 'apps/v1/namespaces/x/deployments/d/scale'],
      [
        'io.k8s.authorization.rbac.v1.clusterroles.get',
        'rbac.authorization.k8s.io/v1/clusterroles/c',
      ],
    ]) {
      const r = normalizeEvent(convert(entry({ methodName: m[0], resourceName: m[1] })));
      expect(r.ok).toBe(true);
    }
  });

  it('names the LogEntries that are not Kubernetes audit entries', () => {
    expect(nonKubernetesCategory(entry({ serviceName: 'container.googleapis.com' }))).toBe(
      'gke:container.googleapis.com',
    );
    expect(nonKubernetesCategory({ logName: 'x', insertId: 'y', textPayload: 'z' })).toBe(
      'gke:textPayload',
    );
    expect(nonKubernetesCategory(entry())).toBeUndefined();
  });

  it('is what extractEvents does with a LogEntry, an array of them, and other services', () => {
    const x = extractEventsDetailed([entry(), entry({ serviceName: 'container.googleapis.com' })]);
    expect(x.events).toHaveLength(1);
    expect(x.formats).toEqual({ 'gke-cloud-logging': 1 });
    expect(x.skippedCategories).toEqual({ 'gke:container.googleapis.com': 1 });
    expect(x.errors).toEqual([]);
  });
});
