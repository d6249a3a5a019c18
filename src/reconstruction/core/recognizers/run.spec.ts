import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/api/v1/namespaces/dev/pods?fieldManager=kubectl-run';

describe('run recognizer', () => {
  it('rebuilds image, port, env, restart, -i -t and the command', () => {
    const body = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'tmp', creationTimestamp: null, labels: { run: 'tmp' } },
      spec: {
        containers: [
          {
            name: 'tmp',
            image: 'busybox',
            command: ['sh'],
            args: ['-c', 'echo hi'],
            env: [{ name: 'A', value: '1' }],
            ports: [{ containerPort: 8080 }],
            resources: {},
            stdin: true,
            stdinOnce: true,
            tty: true,
          },
        ],
        restartPolicy: 'Never',
        dnsPolicy: 'ClusterFirst',
      },
      status: {},
    };
    const result = reconstruct(makeEvent('create', URI, { body }), 'run', 'exact');
    expect(result.command).toBe(
      "kubectl run tmp --image=busybox --port=8080 --env=A=1 --restart=Never -i -t -n dev --command -- sh -c 'echo hi'",
    );
  });

  it('keeps custom labels and marks fields only --overrides can set', () => {
    const body = {
      metadata: { name: 'tmp', labels: { app: 'x' } },
      spec: {
        containers: [{ name: 'tmp', image: 'nginx', securityContext: { privileged: true } }],
        hostNetwork: true,
      },
    };
    const result = reconstruct(makeEvent('create', URI, { body }), 'run', 'partial');
    expect(result.command).toBe('kubectl run tmp --image=nginx --labels=app=x -n dev');
    expect(result.notes.join(' ')).toContain('securityContext, hostNetwork');
  });
});
