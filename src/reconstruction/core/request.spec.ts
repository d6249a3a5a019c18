import { parsePath, viewOf } from './request';
import { makeEvent } from './testing/make-event';

describe('parsePath', () => {
  it.each([
    [
      '/api/v1/namespaces/default/pods/web-1/exec',
      {
        group: '',
        version: 'v1',
        namespace: 'default',
        resource: 'pods',
        name: 'web-1',
        subresource: 'exec',
      },
    ],
    [
      '/apis/apps/v1/namespaces/shop/deployments',
      {
        group: 'apps',
        version: 'v1',
        namespace: 'shop',
        resource: 'deployments',
        name: '',
        subresource: '',
      },
    ],
    [
      '/api/v1/namespaces/foo',
      { namespace: 'foo', resource: 'namespaces', name: 'foo', subresource: '' },
    ],
    [
      '/api/v1/namespaces/foo/finalize',
      { namespace: 'foo', resource: 'namespaces', name: 'foo', subresource: 'finalize' },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aaggregate',
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'system:aggregate' },
    ],
    ['/api/v1/watch/namespaces/a/pods', { resource: 'pods', namespace: 'a', watchPrefix: true }],
  ])('reads %s', (path, expected) => {
    expect(parsePath(path)).toMatchObject({ isResource: true, ...expected });
  });

  it.each(['/healthz', '/api', '/apis/apps/v1', '/openapi/v3', '/api/v1'])(
    'treats %s as non-resource',
    (path) => {
      expect(parsePath(path).isResource).toBe(false);
    },
  );
});

describe('viewOf', () => {
  it('prefers objectRef, takes a create name from the body and reuses the last view', () => {
    const event = makeEvent(
      'create',
      '/api/v1/namespaces/dev/configmaps?fieldManager=kubectl-create&dryRun=All',
      {
        objectRef: { resource: 'configmaps', namespace: 'dev', apiVersion: 'v1' },
        body: { metadata: { name: 'from-body' } },
      },
    );
    const view = viewOf(event);
    expect(view).toMatchObject({
      name: 'from-body',
      namespace: 'dev',
      fieldManager: 'kubectl-create',
      dryRun: true,
    });
    expect(viewOf(event)).toBe(view);
    const other = makeEvent('get', '/api/v1/namespaces/x/pods/p');
    expect(viewOf(other).namespace).toBe('x');
    expect(viewOf(event).namespace).toBe('dev');
  });

  it('survives a malformed URI escape', () => {
    expect(viewOf(makeEvent('get', '/api/v1/namespaces/%E0%A4%A/pods/x')).namespace).toBe(
      '%E0%A4%A',
    );
  });
});
