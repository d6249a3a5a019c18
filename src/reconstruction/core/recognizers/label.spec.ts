import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/api/v1/namespaces/shop/pods/web-1?fieldManager=kubectl-label';

describe('label recognizer', () => {
  it('turns set and removed labels into k=v and k-', () => {
    const body = { metadata: { labels: { tier: 'frontend', 'app.kubernetes.io/version': null } } };
    expect(reconstruct(makeEvent('patch', URI, { body }), 'label', 'exact').command).toBe(
      'kubectl label pods web-1 tier=frontend app.kubernetes.io/version- --overwrite -n shop',
    );
  });

  it('adds --resource-version and quotes hostile values', () => {
    const body = { metadata: { labels: { note: "x'; reboot; '" }, resourceVersion: '99' } };
    expect(reconstruct(makeEvent('patch', URI, { body }), 'label', 'exact').command).toBe(
      "kubectl label pods web-1 'note=x'\\''; reboot; '\\''' --overwrite --resource-version=99 -n shop",
    );
  });

  it('marks the labels at Metadata level', () => {
    expect(reconstruct(makeEvent('patch', URI), 'label', 'partial').command).toBe(
      "kubectl label pods web-1 '<key>=<value>' -n shop",
    );
  });
});
