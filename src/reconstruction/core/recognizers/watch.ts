import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import { typeOf } from '../target';
import type { Recognizer } from '../types';
import { clientOnlyParameters, scopeAndSelectors } from './list';

export const watchRecognizer: Recognizer = {
  name: 'watch',
  verbs: ['watch'],
  matches: (event) => viewOf(event).verb === 'watch',
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'get').arg(typeOf(view));
    const fields = view.query.get('fieldSelector') ?? '';
    // `kubectl get TYPE NAME -w` watches with exactly this selector.
    const nameSelector = /^metadata\.name=([^,]+)$/.exec(fields);
    if (nameSelector) cmd.arg(nameSelector[1]);
    cmd.raw('-w');
    scopeAndSelectors(cmd, view, nameSelector ? fields : undefined);
    const version = view.query.get('resourceVersion');
    cmd.note(
      `kubectl -w first gets or lists, then watches from that resourceVersion${version ? ` (${version} here)` : ''}`,
    );
    clientOnlyParameters(cmd, view);
    return cmd.build();
  },
};
