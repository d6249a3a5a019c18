import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import type { Recognizer } from '../types';

const DISCOVERY = /^\/(api|apis|openapi|version)(\/|$)/;

/** Non-resource URLs (/healthz, /version, discovery): `kubectl get --raw` sends the same GET. */
export const getRawRecognizer: Recognizer = {
  name: 'get-raw',
  verbs: ['get', 'head'],
  matches(event) {
    const view = viewOf(event);
    return !view.isResource && (view.verb === 'get' || view.verb === 'head');
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'get').raw('--raw').arg(view.uri);
    if (view.verb === 'head') cmd.lower('none', 'kubectl sends GET, never HEAD');
    if (DISCOVERY.test(view.path)) {
      cmd.note('discovery: kubectl and client-go fetch this before most commands');
    }
    return cmd.build();
  },
};
