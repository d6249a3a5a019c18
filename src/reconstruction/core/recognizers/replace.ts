import { KubectlCommand } from '../command';
import { kindOf } from '../kinds';
import { objectDocument } from '../object-yaml';
import { isObject, viewOf } from '../request';
import type { Recognizer } from '../types';

const REPLACE_MANAGER = 'kubectl-replace';
// kubectl get, patch, replace and edit accept only these for --subresource.
export const KUBECTL_SUBRESOURCES = new Set(['status', 'scale', 'resize']);

export const replaceRecognizer: Recognizer = {
  name: 'replace',
  verbs: ['update'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'update' &&
      view.isResource &&
      (!view.subresource || KUBECTL_SUBRESOURCES.has(view.subresource))
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'replace');
    if (view.subresource) cmd.opt('--subresource', view.subresource);
    cmd.fieldManager(REPLACE_MANAGER).validation().dryRun().namespace();
    if (isObject(view.body)) {
      const doc = objectDocument(view.body, {
        keepResourceVersion: true,
        isSecret: view.resource === 'secrets',
      });
      cmd.raw('-f', '-').document(doc);
    } else {
      cmd.raw('-f', '<manifest.yaml>');
      cmd.partial(
        `the object (${kindOf(view.resource)} ${view.name}) was not recorded (audit level ${cmd.level})`,
      );
    }
    return cmd.build();
  },
};
