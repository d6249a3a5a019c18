import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import type { Recognizer } from '../types';

export const topRecognizer: Recognizer = {
  name: 'top',
  verbs: ['list', 'get'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.group === 'metrics.k8s.io' &&
      (view.resource === 'pods' || view.resource === 'nodes') &&
      (view.verb === 'list' || view.verb === 'get')
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'top', view.resource === 'pods' ? 'pod' : 'node');
    if (view.name) cmd.arg(view.name);
    const selector = view.query.get('labelSelector');
    if (selector) cmd.opt('-l', selector);
    if (view.resource === 'pods') {
      if (view.namespace) cmd.namespace();
      else if (!view.name) cmd.raw('-A');
    }
    if (view.resource === 'nodes') cmd.note('kubectl top node also lists /api/v1/nodes');
    return cmd.build();
  },
};
