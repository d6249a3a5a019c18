import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('get recognizer', () => {
  it('rebuilds get of one object', () => {
    expect(
      reconstruct(makeEvent('get', '/apis/apps/v1/namespaces/shop/deployments/web'), 'get', 'exact')
        .command,
    ).toBe('kubectl get deployments web -n shop');
  });

  it('keeps --subresource and names old API versions in full', () => {
    expect(
      reconstruct(
        makeEvent('get', '/apis/apps/v1/namespaces/shop/deployments/web/status'),
        'get',
        'exact',
      ).command,
    ).toBe('kubectl get deployments web --subresource=status -n shop');
    expect(
      reconstruct(
        makeEvent('get', '/apis/extensions/v1beta1/namespaces/shop/deployments/web'),
        'get',
        'exact',
      ).command,
    ).toBe('kubectl get deployments.v1beta1.extensions web -n shop');
  });
});
