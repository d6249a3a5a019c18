import { KubectlCommand } from '../command';
import { field, isObject, stringField, viewOf } from '../request';
import type { Recognizer } from '../types';

const EXPOSE_MANAGER = 'kubectl-expose';

export const exposeRecognizer: Recognizer = {
  name: 'expose',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'create' && view.resource === 'services' && view.fieldManager === EXPOSE_MANAGER
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'expose').raw('<type>/<name>');
    cmd.partial('the exposed object is not in the event; its selector became the service selector');
    const ports = field(view.body, 'spec', 'ports');
    const first = Array.isArray(ports) && isObject(ports[0]) ? ports[0] : undefined;
    if (first) {
      if (first.port !== undefined) cmd.opt('--port', String(first.port));
      if (first.targetPort !== undefined && first.targetPort !== first.port) {
        cmd.opt('--target-port', String(first.targetPort));
      }
      const protocol = stringField(first, 'protocol');
      if (protocol && protocol !== 'TCP') cmd.opt('--protocol', protocol);
      if (Array.isArray(ports) && ports.length > 1)
        cmd.note('the service has several ports: kubectl took them from the exposed object');
    } else if (view.body === undefined) {
      cmd.raw('--port=<port>');
    }
    const type = stringField(view.body, 'spec', 'type');
    if (type) cmd.opt('--type', type);
    if (view.name) cmd.opt('--name', view.name);
    cmd.fieldManager(EXPOSE_MANAGER).dryRun();
    return cmd.namespace().build();
  },
};
