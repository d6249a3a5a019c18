import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('annotate recognizer', () => {
  it('rebuilds annotate on a cluster-scoped object', () => {
    const body = { metadata: { annotations: { owner: 'team-a', obsolete: null } } };
    const event = makeEvent('patch', '/api/v1/nodes/worker-2?fieldManager=kubectl-annotate', {
      body,
    });
    expect(reconstruct(event, 'annotate', 'exact').command).toBe(
      'kubectl annotate nodes worker-2 owner=team-a obsolete- --overwrite',
    );
  });

  it('hides the last-applied copy of a Secret', () => {
    const lastApplied = JSON.stringify({ kind: 'Secret', data: { password: 'aHVudGVyMg==' } });
    const body = {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
      },
    };
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/secrets/db?fieldManager=kubectl-annotate',
      { body },
    );
    const result = reconstruct(event, 'annotate', 'partial');
    expect(result.command).toBe(
      "kubectl annotate secrets db 'kubectl.kubernetes.io/last-applied-configuration=<redacted>' --overwrite -n shop",
    );
    expect(result.command).not.toContain('aHVudGVyMg');
  });
});
