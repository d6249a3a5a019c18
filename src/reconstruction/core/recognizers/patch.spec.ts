import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';
import type { JsonValue } from '../../../domain/audit-event';
import { PatchCertainty, patchType } from './patch';

const URI = '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-patch';

describe('patch recognizer', () => {
  it('infers --type from the body shape', () => {
    const cases: [JsonValue, boolean, string, PatchCertainty][] = [
      [[{ op: 'remove', path: '/spec/x' }], true, 'json', 'sure'],
      [{ spec: { containers: [{ name: 'a', $patch: 'delete' }] } }, true, 'strategic', 'sure'],
      [{ spec: { $retainKeys: ['a'] } }, true, 'strategic', 'sure'],
      [{ spec: { size: 3 } }, false, 'merge', 'sure'],
      [{ spec: { replicas: 3, paused: null } }, true, 'strategic', 'same-effect'],
      [
        { spec: { template: { spec: { containers: [{ name: 'a' }] } } } },
        true,
        'strategic',
        'unsure',
      ],
    ];
    for (const [body, builtIn, type, certainty] of cases) {
      expect(patchType(body, builtIn)).toEqual({ type, certainty });
    }
  });

  it('rebuilds a JSON patch exactly', () => {
    const body = [{ op: 'replace', path: '/spec/replicas', value: 4 }];
    expect(reconstruct(makeEvent('patch', URI, { body }), 'patch', 'exact').command).toBe(
      'kubectl patch deployments web --type=json -p \'[{"op":"replace","path":"/spec/replicas","value":4}]\' -n shop',
    );
  });

  it('is equivalent when strategic and merge would apply the body alike', () => {
    const result = reconstruct(
      makeEvent('patch', URI, { body: { spec: { replicas: 4 } } }),
      'patch',
      'equivalent',
    );
    expect(result.command).toBe(
      'kubectl patch deployments web --type=strategic -p \'{"spec":{"replicas":4}}\' -n shop',
    );
    expect(result.notes[0]).toContain('Content-Type');
  });

  it('is partial when strategic and merge would treat its lists differently', () => {
    const body = {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'web:3' }] } } },
    };
    const result = reconstruct(makeEvent('patch', URI, { body }), 'patch', 'partial');
    expect(result.notes[0]).toContain('lists');
  });

  it('uses merge for custom resources and keeps --subresource=status', () => {
    const event = makeEvent(
      'patch',
      '/apis/example.com/v1/namespaces/shop/widgets/w1/status?fieldManager=kubectl-patch',
      { body: { status: { ready: true } } },
    );
    expect(reconstruct(event, 'patch', 'exact').command).toBe(
      'kubectl patch widgets.v1.example.com w1 --subresource=status --type=merge -p \'{"status":{"ready":true}}\' -n shop',
    );
  });

  it('says kubectl cannot patch other subresources', () => {
    const event = makeEvent('patch', '/api/v1/namespaces/shop/pods/web-1/binding', {
      body: [{ op: 'add', path: '/x', value: 1 }],
    });
    expect(reconstruct(event, 'patch', 'none').notes.join(' ')).toContain(
      'cannot target the binding subresource',
    );
  });

  it('quotes a hostile patch body', () => {
    const body = { metadata: { annotations: { "x'$(reboot)'": "'; rm -rf ~; echo '" } } };
    const { command } = reconstruct(makeEvent('patch', URI, { body }), 'patch', 'equivalent');
    expect(command).toBe(
      "kubectl patch deployments web --type=strategic -p '{\"metadata\":{\"annotations\":{\"x'\\''$(reboot)'\\''\":\"'\\''; rm -rf ~; echo '\\''\"}}}' -n shop",
    );
  });
});
