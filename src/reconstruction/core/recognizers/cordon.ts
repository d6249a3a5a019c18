import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { field, isObject, viewOf } from '../request';
import type { Recognizer } from '../types';

function unschedulablePatch(body: JsonValue | undefined): boolean {
  if (!isObject(body) || Object.keys(body).length !== 1) return false;
  const spec = body.spec;
  return isObject(spec) && Object.keys(spec).length === 1 && 'unschedulable' in spec;
}

export const cordonRecognizer: Recognizer = {
  name: 'cordon',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    if (view.verb !== 'patch' || view.resource !== 'nodes' || view.subresource || view.group)
      return false;
    if (unschedulablePatch(view.body)) return true;
    return view.body === undefined && !view.fieldManager && view.client.kind === 'kubectl';
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view);
    if (view.body === undefined) {
      cmd
        .raw('<cordon|uncordon>')
        .partial(
          `the body was not recorded (audit level ${cmd.level}); a kubectl patch of a node without fieldManager is cordon or uncordon`,
        );
    } else {
      cmd.raw(field(view.body, 'spec', 'unschedulable') === true ? 'cordon' : 'uncordon');
    }
    cmd.arg(view.name).dryRun();
    cmd.note('kubectl drain sends the same patch before it evicts pods');
    return cmd.build();
  },
};
