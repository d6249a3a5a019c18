import type { Recognizer } from '../types';
import { annotateRecognizer } from './annotate';
import { applyClientSideRecognizer } from './apply-client-side';
import { applyServerSideRecognizer } from './apply-server-side';
import { attachRecognizer } from './attach';
import { authCanIRecognizer } from './auth-can-i';
import { authWhoamiRecognizer } from './auth-whoami';
import { autoscaleRecognizer } from './autoscale';
import { certificateRecognizer } from './certificate';
import { cordonRecognizer } from './cordon';
import { cpRecognizer } from './cp';
import { createFromFileRecognizer } from './create-from-file';
import { createGeneratorRecognizer } from './create-generator';
import { createTokenRecognizer } from './create-token';
import { debugRecognizer } from './debug';
import { deleteRecognizer } from './delete';
import { describeEventsRecognizer } from './describe-events';
import { drainEvictionRecognizer } from './drain-eviction';
import { editRecognizer } from './edit';
import { execRecognizer } from './exec';
import { exposeRecognizer } from './expose';
import { getRecognizer } from './get';
import { getRawRecognizer } from './get-raw';
import { labelRecognizer } from './label';
import { listRecognizer } from './list';
import { logsRecognizer } from './logs';
import { patchRecognizer } from './patch';
import { portForwardRecognizer } from './port-forward';
import { rawFallbackRecognizer } from './raw-fallback';
import { replaceRecognizer } from './replace';
import { rolloutPauseResumeRecognizer } from './rollout-pause-resume';
import { rolloutRestartRecognizer } from './rollout-restart';
import { rolloutUndoRecognizer } from './rollout-undo';
import { runRecognizer } from './run';
import { scaleRecognizer } from './scale';
import { setRecognizer } from './set';
import { taintRecognizer } from './taint';
import { topRecognizer } from './top';
import { watchRecognizer } from './watch';

/**
 * Tried in order; the first match builds the command. Specific shapes (a subresource, a
 * fieldManager, a body shape) come before the generic verb recognizers they would also match.
 */
export const RECOGNIZERS: readonly Recognizer[] = [
  getRawRecognizer,
  cpRecognizer,
  execRecognizer,
  attachRecognizer,
  logsRecognizer,
  portForwardRecognizer,
  debugRecognizer,
  drainEvictionRecognizer,
  createTokenRecognizer,
  authCanIRecognizer,
  authWhoamiRecognizer,
  certificateRecognizer,
  scaleRecognizer,
  topRecognizer,
  rolloutRestartRecognizer,
  rolloutPauseResumeRecognizer,
  rolloutUndoRecognizer,
  cordonRecognizer,
  taintRecognizer,
  labelRecognizer,
  annotateRecognizer,
  setRecognizer,
  applyServerSideRecognizer,
  applyClientSideRecognizer,
  editRecognizer,
  runRecognizer,
  exposeRecognizer,
  autoscaleRecognizer,
  createGeneratorRecognizer,
  createFromFileRecognizer,
  replaceRecognizer,
  patchRecognizer,
  deleteRecognizer,
  describeEventsRecognizer,
  watchRecognizer,
  listRecognizer,
  getRecognizer,
  rawFallbackRecognizer,
];

const AUDIT_VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'proxy',
  'head',
  'post',
  'put',
  'options',
];
const BY_VERB = new Map(
  AUDIT_VERBS.map((verb) => [verb, RECOGNIZERS.filter((r) => accepts(r, verb))]),
);
const ANY_VERB = RECOGNIZERS.filter((r) => r.verbs === undefined);

function accepts(recognizer: Recognizer, verb: string): boolean {
  return recognizer.verbs === undefined || recognizer.verbs.includes(verb);
}

/** The recognizers that can match a verb, in registry order. */
export function recognizersFor(verb: string): readonly Recognizer[] {
  return BY_VERB.get(verb) ?? ANY_VERB;
}
