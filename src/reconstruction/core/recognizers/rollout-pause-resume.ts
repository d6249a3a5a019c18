import { KubectlCommand } from '../command';
import { field, isObject, viewOf } from '../request';
import { slashTarget } from '../target';
import type { Recognizer } from '../types';
import { ROLLOUT_MANAGER } from './rollout-restart';

export const rolloutPauseResumeRecognizer: Recognizer = {
  name: 'rollout-pause-resume',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    const spec = field(view.body, 'spec');
    return (
      view.verb === 'patch' &&
      !view.subresource &&
      isObject(spec) &&
      Object.keys(spec).length === 1 &&
      'paused' in spec &&
      (view.fieldManager === ROLLOUT_MANAGER || !view.fieldManager)
    );
  },
  build(event) {
    const view = viewOf(event);
    const paused = field(view.body, 'spec', 'paused') === true;
    const cmd = new KubectlCommand(view, 'rollout', paused ? 'pause' : 'resume');
    slashTarget(cmd, view).fieldManager(ROLLOUT_MANAGER);
    if (view.dryRun)
      cmd.partial('the request was a server dry run, which kubectl rollout cannot send');
    return cmd.namespace().build();
  },
};
