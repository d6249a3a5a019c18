import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI =
  '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers?fieldManager=kubectl-autoscale';

describe('autoscale recognizer', () => {
  it('rebuilds min, max and cpu percent from an autoscaling/v2 body', () => {
    const body = {
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
      },
    };
    expect(reconstruct(makeEvent('create', URI, { body }), 'autoscale', 'exact').command).toBe(
      'kubectl autoscale deployment/web --min=2 --max=10 --cpu-percent=80 -n shop',
    );
  });

  it('adds --name when the autoscaler is not named after its target (v1 body)', () => {
    const body = {
      metadata: { name: 'web-hpa' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        maxReplicas: 4,
        targetCPUUtilizationPercentage: 60,
      },
    };
    const event = makeEvent(
      'create',
      '/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers?fieldManager=kubectl-autoscale',
      { body },
    );
    expect(reconstruct(event, 'autoscale', 'exact').command).toBe(
      'kubectl autoscale deployment/web --max=4 --cpu-percent=60 --name=web-hpa -n shop',
    );
  });
});
