import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import type { Recognizer } from '../types';
import { isPodStream } from './exec';

export const portForwardRecognizer: Recognizer = {
  name: 'port-forward',
  verbs: ['get', 'create'],
  matches: (event) => isPodStream(event, 'portforward'),
  build(event) {
    const view = viewOf(event);
    return new KubectlCommand(view, 'port-forward')
      .arg(`pods/${view.name}`)
      .raw('<local-port>:<remote-port>')
      .namespace()
      .partial(
        'ports travel in stream headers, not in the request; a svc/ or deploy/ target also ends on this pod',
      )
      .build();
  },
};
