import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { kindOf } from '../kinds';
import { objectDocument } from '../object-yaml';
import { LAST_APPLIED } from '../redact';
import { field, isObject, viewOf } from '../request';
import type { Recognizer } from '../types';

const CSA_MANAGER = 'kubectl-client-side-apply';

/** The applied manifest: client-side apply stores it whole in the last-applied annotation. */
function appliedManifest(body: JsonValue | undefined): JsonValue | undefined {
  const saved = field(body, 'metadata', 'annotations', LAST_APPLIED);
  if (typeof saved !== 'string') return undefined;
  try {
    const parsed = JSON.parse(saved) as JsonValue;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export const applyClientSideRecognizer: Recognizer = {
  name: 'apply-client-side',
  verbs: ['patch', 'create'],
  matches(event) {
    const view = viewOf(event);
    if (view.verb !== 'patch' && view.verb !== 'create') return false;
    if (view.fieldManager === CSA_MANAGER) return true;
    return (
      view.verb === 'patch' &&
      !view.fieldManager &&
      view.client.kind !== 'other' &&
      appliedManifest(view.body) !== undefined
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'apply');
    cmd.fieldManager(CSA_MANAGER).validation().dryRun().namespace();
    if (view.dryRun) cmd.note('kubectl diff sends the same dry-run request');
    const manifest = appliedManifest(view.body);
    const isSecret = view.resource === 'secrets';
    if (manifest !== undefined) {
      cmd.raw('-f', '-').document(objectDocument(manifest, { isSecret }));
    } else if (view.verb === 'create' && isObject(view.body)) {
      cmd.raw('-f', '-').document(objectDocument(view.body, { isSecret }));
      cmd.note('the object had no last-applied annotation; the request body is shown instead');
    } else {
      cmd.raw('-f', '<manifest.yaml>');
      cmd.partial(
        `the applied manifest (${kindOf(view.resource)} ${view.name}) is not in the event`,
      );
    }
    cmd.note(
      view.verb === 'create'
        ? 'the object did not exist yet: kubectl apply created it'
        : 'kubectl apply computes the patch from the live object, so it repeats this patch only against the same state',
    );
    return cmd.build();
  },
};
