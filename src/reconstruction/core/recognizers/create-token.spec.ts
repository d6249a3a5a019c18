import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/api/v1/namespaces/ci/serviceaccounts/deployer/token';

describe('create-token recognizer', () => {
  it('rebuilds audiences, duration and bound object, and never shows the issued token', () => {
    const body = {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      spec: {
        audiences: ['vault', 'https://kubernetes.default.svc'],
        expirationSeconds: 3600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'runner-1' },
      },
    };
    const responseObject = {
      kind: 'TokenRequest',
      status: {
        token: 'eyJhbGciOiJSUzI1NiJ9.payload.sig',
        expirationTimestamp: '2026-11-25T11:00:00Z',
      },
    };
    const event = makeEvent('create', URI, { body, responseObject, level: 'RequestResponse' });
    const result = reconstruct(event, 'create-token', 'exact');
    expect(result.command).toBe(
      'kubectl create token deployer --audience=vault --audience=https://kubernetes.default.svc --duration=3600s --bound-object-kind=Pod --bound-object-name=runner-1 -n ci',
    );
    expect(JSON.stringify(result)).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(result.notes.join(' ')).toContain('token in the response is never shown');
  });

  it('is partial at Metadata level', () => {
    expect(reconstruct(makeEvent('create', URI), 'create-token', 'partial').command).toBe(
      'kubectl create token deployer -n ci',
    );
  });
});
