import { makeEvent } from '../testing/make-event';
import { reconstruct } from '../testing/expect';

describe('edit recognizer', () => {
  it('names the edited object and shows the change in the notes', () => {
    const body = { spec: { replicas: 5 } };
    const event = makeEvent(
      'patch',
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-edit&fieldValidation=Strict',
      { body },
    );
    const result = reconstruct(event, 'edit', 'partial');
    expect(result.command).toBe('kubectl edit deployments web -n shop');
    expect(result.notes.join(' ')).toContain('{"spec":{"replicas":5}}');
  });

  it('hides Secret data typed in the editor', () => {
    const event = makeEvent(
      'patch',
      '/api/v1/namespaces/shop/secrets/db?fieldManager=kubectl-edit&fieldValidation=Strict',
      { body: { data: { password: 'bmV3cGFzcw==' } } },
    );
    const result = reconstruct(event, 'edit', 'partial');
    expect(JSON.stringify(result)).not.toContain('bmV3cGFzcw');
  });
});
