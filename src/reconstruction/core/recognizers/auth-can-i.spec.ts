import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

function review(spec: object) {
  return makeEvent('create', SSAR, {
    body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec },
  });
}

describe('auth-can-i recognizer', () => {
  it('rebuilds a namespaced resource question with group, name and subresource', () => {
    const event = review({
      resourceAttributes: {
        namespace: 'prod',
        verb: 'create',
        group: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        name: 'web',
      },
    });
    expect(reconstruct(event, 'auth-can-i', 'exact').command).toBe(
      'kubectl auth can-i create deployments.apps/web --subresource=scale -n prod',
    );
  });

  it('uses -A when the question has no namespace', () => {
    const event = review({ resourceAttributes: { verb: 'list', resource: 'secrets' } });
    expect(reconstruct(event, 'auth-can-i', 'exact').command).toBe(
      'kubectl auth can-i list secrets -A',
    );
  });

  it('rebuilds a non-resource question', () => {
    const event = review({ nonResourceAttributes: { verb: 'get', path: '/logs/*' } });
    expect(reconstruct(event, 'auth-can-i', 'exact').command).toBe(
      "kubectl auth can-i get '/logs/*'",
    );
  });

  it('rebuilds --list from a rules review', () => {
    const event = makeEvent('create', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      body: { spec: { namespace: 'dev' } },
    });
    expect(reconstruct(event, 'auth-can-i', 'exact').command).toBe(
      'kubectl auth can-i --list -n dev',
    );
  });

  it('marks the question when the body was not recorded', () => {
    expect(reconstruct(makeEvent('create', SSAR), 'auth-can-i', 'partial').command).toBe(
      "kubectl auth can-i '<verb>' '<resource>'",
    );
  });
});
