import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const Q = '?fieldManager=kubectl-create&fieldValidation=Strict';

describe('create-generator recognizer', () => {
  it('rebuilds create namespace and create serviceaccount', () => {
    const ns = {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: {},
      status: {},
    };
    expect(
      reconstruct(
        makeEvent('create', `/api/v1/namespaces${Q}`, { body: ns }),
        'create-generator',
        'exact',
      ).command,
    ).toBe('kubectl create namespace team-a');
    const sa = {
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'ci', namespace: 'dev', creationTimestamp: null },
    };
    expect(
      reconstruct(
        makeEvent('create', `/api/v1/namespaces/dev/serviceaccounts${Q}`, { body: sa }),
        'create-generator',
        'exact',
      ).command,
    ).toBe('kubectl create serviceaccount ci -n dev');
  });

  it('rebuilds create configmap --from-literal', () => {
    const body = {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cfg', creationTimestamp: null },
      data: { mode: 'fast', 'greeting.txt': 'hello world' },
    };
    expect(
      reconstruct(
        makeEvent('create', `/api/v1/namespaces/dev/configmaps${Q}`, { body }),
        'create-generator',
        'exact',
      ).command,
    ).toBe(
      "kubectl create configmap cfg --from-literal=mode=fast '--from-literal=greeting.txt=hello world' -n dev",
    );
  });

  it('rebuilds create secret generic without its values', () => {
    const body = {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'db', creationTimestamp: null },
      data: { password: 'aHVudGVyMg==' },
    };
    const result = reconstruct(
      makeEvent('create', `/api/v1/namespaces/dev/secrets${Q}`, { body }),
      'create-generator',
      'partial',
    );
    expect(result.command).toBe(
      "kubectl create secret generic db '--from-literal=password=<redacted>' -n dev",
    );
    expect(JSON.stringify(result)).not.toContain('aHVudGVyMg');
  });

  it('leaves objects with more than a generator sets to create -f', () => {
    const body = {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cfg', labels: { a: 'b' } },
      data: { mode: 'fast' },
    };
    reconstruct(
      makeEvent('create', `/api/v1/namespaces/dev/configmaps${Q}`, { body }),
      'create-from-file',
      'exact',
    );
  });

  it('does not trust a kind named like an Object.prototype member', () => {
    const body = { kind: 'constructor', apiVersion: 'v1', metadata: { name: 'x' } };
    reconstruct(
      makeEvent('create', `/apis/example.com/v1/namespaces/dev/things${Q}`, { body }),
      'create-from-file',
      'exact',
    );
  });
});
