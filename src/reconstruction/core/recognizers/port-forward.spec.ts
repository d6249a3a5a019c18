import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('port-forward recognizer', () => {
  it('marks the ports, which are not in the event', () => {
    const event = makeEvent('get', '/api/v1/namespaces/default/pods/db-0/portforward');
    const result = reconstruct(event, 'port-forward', 'partial');
    expect(result.command).toBe(
      "kubectl port-forward pods/db-0 '<local-port>:<remote-port>' -n default",
    );
    expect(result.notes[0]).toMatch(/ports/);
  });
});
