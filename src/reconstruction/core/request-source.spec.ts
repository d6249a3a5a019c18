import { canonicalPath, viewOf } from './request';
import { reconstruct } from './testing/expect';
import { makeEvent } from './testing/make-event';

const DELETE_OPTIONS = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };

// Issue 11: sanitised exports and converted formats (GKE, converters) leave the objectRef
// incomplete or wrong; the request URI is what the client sent.
describe('the request URI over the objectRef', () => {
  it('takes a name the objectRef lacks from the URI and says so', () => {
    const event = makeEvent('patch', '/apis/apps/v1/namespaces/test/deployments/test/scale', {
      objectRef: {
        resource: 'deployments',
        namespace: 'test',
        apiGroup: 'apps',
        apiVersion: 'v1',
        subresource: 'scale',
      },
      body: { spec: { replicas: 2 } },
    });
    const view = viewOf(event);
    expect({ name: view.name, namespace: view.namespace }).toEqual({
      name: 'test',
      namespace: 'test',
    });
    expect(view.sourceNotes).toEqual([
      'the objectRef has no name `test`; taken from the request URI',
    ]);
  });

  it('follows the URI where the objectRef contradicts it, naming both', () => {
    const event = makeEvent('delete', '/api/v1/namespaces/prod/configmaps/app', {
      body: DELETE_OPTIONS,
      objectRef: { resource: 'configmaps', namespace: 'redacted', name: 'app', apiVersion: 'v1' },
    });
    expect(reconstruct(event, 'delete', 'exact')).toMatchObject({
      command: 'kubectl delete configmaps app -n prod',
      notes: [
        "the objectRef's namespace `redacted` contradicts the request URI's `prod`; the command follows the request URI",
      ],
    });
  });

  it('reads the target from the URI when there is no objectRef at all', () => {
    const event = makeEvent('get', '/api/v1/namespaces/prod/pods/web-1', { objectRef: undefined });
    expect(reconstruct(event, 'get', 'exact')).toMatchObject({
      command: 'kubectl get pods web-1 -n prod',
      notes: expect.arrayContaining([
        'the event has no objectRef; the target was read from the request URI',
      ]) as unknown,
    });
  });

  it('keeps what only the objectRef knows (a created object has no name in its URI) without a note', () => {
    const event = makeEvent('create', '/api/v1/namespaces/prod/configmaps', {
      objectRef: { resource: 'configmaps', namespace: 'prod', name: 'app', apiVersion: 'v1' },
    });
    const view = viewOf(event);
    expect(view.name).toBe('app');
    expect(view.sourceNotes).toEqual([]);
  });

  it('says nothing of a Namespace whose objectRef leaves out its namespace (its own name)', () => {
    const event = makeEvent('get', 'core/v1/namespaces/shop', {
      objectRef: { resource: 'namespaces', name: 'shop', apiGroup: 'core', apiVersion: 'v1' },
    });
    expect(reconstruct(event, 'get', 'exact')).toMatchObject({
      command: 'kubectl get namespaces shop',
      notes: expect.not.arrayContaining([expect.stringMatching(/request URI/)]) as unknown,
    });
  });

  it('agrees with the apiserver about a proxy subresource and its remaining path', () => {
    const event = makeEvent('get', '/api/v1/nodes/n1/proxy/metrics', {
      objectRef: { resource: 'nodes', name: 'n1', apiVersion: 'v1', subresource: 'proxy' },
    });
    expect(viewOf(event)).toMatchObject({ subresource: 'proxy', sourceNotes: [] });
  });
});

describe("GKE's resource-name form", () => {
  it.each([
    ['core/v1/namespaces/x/pods/y/attach', '/api/v1/namespaces/x/pods/y/attach'],
    ['apps/v1/namespaces/x/deployments/y', '/apis/apps/v1/namespaces/x/deployments/y'],
    [
      'rbac.authorization.k8s.io/v1/clusterroles/admin',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin',
    ],
    ['/api/v1/pods', '/api/v1/pods'],
    ['healthz/ready', 'healthz/ready'],
    ['', ''],
  ])('reads %j as %j', (given, path) => {
    expect(canonicalPath(given)).toBe(path);
  });

  it('reconstructs a converted delete with apiGroup core as the legacy group', () => {
    const event = makeEvent('delete', 'core/v1/namespaces/x/services/web', {
      body: DELETE_OPTIONS,
      objectRef: {
        resource: 'services',
        namespace: 'x',
        name: 'web',
        apiGroup: 'core',
        apiVersion: 'v1',
      },
    });
    expect(reconstruct(event, 'delete', 'exact')).toMatchObject({
      command: 'kubectl delete services web -n x',
      notes: [],
    });
  });

  it('reconstructs a converted attach and keeps the query', () => {
    const event = makeEvent(
      'create',
      'core/v1/namespaces/x/pods/y/attach?container=app&stdin=true',
      {
        objectRef: {
          resource: 'pods',
          namespace: 'x',
          name: 'y',
          apiGroup: 'core',
          apiVersion: 'v1',
          subresource: 'attach',
        },
      },
    );
    expect(reconstruct(event, 'attach', 'exact').command).toBe('kubectl attach -i y -c app -n x');
    expect(viewOf(event).uri).toBe('/api/v1/namespaces/x/pods/y/attach?container=app&stdin=true');
  });

  it('gives get --raw the URI the apiserver received', () => {
    const event = makeEvent('get', 'metrics.k8s.io/v1beta1?timeout=32s');
    expect(reconstruct(event, 'get-raw', 'exact').command).toBe(
      "kubectl get --raw '/apis/metrics.k8s.io/v1beta1?timeout=32s'",
    );
  });
});
