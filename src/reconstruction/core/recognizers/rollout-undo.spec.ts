import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('rollout-undo recognizer', () => {
  it('recognizes the JSON patch kubectl sends for a Deployment', () => {
    const body = [
      {
        op: 'replace',
        path: '/spec/template',
        value: { spec: { containers: [{ name: 'app', image: 'web:1' }] } },
      },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: { 'deployment.kubernetes.io/revision': '3' },
      },
    ];
    const result = reconstruct(
      makeEvent('patch', '/apis/apps/v1/namespaces/shop/deployments/web', { body }),
      'rollout-undo',
      'partial',
    );
    expect(result.command).toBe('kubectl rollout undo deployments/web -n shop');
    expect(result.notes.join(' ')).toContain('--to-revision');
  });

  it('recognizes the $patch: replace form of DaemonSets', () => {
    const body = { spec: { template: { $patch: 'replace', spec: { containers: [] } } } };
    const result = reconstruct(
      makeEvent('patch', '/apis/apps/v1/namespaces/kube-system/daemonsets/agent', { body }),
      'rollout-undo',
      'partial',
    );
    expect(result.command).toBe('kubectl rollout undo daemonsets/agent -n kube-system');
  });

  it('leaves a user JSON patch with a fieldManager to patch', () => {
    const body = [{ op: 'replace', path: '/spec/template', value: {} }];
    const event = makeEvent(
      'patch',
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-patch',
      { body },
    );
    expect(reconstruct(event, 'patch', 'exact').command).toContain('--type=json');
  });
});
