import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { knownResource } from '../kinds';
import { compactJson, MAX_DOCUMENT_BYTES } from '../object-yaml';
import { isObject, viewOf } from '../request';
import { addTarget } from '../target';
import type { Recognizer } from '../types';
import { KUBECTL_SUBRESOURCES } from './replace';

const PATCH_MANAGER = 'kubectl-patch';
const STRATEGIC_KEY = /^\$(patch|retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/;

function hasStrategicKey(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some(hasStrategicKey);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([k, v]) => STRATEGIC_KEY.test(k) || hasStrategicKey(v));
}

function hasList(value: JsonValue): boolean {
  if (Array.isArray(value)) return true;
  return isObject(value) && Object.values(value).some(hasList);
}

/**
 * sure: the body shows the type. same-effect: strategic and merge patches apply a body
 * without lists identically, so only the unaudited Content-Type can differ. unsure: they
 * would merge its lists differently.
 */
export type PatchCertainty = 'sure' | 'same-effect' | 'unsure';

/** The PATCH Content-Type is not audited: judge the patch type from the body's shape. */
export function patchType(
  body: JsonValue,
  builtIn: boolean,
): { type: string; certainty: PatchCertainty } {
  if (Array.isArray(body)) return { type: 'json', certainty: 'sure' };
  if (hasStrategicKey(body)) return { type: 'strategic', certainty: 'sure' };
  // Custom resources have no strategic merge, so a merge patch is the only kind left.
  if (!builtIn) return { type: 'merge', certainty: 'sure' };
  return { type: 'strategic', certainty: hasList(body) ? 'unsure' : 'same-effect' };
}

export const patchRecognizer: Recognizer = {
  name: 'patch',
  verbs: ['patch'],
  matches(event) {
    return viewOf(event).verb === 'patch';
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'patch');
    addTarget(cmd, view);
    if (view.subresource) {
      cmd.opt('--subresource', view.subresource);
      if (!KUBECTL_SUBRESOURCES.has(view.subresource)) {
        cmd.lower('none', `kubectl patch cannot target the ${view.subresource} subresource`);
      }
    }
    if (view.body === undefined) {
      cmd
        .raw('-p', '<patch>')
        .partial(`the patch body was not recorded (audit level ${cmd.level})`);
    } else {
      const { type, certainty } = patchType(view.body, knownResource(view.resource, view.group));
      cmd.opt('--type', type);
      if (certainty === 'same-effect') {
        cmd.lower(
          'equivalent',
          'the Content-Type is not audited; with no lists in the body, --type=merge would do the same',
        );
      } else if (certainty === 'unsure') {
        cmd.partial(
          'the Content-Type is not audited, and strategic and merge patches treat the lists in this body differently',
        );
      }
      const patch = compactJson(view.body, view.resource === 'secrets');
      if (patch.redacted) cmd.partial('a secret value in the patch was replaced by <redacted>');
      if (patch.text.length > MAX_DOCUMENT_BYTES) {
        cmd.opt('-p', `${patch.text.slice(0, MAX_DOCUMENT_BYTES)}...<truncated>`);
        cmd.partial('the patch was longer than 64 KiB and is truncated');
      } else {
        cmd.opt('-p', patch.text);
      }
    }
    cmd.fieldManager(PATCH_MANAGER).dryRun();
    return cmd.namespace().build();
  },
};
