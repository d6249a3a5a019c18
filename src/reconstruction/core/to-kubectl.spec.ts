import { finalise, placeholdersIn } from './to-kubectl';
import { makeEvent } from './testing/make-event';

describe('finalise: the one place a claim is settled', () => {
  const event = makeEvent('patch', '/apis/apps/v1/namespaces/shop/deployments/web');

  it.each(['exact', 'equivalent'] as const)(
    'lowers %s to partial when the command has a placeholder, naming it',
    (fidelity) => {
      const built = { command: "kubectl scale 'deployments/<name>' -n shop", fidelity, notes: [] };
      expect(finalise(event, built, 'scale')).toEqual({
        command: built.command,
        fidelity: 'partial',
        notes: ['the command has placeholders to fill in: <name>'],
        recognizer: 'scale',
      });
    },
  );

  it('leaves partial and none as they are, and exact without placeholders exact', () => {
    const partial = {
      command: "kubectl drain '<node>'",
      fidelity: 'partial' as const,
      notes: ['x'],
    };
    expect(finalise(event, partial, 'drain')).toMatchObject({ fidelity: 'partial', notes: ['x'] });
    const exact = {
      command: 'kubectl get deployments web -n shop',
      fidelity: 'exact' as const,
      notes: [],
    };
    expect(finalise(event, exact, 'get')).toMatchObject({ fidelity: 'exact', notes: [] });
  });

  it('reads placeholders on the command line, not in the recorded object of a heredoc', () => {
    expect(placeholdersIn("kubectl apply -f '<manifest.yaml>' -n a")).toEqual(['manifest.yaml']);
    expect(placeholdersIn("kubectl create -f - <<'EOF'\ndata:\n  page: <html>\nEOF")).toEqual([]);
  });

  it('lowers a claim to partial when a converted export dropped the query string', () => {
    const converted = {
      ...makeEvent('list', '/api/v1/namespaces/kube-system/secrets'),
      annotations: {
        'k8s-audit-webhook/converted-from': 'gke-cloud-logging',
        'k8s-audit-webhook/missing': 'user.groups,request-query,stage-timing',
      },
    };
    const built = {
      command: 'kubectl get secrets -n kube-system --chunk-size=0',
      fidelity: 'exact' as const,
      notes: [],
    };
    expect(finalise(converted, built, 'get')).toMatchObject({
      fidelity: 'partial',
      notes: [
        "the gke-cloud-logging export did not keep the request's query string: flags that come from it are not known",
      ],
    });
    const kept = { ...converted, annotations: { 'k8s-audit-webhook/missing': 'user.groups' } };
    expect(finalise(kept, built, 'get')).toMatchObject({ fidelity: 'exact' });
  });
});
