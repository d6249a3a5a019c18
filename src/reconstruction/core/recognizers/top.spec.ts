import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('top recognizer', () => {
  it('rebuilds top pod with a selector', () => {
    const event = makeEvent(
      'list',
      '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dweb',
    );
    expect(reconstruct(event, 'top', 'exact').command).toBe('kubectl top pod -l app=web -n shop');
  });

  it('rebuilds top pod -A and top node', () => {
    expect(
      reconstruct(makeEvent('list', '/apis/metrics.k8s.io/v1beta1/pods'), 'top', 'exact').command,
    ).toBe('kubectl top pod -A');
    expect(
      reconstruct(makeEvent('list', '/apis/metrics.k8s.io/v1beta1/nodes'), 'top', 'exact').command,
    ).toBe('kubectl top node');
  });
});
