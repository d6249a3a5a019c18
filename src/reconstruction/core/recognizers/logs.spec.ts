import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';
import { duration } from './logs';

describe('logs recognizer', () => {
  it('turns every log parameter back into its flag', () => {
    const event = makeEvent(
      'get',
      '/api/v1/namespaces/shop/pods/api-0/log?container=api&follow=true&limitBytes=1024&previous=true&sinceSeconds=300&tailLines=50&timestamps=true',
    );
    expect(reconstruct(event, 'logs', 'exact').command).toBe(
      'kubectl logs api-0 -c api -f --tail=50 --since=5m --timestamps --previous --limit-bytes=1024 -n shop',
    );
  });

  it('keeps --since-time as sent', () => {
    const event = makeEvent(
      'get',
      '/api/v1/namespaces/shop/pods/api-0/log?container=api&sinceTime=2026-11-25T09%3A00%3A00Z',
    );
    expect(reconstruct(event, 'logs', 'exact').command).toBe(
      'kubectl logs api-0 -c api --since-time=2026-11-25T09:00:00Z -n shop',
    );
  });

  it('writes durations the way kubectl parses them back to the same seconds', () => {
    expect([duration(7200), duration(120), duration(90), duration(0)]).toEqual([
      '2h',
      '2m',
      '90s',
      '0s',
    ]);
  });
});
