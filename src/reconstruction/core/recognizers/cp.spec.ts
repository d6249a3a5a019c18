import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const EXEC = '/api/v1/namespaces/prod/pods/web-1/exec';

describe('cp recognizer', () => {
  it('reads a copy out of the pod from `tar cf - SRC`', () => {
    const event = makeEvent(
      'get',
      `${EXEC}?command=tar&command=cf&command=-&command=%2Fvar%2Flog%2Fapp.log&container=app&stderr=true&stdout=true`,
    );
    const result = reconstruct(event, 'cp', 'partial');
    expect(result.command).toBe("kubectl cp web-1:/var/log/app.log '<local-path>' -c app -n prod");
    expect(result.notes.join(' ')).toContain('local destination');
  });

  it('reads a copy into the pod from `tar -xmf - -C DIR`', () => {
    const event = makeEvent(
      'get',
      `${EXEC}?command=tar&command=--no-same-permissions&command=--no-same-owner&command=-xmf&command=-&command=-C&command=%2Ftmp&container=app&stdin=true&stdout=true&stderr=true`,
    );
    expect(reconstruct(event, 'cp', 'partial').command).toBe(
      "kubectl cp '<local-path>' 'web-1:/tmp/<name>' --no-preserve -c app -n prod",
    );
  });

  it('recognizes the --retries form that pipes through tail', () => {
    const event = makeEvent(
      'get',
      `${EXEC}?command=sh&command=-c&command=${encodeURIComponent("tar cf - '/data' | tail -c+1025")}&container=app&stderr=true&stdout=true`,
    );
    expect(reconstruct(event, 'cp', 'partial').command).toBe(
      "kubectl cp web-1:/data '<local-path>' -c app -n prod",
    );
  });

  it('leaves other tar invocations to exec', () => {
    const event = makeEvent(
      'get',
      `${EXEC}?command=tar&command=czf&command=%2Ftmp%2Fa.tgz&command=%2Fetc&stderr=true&stdout=true`,
    );
    reconstruct(event, 'exec', 'exact');
  });
});
