import { KubectlCommand } from '../command';
import { compactJson } from '../object-yaml';
import { viewOf } from '../request';
import { addTarget } from '../target';
import type { Recognizer } from '../types';

const EDIT_MANAGER = 'kubectl-edit';
const MAX_NOTE_CHARS = 2000;

export const editRecognizer: Recognizer = {
  name: 'edit',
  verbs: ['patch', 'update'],
  matches(event) {
    const view = viewOf(event);
    return (view.verb === 'patch' || view.verb === 'update') && view.fieldManager === EDIT_MANAGER;
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'edit');
    addTarget(cmd, view);
    if (view.subresource) cmd.opt('--subresource', view.subresource);
    cmd.validation().namespace();
    if (view.body === undefined) {
      cmd.partial(`the change made in the editor was not recorded (audit level ${cmd.level})`);
    } else {
      const patch = compactJson(view.body, view.resource === 'secrets');
      const shown =
        patch.text.length > MAX_NOTE_CHARS
          ? `${patch.text.slice(0, MAX_NOTE_CHARS)}...`
          : patch.text;
      cmd.partial(`the change is typed in an editor; this edit sent ${shown}`);
      if (patch.redacted) cmd.note('a secret value in the change was replaced by <redacted>');
    }
    return cmd.build();
  },
};
