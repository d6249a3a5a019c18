import { KubectlCommand } from '../command';
import { numberField, viewOf } from '../request';
import type { Recognizer } from '../types';

export const drainEvictionRecognizer: Recognizer = {
  name: 'drain-eviction',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return view.resource === 'pods' && view.subresource === 'eviction' && view.verb === 'create';
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'drain').raw('<node>');
    const grace = numberField(view.body, 'deleteOptions', 'gracePeriodSeconds');
    if (grace !== undefined) cmd.opt('--grace-period', grace);
    cmd.dryRun();
    cmd.partial(
      `kubectl has no command to evict one pod: drain evicts every pod on a node, and the node of pod ${view.namespace}/${view.name} is not in the event`,
    );
    return cmd.build();
  },
};
