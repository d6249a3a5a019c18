import { KubectlCommand } from '../command';
import { field, isObject, stringField, viewOf } from '../request';
import type { Recognizer } from '../types';

const TAINT_MANAGER = 'kubectl-taint';

export const taintRecognizer: Recognizer = {
  name: 'taint',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    if (view.verb !== 'patch' || view.resource !== 'nodes' || view.subresource) return false;
    if (view.fieldManager === TAINT_MANAGER) return true;
    const body = view.body;
    const spec = field(body, 'spec');
    return (
      !view.fieldManager &&
      isObject(body) &&
      Object.keys(body).length === 1 &&
      isObject(spec) &&
      Object.keys(spec).length === 1 &&
      'taints' in spec
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'taint', 'nodes').arg(view.name);
    const taints = field(view.body, 'spec', 'taints');
    if (view.body === undefined) {
      cmd
        .raw('<key>=<value>:<effect>')
        .partial(`the taints were not recorded (audit level ${cmd.level})`);
    } else if (!Array.isArray(taints) || taints.length === 0) {
      cmd
        .raw('<key>-')
        .partial('the patch removes every taint; the removed keys are not in the event');
    } else {
      for (const taint of taints) {
        if (!isObject(taint)) continue;
        const key = stringField(taint, 'key') ?? '';
        const value = stringField(taint, 'value');
        const effect = stringField(taint, 'effect') ?? '';
        cmd.arg(value ? `${key}=${value}:${effect}` : `${key}:${effect}`);
      }
      cmd.raw('--overwrite');
      cmd.partial(
        "the patch holds the node's whole taint list after the change; taints removed with key- are not visible",
      );
    }
    cmd.fieldManager(TAINT_MANAGER).validation().dryRun();
    return cmd.build();
  },
};
