import { KubectlCommand } from '../command';
import { numberField, stringField, viewOf } from '../request';
import { slashTarget } from '../target';
import type { Recognizer } from '../types';

export const scaleRecognizer: Recognizer = {
  name: 'scale',
  verbs: ['patch', 'update'],
  matches(event) {
    const view = viewOf(event);
    // kubectl scale sends no fieldManager; `patch`/`replace --subresource=scale` do.
    return view.subresource === 'scale' && !view.fieldManager;
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'scale');
    slashTarget(cmd, view);
    const replicas = numberField(view.body, 'spec', 'replicas');
    if (replicas !== undefined) cmd.opt('--replicas', replicas);
    else
      cmd
        .raw('--replicas=<count>')
        .partial(`the replica count was not recorded (audit level ${cmd.level})`);
    if (view.verb === 'update') {
      const version = stringField(view.body, 'metadata', 'resourceVersion');
      if (version) cmd.opt('--resource-version', version);
      else cmd.note('kubectl sends a PUT only with --current-replicas or --resource-version');
    }
    cmd.dryRun();
    return cmd.namespace().build();
  },
};
