import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-rollout';
const RESTART = {
  spec: {
    template: {
      metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-25T10:00:00Z' } },
    },
  },
};

describe('rollout-restart recognizer', () => {
  it('recognizes the restartedAt patch', () => {
    const result = reconstruct(
      makeEvent('patch', URI, { body: RESTART }),
      'rollout-restart',
      'exact',
    );
    expect(result.command).toBe('kubectl rollout restart deployments/web -n shop');
    expect(result.notes.join(' ')).toContain('2026-11-25T10:00:00Z');
  });

  it('cannot tell restart from pause or resume without the body', () => {
    const result = reconstruct(makeEvent('patch', URI), 'rollout-restart', 'partial');
    expect(result.command).toBe("kubectl rollout '<restart|pause|resume>' deployments/web -n shop");
  });

  it('leaves a kubectl patch that sets the same annotation to patch', () => {
    const event = makeEvent(
      'patch',
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-patch',
      { body: RESTART },
    );
    reconstruct(event, 'patch', 'equivalent');
  });
});
