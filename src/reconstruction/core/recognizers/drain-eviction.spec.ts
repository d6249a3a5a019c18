import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('drain-eviction recognizer', () => {
  it('shows drain with the grace period, and says the node is unknown', () => {
    const body = {
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: 'web-1', namespace: 'prod' },
      deleteOptions: { gracePeriodSeconds: 30 },
    };
    const event = makeEvent('create', '/api/v1/namespaces/prod/pods/web-1/eviction', { body });
    const result = reconstruct(event, 'drain-eviction', 'partial');
    expect(result.command).toBe("kubectl drain '<node>' --grace-period=30");
    expect(result.notes[0]).toContain('prod/web-1');
  });

  it('keeps a server dry run', () => {
    const body = { kind: 'Eviction', apiVersion: 'policy/v1', deleteOptions: { dryRun: ['All'] } };
    const event = makeEvent('create', '/api/v1/namespaces/prod/pods/web-1/eviction', { body });
    expect(reconstruct(event, 'drain-eviction', 'partial').command).toBe(
      "kubectl drain '<node>' --dry-run=server",
    );
  });
});
