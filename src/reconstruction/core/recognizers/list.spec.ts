import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('list recognizer', () => {
  it('treats limit=500 as kubectl default and keeps selectors', () => {
    const event = makeEvent(
      'list',
      '/api/v1/namespaces/shop/pods?fieldSelector=status.phase%3DRunning&labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=500',
    );
    expect(reconstruct(event, 'list', 'exact').command).toBe(
      "kubectl get pods -n shop -l 'app=web,tier!=db' --field-selector=status.phase=Running",
    );
  });

  it('adds --chunk-size=0 without a limit and -A without a namespace', () => {
    expect(reconstruct(makeEvent('list', '/api/v1/secrets'), 'list', 'exact').command).toBe(
      'kubectl get secrets -A --chunk-size=0',
    );
    expect(reconstruct(makeEvent('list', '/api/v1/nodes?limit=50'), 'list', 'exact').command).toBe(
      'kubectl get nodes --chunk-size=50',
    );
  });

  it('adds -o yaml when the response held objects rather than a Table', () => {
    const event = makeEvent('list', '/api/v1/namespaces/shop/configmaps?limit=500', {
      responseObject: { kind: 'ConfigMapList', items: [] },
      level: 'RequestResponse',
    });
    expect(reconstruct(event, 'list', 'exact').command).toBe(
      'kubectl get configmaps -n shop -o yaml',
    );
    const table = makeEvent('list', '/api/v1/namespaces/shop/configmaps?limit=500', {
      responseObject: { kind: 'Table', rows: [] },
      level: 'RequestResponse',
    });
    expect(reconstruct(table, 'list', 'exact').command).toBe('kubectl get configmaps -n shop');
  });

  it('adds --as and --as-group for impersonation, leaving out implied groups', () => {
    const event = makeEvent('list', '/api/v1/namespaces/default/pods?limit=500', {
      user: { username: 'carol', groups: ['admins'] },
      impersonatedUser: {
        username: 'system:serviceaccount:ci:deployer',
        groups: [
          'system:serviceaccounts',
          'system:serviceaccounts:ci',
          'system:authenticated',
          'release-team',
        ],
      },
    });
    expect(reconstruct(event, 'list', 'exact').command).toBe(
      'kubectl get pods -n default --as=system:serviceaccount:ci:deployer --as-group=release-team',
    );
  });
});
