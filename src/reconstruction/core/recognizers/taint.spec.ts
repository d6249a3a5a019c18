import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/api/v1/nodes/worker-2?fieldManager=kubectl-taint&fieldValidation=Strict';

describe('taint recognizer', () => {
  it('re-applies the taint list the patch holds', () => {
    const body = {
      spec: {
        taints: [
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
          { key: 'maintenance', effect: 'NoExecute' },
        ],
      },
    };
    const result = reconstruct(makeEvent('patch', URI, { body }), 'taint', 'partial');
    expect(result.command).toBe(
      'kubectl taint nodes worker-2 dedicated=gpu:NoSchedule maintenance:NoExecute --overwrite',
    );
    expect(result.notes.join(' ')).toContain('whole taint list');
  });

  it('marks removed keys when the list became empty', () => {
    const result = reconstruct(
      makeEvent('patch', URI, { body: { spec: { taints: null } } }),
      'taint',
      'partial',
    );
    expect(result.command).toBe("kubectl taint nodes worker-2 '<key>-'");
  });

  it('adds --validate=false when the request skipped validation', () => {
    const event = makeEvent(
      'patch',
      '/api/v1/nodes/worker-2?fieldManager=kubectl-taint&fieldValidation=Ignore',
      { body: { spec: { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }] } } },
    );
    expect(reconstruct(event, 'taint', 'partial').command).toBe(
      'kubectl taint nodes worker-2 a=b:NoSchedule --overwrite --validate=false',
    );
  });
});
