import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

describe('apply-client-side recognizer', () => {
  it('recovers the applied manifest from the last-applied annotation of the patch', () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 2 },
    };
    const body = {
      metadata: { annotations: { [LAST]: JSON.stringify(manifest) } },
      spec: { replicas: 2 },
    };
    const event = makeEvent(
      'patch',
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
      { body },
    );
    const result = reconstruct(event, 'apply-client-side', 'exact');
    expect(result.command).toBe(
      "kubectl apply -n shop -f - <<'EOF'\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\nEOF",
    );
  });

  it('never prints Secret data from the last-applied annotation', () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { password: 'aHVudGVyMg==' },
      stringData: { token: 'plain' },
    };
    const body = {
      metadata: { annotations: { [LAST]: JSON.stringify(manifest) } },
      data: { password: 'aHVudGVyMg==' },
    };
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/secrets/db?fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
      { body },
    );
    const result = reconstruct(event, 'apply-client-side', 'partial');
    expect(result.command).not.toMatch(/aHVudGVyMg|plain/);
    expect(result.command).toContain('password: "<redacted>"');
    expect(result.notes.join(' ')).toContain('<redacted>');
  });

  it('shows the created object for a first apply and keeps --dry-run=server', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'team-a',
        annotations: {
          [LAST]: '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}',
        },
      },
    };
    const event = makeEvent(
      'create',
      '/api/v1/namespaces?dryRun=All&fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
      { body },
    );
    const result = reconstruct(event, 'apply-client-side', 'exact');
    expect(result.command).toBe(
      "kubectl apply --dry-run=server -f - <<'EOF'\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\nEOF",
    );
    expect(result.notes.join(' ')).toContain('kubectl diff');
  });
});
