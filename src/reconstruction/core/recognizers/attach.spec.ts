import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('attach recognizer', () => {
  it('rebuilds kubectl attach with -i, -t and the container', () => {
    const event = makeEvent(
      'get',
      '/api/v1/namespaces/default/pods/web-1/attach?container=app&stdin=true&stdout=true&tty=true',
    );
    expect(reconstruct(event, 'attach', 'exact').command).toBe(
      'kubectl attach -i -t web-1 -c app -n default',
    );
  });

  it('uses the pod/NAME form when a name could pass for a flag', () => {
    const event = makeEvent(
      'create',
      '/api/v1/namespaces/default/pods/--all/attach?container=app&stderr=true&stdout=true',
    );
    expect(reconstruct(event, 'attach', 'exact').command).toBe(
      'kubectl attach pod/--all -c app -n default',
    );
  });
});
