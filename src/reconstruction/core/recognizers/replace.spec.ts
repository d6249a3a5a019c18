import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('replace recognizer', () => {
  it('keeps resourceVersion, which makes the PUT conditional', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'dev', resourceVersion: '812', uid: 'u' },
      data: { a: '1' },
    };
    const event = makeEvent(
      'update',
      '/api/v1/namespaces/dev/configmaps/cfg?fieldManager=kubectl-replace&fieldValidation=Strict',
      { body },
    );
    expect(reconstruct(event, 'replace', 'exact').command).toBe(
      'kubectl replace -n dev -f - <<\'EOF\'\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: dev\n  resourceVersion: "812"\ndata:\n  a: "1"\nEOF',
    );
  });

  it('uses --subresource=status for a status update by a controller', () => {
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', resourceVersion: '9' },
      status: { replicas: 1 },
    };
    const event = makeEvent('update', '/apis/apps/v1/namespaces/shop/deployments/web/status', {
      body,
      userAgent:
        'kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:deployment-controller',
    });
    expect(reconstruct(event, 'replace', 'equivalent').command.split('\n')[0]).toBe(
      "kubectl replace --subresource=status -n shop -f - <<'EOF'",
    );
  });

  it('hides Secret data', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', resourceVersion: '1' },
      stringData: { token: 'abc123' },
    };
    const event = makeEvent(
      'update',
      '/api/v1/namespaces/dev/secrets/s?fieldManager=kubectl-replace&fieldValidation=Strict',
      { body },
    );
    const result = reconstruct(event, 'replace', 'partial');
    expect(result.command).toContain('token: "<redacted>"');
    expect(result.command).not.toContain('abc123');
  });
});
