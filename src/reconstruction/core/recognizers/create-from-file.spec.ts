import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const Q = '?fieldManager=kubectl-create&fieldValidation=Strict';

describe('create-from-file recognizer', () => {
  it('puts the object in a heredoc without server-set fields', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        uid: 'u-1',
        resourceVersion: '5',
        selfLink: '/x',
        creationTimestamp: '2026-01-01T00:00:00Z',
        generation: 3,
        managedFields: [],
      },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
      status: { phase: 'Running' },
    };
    const result = reconstruct(
      makeEvent('create', `/api/v1/namespaces/shop/pods${Q}`, { body }),
      'create-from-file',
      'exact',
    );
    expect(result.command).toBe(
      "kubectl create -n shop -f - <<'EOF'\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx\nEOF",
    );
    expect(result.notes.join(' ')).toBe(
      'server-set fields left out of the object: metadata.uid, metadata.resourceVersion, metadata.selfLink, metadata.creationTimestamp, metadata.generation, status',
    );
  });

  it('picks a heredoc delimiter the content cannot close', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'evil', labels: { app: 'x' } },
      data: { script: "EOF\nrm -rf /\nEOF_1\n'EOF'" },
    };
    const { command } = reconstruct(
      makeEvent('create', `/api/v1/namespaces/shop/configmaps${Q}`, { body }),
      'create-from-file',
      'exact',
    );
    const delimiter = /<<'([^']+)'/.exec(command)![1];
    const lines = command.split('\n');
    expect(delimiter).toBe('EOF_2');
    expect(lines.filter((line) => line === delimiter)).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe(delimiter);
  });

  it('truncates very large objects and says so', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', labels: { app: 'x' } },
      data: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'x'.repeat(60)])),
    };
    const result = reconstruct(
      makeEvent('create', `/api/v1/namespaces/shop/configmaps${Q}`, { body }),
      'create-from-file',
      'partial',
    );
    expect(result.command.length).toBeLessThan(70 * 1024);
    expect(result.command).toMatch(/# <truncated: \d+ more bytes>\nEOF$/);
  });

  it('is equivalent for a controller and names it', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'web-7d9f-' },
      spec: { containers: [] },
    };
    const event = makeEvent('create', '/api/v1/namespaces/shop/pods', {
      body,
      user: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      userAgent:
        'kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:replicaset-controller',
    });
    const result = reconstruct(event, 'create-from-file', 'equivalent');
    expect(result.notes[0]).toContain('kube-controller-manager (replicaset-controller)');
  });

  it('marks the manifest when the body was not recorded', () => {
    const result = reconstruct(
      makeEvent('create', `/api/v1/namespaces/shop/secrets${Q}`, {
        objectRef: { resource: 'secrets', namespace: 'shop', name: 'db', apiVersion: 'v1' },
      }),
      'create-from-file',
      'partial',
    );
    expect(result.command).toBe("kubectl create -n shop -f '<manifest.yaml>'");
    expect(result.notes.join(' ')).toContain('Secret db');
  });
});
