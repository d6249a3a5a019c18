import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

const URI = '/api/v1/namespaces/default/pods/web-1/ephemeralcontainers';

describe('debug recognizer', () => {
  it('reads image, name, target and -it from the added ephemeral container', () => {
    const body = {
      spec: {
        ephemeralContainers: [
          { name: 'debugger-old', image: 'busybox' },
          {
            name: 'debugger-x7k2p',
            image: 'busybox:1.36',
            targetContainerName: 'app',
            stdin: true,
            tty: true,
            terminationMessagePolicy: 'File',
          },
        ],
      },
    };
    const result = reconstruct(makeEvent('patch', URI, { body }), 'debug', 'partial');
    expect(result.command).toBe(
      'kubectl debug web-1 -i -t --image=busybox:1.36 -c debugger-x7k2p --target=app -n default',
    );
    expect(result.notes.join(' ')).toContain('--profile');
  });

  it('marks the image when the body was not recorded', () => {
    const result = reconstruct(makeEvent('patch', URI), 'debug', 'partial');
    expect(result.command).toBe("kubectl debug web-1 '--image=<image>' -n default");
  });
});
