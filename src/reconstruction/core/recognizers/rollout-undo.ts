import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { field, isObject, viewOf } from '../request';
import { slashTarget } from '../target';
import type { Recognizer } from '../types';

// kubectl polymorphichelpers/rollback.go: a JSON patch for Deployments, `$patch: replace` of
// the template for DaemonSets and StatefulSets.
function isRollbackPatch(body: JsonValue | undefined): boolean {
  if (Array.isArray(body)) {
    return body.some((op) => isObject(op) && op.op === 'replace' && op.path === '/spec/template');
  }
  return field(body, 'spec', 'template', '$patch') === 'replace';
}

export const rolloutUndoRecognizer: Recognizer = {
  name: 'rollout-undo',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'patch' && !view.subresource && !view.fieldManager && isRollbackPatch(view.body)
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'rollout', 'undo');
    slashTarget(cmd, view).dryRun().namespace();
    cmd.partial(
      'the target revision is not in the patch; without --to-revision kubectl rolls back to the previous one',
    );
    return cmd.build();
  },
};
