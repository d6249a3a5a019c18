import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('get-raw recognizer', () => {
  it('rebuilds non-resource GETs with their query', () => {
    expect(reconstruct(makeEvent('get', '/healthz'), 'get-raw', 'exact').command).toBe(
      'kubectl get --raw /healthz',
    );
    const result = reconstruct(makeEvent('get', '/apis/apps/v1?timeout=32s'), 'get-raw', 'exact');
    expect(result.command).toBe("kubectl get --raw '/apis/apps/v1?timeout=32s'");
    expect(result.notes[0]).toContain('discovery');
  });

  it('says HEAD cannot be sent by kubectl', () => {
    expect(reconstruct(makeEvent('head', '/livez'), 'get-raw', 'none').command).toBe(
      'kubectl get --raw /livez',
    );
  });
});
