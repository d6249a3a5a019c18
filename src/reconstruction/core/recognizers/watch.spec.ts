import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('watch recognizer', () => {
  it('turns a name field selector back into get NAME -w', () => {
    const event = makeEvent(
      'watch',
      '/api/v1/namespaces/shop/pods?fieldSelector=metadata.name%3Dweb-1&resourceVersion=0&watch=true',
    );
    expect(reconstruct(event, 'watch', 'exact').command).toBe('kubectl get pods web-1 -w -n shop');
  });

  it('keeps selectors and -A for a collection watch', () => {
    const event = makeEvent(
      'watch',
      '/apis/apps/v1/deployments?labelSelector=tier%3Dweb&resourceVersion=1200&watch=true',
    );
    const result = reconstruct(event, 'watch', 'exact');
    expect(result.command).toBe('kubectl get deployments -w -A -l tier=web');
    expect(result.notes.join(' ')).toContain('1200');
  });

  it('is equivalent for an informer and names the client', () => {
    const event = makeEvent(
      'watch',
      '/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=9&timeoutSeconds=371&watch=true',
      {
        userAgent: 'kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46',
      },
    );
    const result = reconstruct(event, 'watch', 'equivalent');
    expect(result.command).toBe('kubectl get nodes -w');
    expect(result.notes.join(' ')).toMatch(/kubelet.*informer/);
  });
});
