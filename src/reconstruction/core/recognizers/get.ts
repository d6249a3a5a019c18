import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import { addTarget } from '../target';
import type { Recognizer } from '../types';
import { outputFormat } from './list';
import { KUBECTL_SUBRESOURCES } from './replace';

export const getRecognizer: Recognizer = {
  name: 'get',
  verbs: ['get'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'get' &&
      view.isResource &&
      (!view.subresource || KUBECTL_SUBRESOURCES.has(view.subresource))
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'get');
    addTarget(cmd, view);
    if (view.subresource) cmd.opt('--subresource', view.subresource);
    cmd.namespace();
    outputFormat(cmd, view);
    if (view.rawQuery)
      cmd.note(`the request carried ?${view.rawQuery}, which kubectl get does not send`);
    if (view.client.kind === 'kubectl') {
      cmd.note(
        'most kubectl commands start by getting their object, so this may be the first step of another command',
      );
    }
    return cmd.build();
  },
};
