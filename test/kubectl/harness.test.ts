import { eventFromRequest } from './event-from-request';
import { FakeApiServer, RecordedRequest, startFakeApiServer } from './fake-apiserver';
import { KubectlRun, runKubectl } from './kubectl-runner';
import { describeWithKubectl, FIXTURES, REPLAY_NAMESPACE } from './kubectl-suite';
import {
  compareRequests,
  pickAuditedRequest,
  placeholders,
  queryMultiset,
  RequestPick,
} from './request-compare';
import { requestInfo } from './request-info';

/** The harness itself: the fake apiserver, the runner and the event builder against kubectl. */

describe('requestInfo (port of apiserver requestinfo.go)', () => {
  const verb = (method: string, url: string) => {
    const [path, query = ''] = url.split('?');
    return requestInfo(method, path, new URLSearchParams(query)).verb;
  };

  test.each([
    ['GET', '/api/v1/namespaces/x/pods', 'list'],
    ['GET', '/api/v1/namespaces/x/pods?watch=true', 'watch'],
    ['GET', '/api/v1/watch/namespaces/x/pods', 'watch'],
    ['GET', '/api/v1/namespaces/x/pods/p', 'get'],
    ['HEAD', '/api/v1/namespaces/x/pods/p', 'get'],
    ['DELETE', '/api/v1/namespaces/x/pods', 'deletecollection'],
    ['DELETE', '/api/v1/namespaces/x/pods/p', 'delete'],
    ['POST', '/api/v1/namespaces/x/pods/p/exec?command=ls', 'create'],
    ['GET', '/api/v1/namespaces/x/pods/p/exec?command=ls', 'get'],
    ['PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval', 'update'],
    ['PATCH', '/apis/apps/v1/namespaces/x/deployments/d/scale', 'patch'],
    ['GET', '/api', 'get'],
    ['POST', '/api/v1', 'post'],
    ['GET', '/apis/apps', 'get'],
    ['OPTIONS', '/healthz', 'options'],
  ])('%s %s -> %s', (method, url, expected) => {
    expect(verb(method, url)).toBe(expected);
  });

  test('objectRef parts: namespaces, finalize, field-selected names', () => {
    const q = new URLSearchParams('fieldSelector=metadata.name%3Dweb&watch=1');
    expect(requestInfo('GET', '/api/v1/namespaces/x/pods', q)).toMatchObject({
      verb: 'watch',
      namespace: 'x',
      resource: 'pods',
      name: 'web',
    });
    expect(
      requestInfo('PUT', '/api/v1/namespaces/x/finalize', new URLSearchParams()),
    ).toMatchObject({ resource: 'namespaces', name: 'x', subresource: 'finalize', namespace: 'x' });
    expect(requestInfo('GET', '/apis/apps/v1/deployments', new URLSearchParams())).toMatchObject({
      apiGroup: 'apps',
      apiVersion: 'v1',
      resource: 'deployments',
      verb: 'list',
    });
  });
});

describe('request comparison rules', () => {
  const request = (over: Partial<RecordedRequest>): RecordedRequest => ({
    method: 'POST',
    path: '/api/v1/namespaces/default/configmaps',
    rawQuery: 'fieldManager=kubectl-create',
    headers: {},
    rawHeaders: [['Content-Type', 'application/json']],
    body: Buffer.from(JSON.stringify(over.json ?? {})),
    upgrade: false,
    status: 201,
    receivedAt: new Date(),
    ...over,
  });
  const generated = {
    kind: 'ConfigMap',
    metadata: { name: 'a', creationTimestamp: null },
    status: {},
  };
  const manifest = { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } };

  test('create bodies: generator no-ops (null, zero status, URL namespace) are not differences', () => {
    expect(
      compareRequests(request({ json: generated }), request({ json: manifest }), 'exact'),
    ).toEqual([]);
    const other = { ...manifest, metadata: { name: 'a', namespace: 'team-a' } };
    expect(
      compareRequests(request({ json: generated }), request({ json: other }), 'exact'),
    ).toHaveLength(1);
  });

  test('patch bodies: null deletes, so it is a difference', () => {
    const patch = (json: unknown) => request({ method: 'PATCH', path: '/api/v1/nodes/n', json });
    const diffs = compareRequests(
      patch({ spec: { unschedulable: null } }),
      patch({ spec: {} }),
      'exact',
    );
    expect(diffs.map((d) => d.field)).toEqual(['body']);
  });

  test('fieldSelector term order is ignored, labelSelector order and timeout handling are not lax', () => {
    const q = (rawQuery: string) => request({ method: 'GET', rawQuery });
    expect(
      compareRequests(
        q('fieldSelector=a%3D1%2Cb%3D2'),
        q('fieldSelector=b%3D2%2Ca%3D1&timeout=32s'),
        'exact',
      ),
    ).toEqual([]);
    expect(
      compareRequests(q('labelSelector=a%3D1%2Cb%3D2'), q('labelSelector=b%3D2%2Ca%3D1'), 'exact'),
    ).toHaveLength(1);
    expect(compareRequests(q('limit=500'), q('limit=500&limit=500'), 'equivalent')).toHaveLength(1);
  });

  test('volatile paths are redacted, nothing else', () => {
    const at = (t: string, image: string) =>
      request({ method: 'PATCH', json: { spec: { at: t, image } } });
    const volatile = [['spec', 'at']];
    expect(compareRequests(at('1', 'x'), at('2', 'x'), 'exact', { volatile })).toEqual([]);
    expect(compareRequests(at('1', 'x'), at('2', 'y'), 'exact', { volatile })).toHaveLength(1);
  });

  test('placeholders: bare, quoted or dotted; heredoc markers are not placeholders', () => {
    const cmd = "kubectl port-forward p '<local-port>:<remote-port>' -f <manifest.yaml> <<'EOF'";
    expect(placeholders(cmd)).toEqual(['local-port', 'remote-port', 'manifest.yaml']);
  });
});

