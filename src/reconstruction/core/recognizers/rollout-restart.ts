import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { field, isObject, viewOf } from '../request';
import { slashTarget } from '../target';
import type { Recognizer } from '../types';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
export const ROLLOUT_MANAGER = 'kubectl-rollout';

function restartedAt(body: JsonValue | undefined): string | undefined {
  const annotations = field(body, 'spec', 'template', 'metadata', 'annotations');
  const value = isObject(annotations) ? annotations[RESTARTED_AT] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export const rolloutRestartRecognizer: Recognizer = {
  name: 'rollout-restart',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    if (view.verb !== 'patch' || view.subresource) return false;
    const restart = restartedAt(view.body) !== undefined;
    if (view.fieldManager === ROLLOUT_MANAGER) return restart || view.body === undefined;
    return !view.fieldManager && restart;
  },
  build(event) {
    const view = viewOf(event);
    const at = restartedAt(view.body);
    const cmd = new KubectlCommand(view, 'rollout');
    if (at === undefined) {
      cmd.raw('<restart|pause|resume>');
      cmd.partial(
        `restart, pause and resume share a fieldManager; the body that tells them apart was not recorded (audit level ${cmd.level})`,
      );
    } else {
      cmd.raw('restart');
      cmd.note(`the restartedAt annotation carries the time kubectl runs (${at} in the event)`);
    }
    slashTarget(cmd, view).fieldManager(ROLLOUT_MANAGER);
    if (view.dryRun)
      cmd.partial('the request was a server dry run, which kubectl rollout cannot send');
    return cmd.namespace().build();
  },
};
