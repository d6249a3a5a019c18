import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('raw-fallback recognizer', () => {
  it('posts a subresource body with create --raw', () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web-1' },
      target: { kind: 'Node', name: 'worker-2' },
    };
    const event = makeEvent('create', '/api/v1/namespaces/shop/pods/web-1/binding', {
      body,
      user: { username: 'system:kube-scheduler' },
      userAgent: 'kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler',
    });
    const result = reconstruct(event, 'raw-fallback', 'equivalent');
    expect(result.command.split('\n')[0]).toBe(
      "kubectl create --raw /api/v1/namespaces/shop/pods/web-1/binding -f - <<'EOF'",
    );
    expect(JSON.parse(result.command.split('\n').slice(1, -1).join('\n'))).toEqual(body);
  });

  it('marks a non-resource POST body, which is never audited', () => {
    const result = reconstruct(
      makeEvent('post', '/apis/custom.metrics/v1/query'),
      'raw-fallback',
      'partial',
    );
    expect(result.command).toBe(
      "kubectl create --raw /apis/custom.metrics/v1/query -f '<body.json>'",
    );
  });

  it('gives up on methods kubectl cannot send', () => {
    const result = reconstruct(makeEvent('options', '/version'), 'raw-fallback', 'none');
    expect(result.command).toBe('# OPTIONS /version');
  });
});
