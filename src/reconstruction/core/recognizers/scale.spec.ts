import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/apis/apps/v1/namespaces/shop/deployments/web/scale';

describe('scale recognizer', () => {
  it('reads the replica count from the merge patch', () => {
    const event = makeEvent('patch', URI, { body: { spec: { replicas: 3 } } });
    expect(reconstruct(event, 'scale', 'exact').command).toBe(
      'kubectl scale deployments/web --replicas=3 -n shop',
    );
  });

  it('adds --resource-version for the PUT form', () => {
    const event = makeEvent('update', URI, {
      body: {
        kind: 'Scale',
        metadata: { name: 'web', resourceVersion: '4711' },
        spec: { replicas: 0 },
      },
    });
    expect(reconstruct(event, 'scale', 'exact').command).toBe(
      'kubectl scale deployments/web --replicas=0 --resource-version=4711 -n shop',
    );
  });

  it('names custom resources by plural.version.group and marks an unknown count', () => {
    const event = makeEvent('patch', '/apis/example.com/v1alpha1/namespaces/shop/widgets/w1/scale');
    expect(reconstruct(event, 'scale', 'partial').command).toBe(
      "kubectl scale widgets.v1alpha1.example.com/w1 '--replicas=<count>' -n shop",
    );
  });
});

describe('scale recognizer, other commands on the scale subresource', () => {
  it('leaves kubectl patch --subresource=scale to patch', () => {
    const event = makeEvent('patch', `${URI}?fieldManager=kubectl-patch`, {
      body: { spec: { replicas: 5 } },
    });
    expect(reconstruct(event, 'patch', 'equivalent').command).toBe(
      'kubectl patch deployments web --subresource=scale --type=strategic -p \'{"spec":{"replicas":5}}\' -n shop',
    );
  });

  // Issue 11: an export whose objectRef had no name gave `kubectl scale 'deployments/<name>'`,
  // claimed exact. The request URI names the Deployment.
  it('takes the name from the request URI when the objectRef has none', () => {
    const event = makeEvent('patch', '/apis/apps/v1/namespaces/test/deployments/test/scale', {
      objectRef: {
        resource: 'deployments',
        namespace: 'test',
        apiGroup: 'apps',
        apiVersion: 'v1',
        subresource: 'scale',
      },
      body: { spec: { replicas: 3 } },
    });
    expect(reconstruct(event, 'scale', 'exact')).toMatchObject({
      command: 'kubectl scale deployments/test --replicas=3 -n test',
      notes: ['the objectRef has no name `test`; taken from the request URI'],
    });
  });
});
