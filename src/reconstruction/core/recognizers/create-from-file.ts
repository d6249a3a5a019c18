import { KubectlCommand } from '../command';
import { kindOf } from '../kinds';
import { objectDocument } from '../object-yaml';
import { isObject, viewOf } from '../request';
import type { Recognizer } from '../types';

export const CREATE_MANAGER = 'kubectl-create';

export const createFromFileRecognizer: Recognizer = {
  name: 'create-from-file',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return view.verb === 'create' && view.isResource && !view.subresource;
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'create');
    cmd.fieldManager(CREATE_MANAGER).validation().dryRun().namespace();
    if (isObject(view.body)) {
      cmd
        .raw('-f', '-')
        .document(objectDocument(view.body, { isSecret: view.resource === 'secrets' }));
    } else {
      const what = view.name
        ? `${kindOf(view.resource)} ${view.name}`
        : `a ${kindOf(view.resource)}`;
      cmd.raw('-f', '<manifest.yaml>');
      cmd.partial(`the object (${what}) was not recorded (audit level ${cmd.level})`);
    }
    return cmd.build();
  },
};
