import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('describe-events recognizer', () => {
  it('turns the involvedObject events list into kubectl describe', () => {
    const selector = encodeURIComponent(
      'involvedObject.name=web-1,involvedObject.namespace=shop,involvedObject.kind=Pod,involvedObject.uid=0b1c',
    );
    const event = makeEvent(
      'list',
      `/api/v1/namespaces/shop/events?fieldSelector=${selector}&limit=500`,
    );
    expect(reconstruct(event, 'describe-events', 'exact').command).toBe(
      'kubectl describe pod web-1 -n shop',
    );
  });

  it('leaves other event lists to list', () => {
    const event = makeEvent(
      'list',
      '/api/v1/namespaces/shop/events?fieldSelector=type%3DWarning&limit=500',
    );
    expect(reconstruct(event, 'list', 'exact').command).toBe(
      'kubectl get events -n shop --field-selector=type=Warning',
    );
  });
});
