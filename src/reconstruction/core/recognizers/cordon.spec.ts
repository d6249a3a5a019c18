import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const NODE = '/api/v1/nodes/worker-2';

describe('cordon recognizer', () => {
  it('tells cordon from uncordon by the unschedulable value', () => {
    expect(
      reconstruct(
        makeEvent('patch', NODE, { body: { spec: { unschedulable: true } } }),
        'cordon',
        'exact',
      ).command,
    ).toBe('kubectl cordon worker-2');
    expect(
      reconstruct(
        makeEvent('patch', NODE, { body: { spec: { unschedulable: null } } }),
        'cordon',
        'exact',
      ).command,
    ).toBe('kubectl uncordon worker-2');
  });

  it('marks the direction for a Metadata-level kubectl patch of a node', () => {
    expect(reconstruct(makeEvent('patch', NODE), 'cordon', 'partial').command).toBe(
      "kubectl '<cordon|uncordon>' worker-2",
    );
  });

  it('keeps --dry-run=server', () => {
    const event = makeEvent('patch', `${NODE}?dryRun=All`, {
      body: { spec: { unschedulable: true } },
    });
    expect(reconstruct(event, 'cordon', 'exact').command).toBe(
      'kubectl cordon worker-2 --dry-run=server',
    );
  });
});
