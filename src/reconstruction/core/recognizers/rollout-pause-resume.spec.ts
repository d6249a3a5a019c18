import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-rollout';

describe('rollout-pause-resume recognizer', () => {
  it('pauses on paused:true and resumes on paused:null', () => {
    expect(
      reconstruct(
        makeEvent('patch', URI, { body: { spec: { paused: true } } }),
        'rollout-pause-resume',
        'exact',
      ).command,
    ).toBe('kubectl rollout pause deployments/web -n shop');
    expect(
      reconstruct(
        makeEvent('patch', URI, { body: { spec: { paused: null } } }),
        'rollout-pause-resume',
        'exact',
      ).command,
    ).toBe('kubectl rollout resume deployments/web -n shop');
  });

  it('does not claim a patch that changes more than paused', () => {
    const event = makeEvent('patch', URI, { body: { spec: { paused: true, replicas: 2 } } });
    expect(reconstruct(event, 'patch', 'equivalent').command).toContain(
      '--field-manager=kubectl-rollout',
    );
  });
});
