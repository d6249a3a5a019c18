import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('auth-whoami recognizer', () => {
  it('recognizes a SelfSubjectReview', () => {
    const event = makeEvent('create', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { kind: 'SelfSubjectReview' },
    });
    expect(reconstruct(event, 'auth-whoami', 'exact').command).toBe('kubectl auth whoami');
  });

  it('adds --as for an impersonated whoami', () => {
    const event = makeEvent('create', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      impersonatedUser: { username: 'dave', groups: ['devs', 'system:authenticated'] },
    });
    expect(reconstruct(event, 'auth-whoami', 'exact').command).toBe(
      'kubectl auth whoami --as=dave --as-group=devs',
    );
  });
});