describeWithKubectl('harness against the real kubectl', ['1.31', '1.32'], (bin) => {
  const servers: FakeApiServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  async function run(
    command: string,
    options: { version?: '1.31' | '1.32'; tty?: boolean; namespace?: string } = {},
  ) {
    const server = await startFakeApiServer();
    servers.push(server);
    return runKubectl(server, command, {
      binary: bin[options.version ?? '1.31'],
      tty: options.tty,
      cwd: FIXTURES,
      namespace: options.namespace,
    });
  }

  function audited(run: KubectlRun, pick?: RequestPick): RecordedRequest {
    const req = pickAuditedRequest(run.requests, pick);
    if (!req) throw new Error(`no audited request for ${run.command}\n${run.stderr}`);
    return req;
  }

  test('get pods -n x -l a=b is a list with labelSelector and limit=500 (kubectl 1.32)', async () => {
    const r = await run('kubectl get pods -n x -l a=b', { version: '1.32' });
    expect(r.exitCode).toBe(0);
    const req = audited(r);
    expect(`${req.method} ${req.path}?${req.rawQuery}`).toBe(
      'GET /api/v1/namespaces/x/pods?labelSelector=a%3Db&limit=500',
    );
    const event = eventFromRequest(req);
    expect(event).toMatchObject({
      verb: 'list',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/x/pods?labelSelector=a%3Db&limit=500',
      objectRef: { resource: 'pods', namespace: 'x', apiVersion: 'v1' },
      responseStatus: { code: 200 },
    });
    expect(event.userAgent).toMatch(
      /^kubectl\/v1\.32\.\d+ \(linux\/amd64\) kubernetes\/[0-9a-f]{7}$/,
    );
    expect(event.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  test('create -f: POST with the manifest as JSON, objectRef name from the body', async () => {
    const r = await run('kubectl create -f pod.yaml');
    const event = eventFromRequest(audited(r));
    expect(event.verb).toBe('create');
    expect(event.requestURI).toBe(
      '/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict',
    );
    expect(event.objectRef).toEqual({
      resource: 'pods',
      namespace: 'default',
      name: 'probe',
      apiVersion: 'v1',
    });
    expect(event.requestObject).toMatchObject({ kind: 'Pod', metadata: { name: 'probe' } });
    expect(event.responseStatus?.code).toBe(201);
  });

  test('kubectl 1.32 sends protobuf for typed creates, 1.31 sends JSON', async () => {
    const cmd = 'kubectl create configmap c1 --from-literal=a=b';
    const [r31, r32] = await Promise.all([run(cmd), run(cmd, { version: '1.32' })]);
    expect(audited(r31).json).toMatchObject({ kind: 'ConfigMap', data: { a: 'b' } });
    expect(audited(r32).contentType).toMatch(/^application\/vnd\.kubernetes\.protobuf/);
    expect(eventFromRequest(audited(r32)).requestObject).toBeUndefined();
  });

  test('exec: the WebSocket GET is the audited request, verb get, code 101', async () => {
    const r = await run("kubectl exec web-0 -c sidecar -- sh -c 'echo hi'");
    const req = audited(r);
    expect(req.upgrade).toBe(true);
    expect(queryMultiset(req.rawQuery)).toEqual([
      'command=-c',
      'command=echo hi',
      'command=sh',
      'container=sidecar',
      'stderr=true',
      'stdout=true',
    ]);
    expect(r.requests.filter((x) => x.upgrade).map((x) => x.method)).toEqual(['GET', 'POST']);
    expect(eventFromRequest(req)).toMatchObject({
      verb: 'get',
      objectRef: { resource: 'pods', name: 'web-0', subresource: 'exec' },
      responseStatus: { code: 101 },
    });
  });

  test('-t reaches the request only with a terminal (script -qec)', async () => {
    const [plain, tty] = await Promise.all([
      run('kubectl exec -it web-0 -- sh'),
      run('kubectl exec -it web-0 -- sh', { tty: true }),
    ]);
    expect(queryMultiset(audited(plain).rawQuery)).toContain('stderr=true');
    expect(queryMultiset(audited(plain).rawQuery)).not.toContain('tty=true');
    expect(queryMultiset(audited(tty).rawQuery)).toContain('tty=true');
  });

  test('--as/--as-group become impersonatedUser', async () => {
    const r = await run('kubectl get pods --as=jane --as-group=devs --as-group=qa');
    expect(eventFromRequest(audited(r)).impersonatedUser).toEqual({
      username: 'jane',
      groups: ['devs', 'qa', 'system:authenticated'],
    });
  });

  test('get pod X -w: watch with the name taken from the field selector', async () => {
    const r = await run('kubectl get pod web-0 -w');
    expect(eventFromRequest(audited(r))).toMatchObject({
      verb: 'watch',
      objectRef: { resource: 'pods', name: 'web-0', namespace: 'default' },
    });
  });

  test('delete: DeleteOptions body at Request level, nothing at Metadata level', async () => {
    const r = await run('kubectl delete configmap settings --grace-period=5 --cascade=orphan');
    const req = audited(r);
    expect(eventFromRequest(req).requestObject).toEqual({
      gracePeriodSeconds: 5,
      propagationPolicy: 'Orphan',
    });
    expect(eventFromRequest(req, { level: 'Metadata' }).requestObject).toBeUndefined();
  });

  test('apply to a missing object: GET 404 then POST; the POST is the audited one', async () => {
    const r = await run('kubectl apply -f new-config.yaml');
    expect(r.requests.some((x) => x.method === 'GET' && x.status === 404)).toBe(true);
    expect(eventFromRequest(audited(r))).toMatchObject({
      verb: 'create',
      objectRef: { name: 'new-config' },
    });
  });

  test('the comparison can fail: different selector, body or path are reported', async () => {
    const [a, b, c, d] = await Promise.all([
      run('kubectl get pods -l a=b'),
      run('kubectl get pods -l a=c'),
      run('kubectl scale deploy web --replicas=3'),
      run('kubectl scale deploy web --replicas=4'),
    ]);
    expect(compareRequests(audited(a), audited(a), 'exact')).toEqual([]);
    expect(compareRequests(audited(a), audited(b), 'exact').map((x) => x.field)).toEqual(['query']);
    expect(compareRequests(audited(a), audited(b), 'partial')).toEqual([]);
    expect(compareRequests(audited(c), audited(d), 'exact').map((x) => x.field)).toEqual(['body']);
    expect(compareRequests(audited(a), audited(c), 'partial').map((x) => x.field)).toEqual([
      'method',
      'path',
    ]);
  });

  test('a replay that forgets -n lands in the replay namespace and is caught', async () => {
    const [original, replay] = await Promise.all([
      run('kubectl get pods'),
      run('kubectl get pods', { namespace: REPLAY_NAMESPACE }),
    ]);
    expect(compareRequests(audited(original), audited(replay), 'partial')).toEqual([
      {
        field: 'path',
        expected: '/api/v1/namespaces/default/pods',
        actual: `/api/v1/namespaces/${REPLAY_NAMESPACE}/pods`,
      },
    ]);
  });

  test('create namespace: cluster-scoped, name from the body; SSA: verb patch, no GET first', async () => {
    const [ns, ssa] = await Promise.all([
      run('kubectl create namespace team-b'),
      run('kubectl apply --server-side -f api-deployment.yaml'),
    ]);
    expect(eventFromRequest(audited(ns)).objectRef).toEqual({
      resource: 'namespaces',
      name: 'team-b',
      apiVersion: 'v1',
    });
    expect(ssa.requests.filter((r) => r.path.includes('/deployments/'))).toHaveLength(1);
    expect(eventFromRequest(audited(ssa))).toMatchObject({
      verb: 'patch',
      requestURI:
        '/apis/apps/v1/namespaces/default/deployments/api?fieldManager=kubectl&fieldValidation=Strict&force=false',
      objectRef: { apiGroup: 'apps', resource: 'deployments', name: 'api' },
      responseStatus: { code: 201 },
    });
  });
});
