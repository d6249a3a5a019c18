import { KubectlCommand } from '../command';
import { objectDocument } from '../object-yaml';
import { isObject, viewOf } from '../request';
import { kindOf } from '../kinds';
import type { Recognizer } from '../types';

const SSA_MANAGER = 'kubectl';

export const applyServerSideRecognizer: Recognizer = {
  name: 'apply-server-side',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    if (view.verb !== 'patch') return false;
    // The apiserver rejects `force` on every patch type but apply, so it marks SSA.
    if (view.query.has('force')) return true;
    const body = view.bodyObject;
    return (
      view.fieldManager === SSA_MANAGER &&
      body !== undefined &&
      'apiVersion' in body &&
      'kind' in body
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'apply', '--server-side');
    cmd.optIf(view.query.get('force') === 'true', '--force-conflicts');
    cmd.fieldManager(SSA_MANAGER).validation().dryRun();
    if (view.subresource) cmd.opt('--subresource', view.subresource);
    cmd.namespace();
    if (isObject(view.body)) {
      cmd.raw('-f', '-').document(objectDocument(view.body));
    } else {
      cmd.raw('-f', '<manifest.yaml>');
      cmd.partial(
        `the manifest (${kindOf(view.resource)} ${view.name}) was not recorded (audit level ${cmd.level})`,
      );
    }
    if (view.fieldManager === 'kubectl-last-applied') {
      cmd.note(
        'kubectl-last-applied marks the follow-up patch of a migration from client-side apply',
      );
    }
    return cmd.build();
  },
};
