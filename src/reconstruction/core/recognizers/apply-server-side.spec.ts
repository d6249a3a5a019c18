import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const MANIFEST = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop', managedFields: [{ manager: 'kubectl' }] },
  data: { mode: 'fast' },
};

describe('apply-server-side recognizer', () => {
  it('rebuilds apply --server-side with --force-conflicts and the manifest in a heredoc', () => {
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/configmaps/settings?fieldManager=kubectl&fieldValidation=Strict&force=true',
      { body: MANIFEST },
    );
    const result = reconstruct(event, 'apply-server-side', 'exact');
    expect(result.command).toBe(
      "kubectl apply --server-side --force-conflicts -n shop -f - <<'EOF'\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: fast\nEOF",
    );
    expect(result.notes.join(' ')).toContain('metadata.managedFields');
  });

  it('adds a non-default field manager, --dry-run=server and --validate', () => {
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/configmaps/settings?dryRun=All&fieldManager=ci-bot&fieldValidation=Warn&force=false',
      { body: MANIFEST },
    );
    expect(reconstruct(event, 'apply-server-side', 'exact').command.split('\n')[0]).toBe(
      "kubectl apply --server-side --field-manager=ci-bot --validate=warn --dry-run=server -n shop -f - <<'EOF'",
    );
  });

  it('is equivalent when Argo CD or Helm sent it', () => {
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/configmaps/settings?fieldManager=argocd-controller&force=true',
      {
        body: MANIFEST,
        userAgent: 'argocd-application-controller/v2.11.0 (linux/amd64)',
      },
    );
    const result = reconstruct(event, 'apply-server-side', 'equivalent');
    expect(result.notes[0]).toContain('Argo CD application controller');
    expect(result.command).toContain('--field-manager=argocd-controller');
  });

  it('marks the manifest at Metadata level', () => {
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/configmaps/settings?fieldManager=kubectl&fieldValidation=Strict&force=false',
    );
    expect(reconstruct(event, 'apply-server-side', 'partial').command).toBe(
      "kubectl apply --server-side -n shop -f '<manifest.yaml>'",
    );
  });
});
