import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-set';

function template(spec: object) {
  return { spec: { template: { spec } } };
}

describe('set recognizer', () => {
  it('rebuilds set image for several containers', () => {
    const body = template({
      containers: [
        { name: 'app', image: 'web:2' },
        { name: 'proxy', image: 'envoy:1.30' },
      ],
    });
    expect(reconstruct(makeEvent('patch', URI, { body }), 'set', 'exact').command).toBe(
      'kubectl set image deployments/web app=web:2 proxy=envoy:1.30 -n shop',
    );
  });

  it('rebuilds set env with removals and hides credential values', () => {
    const body = template({
      containers: [
        {
          name: 'app',
          env: [
            { name: 'MODE', value: 'fast' },
            { name: 'DB_PASSWORD', value: 'hunter2' },
            { name: 'OLD', $patch: 'delete' },
          ],
        },
      ],
    });
    const result = reconstruct(makeEvent('patch', URI, { body }), 'set', 'partial');
    expect(result.command).toBe(
      "kubectl set env deployments/web MODE=fast 'DB_PASSWORD=<redacted>' OLD- -c app -n shop",
    );
    expect(result.command).not.toContain('hunter2');
  });

  it('rebuilds set resources', () => {
    const body = template({
      containers: [
        {
          name: 'app',
          resources: { limits: { cpu: '200m', memory: '512Mi' }, requests: { cpu: '100m' } },
        },
      ],
    });
    expect(reconstruct(makeEvent('patch', URI, { body }), 'set', 'exact').command).toBe(
      'kubectl set resources deployments/web -c app --limits=cpu=200m,memory=512Mi --requests=cpu=100m -n shop',
    );
  });

  it('rebuilds set serviceaccount on a CronJob', () => {
    const body = {
      spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: 'runner' } } } } },
    };
    const event = makeEvent(
      'patch',
      '/apis/batch/v1/namespaces/ci/cronjobs/nightly?fieldManager=kubectl-set',
      { body },
    );
    expect(reconstruct(event, 'set', 'exact').command).toBe(
      'kubectl set serviceaccount cronjobs/nightly runner -n ci',
    );
  });

  it('marks the subcommand when the body was not recorded', () => {
    expect(reconstruct(makeEvent('patch', URI), 'set', 'partial').command).toBe(
      "kubectl set '<image|env|resources|serviceaccount|selector|subject>' deployments/web -n shop",
    );
  });
});
