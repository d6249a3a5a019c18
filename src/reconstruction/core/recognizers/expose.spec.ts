import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('expose recognizer', () => {
  it('rebuilds the service flags and marks the exposed object', () => {
    const body = {
      kind: 'Service',
      metadata: { name: 'web' },
      spec: {
        ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
        selector: { app: 'web' },
        type: 'NodePort',
      },
    };
    const event = makeEvent(
      'create',
      '/api/v1/namespaces/shop/services?fieldManager=kubectl-expose',
      { body },
    );
    const result = reconstruct(event, 'expose', 'partial');
    expect(result.command).toBe(
      "kubectl expose '<type>/<name>' --port=80 --target-port=8080 --type=NodePort --name=web -n shop",
    );
  });
});
