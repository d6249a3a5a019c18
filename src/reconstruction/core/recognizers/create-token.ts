import { KubectlCommand } from '../command';
import { field, isObject, numberField, stringField, viewOf } from '../request';
import type { Recognizer } from '../types';

export const createTokenRecognizer: Recognizer = {
  name: 'create-token',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.resource === 'serviceaccounts' && view.subresource === 'token' && view.verb === 'create'
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'create', 'token').arg(view.name);
    const spec = field(view.body, 'spec');
    if (!isObject(spec)) {
      if (view.body === undefined) {
        cmd.partial(
          `audiences, duration and bound object were not recorded (audit level ${cmd.level})`,
        );
      }
    } else {
      const audiences = spec.audiences;
      for (const audience of Array.isArray(audiences) ? audiences : []) {
        if (typeof audience === 'string') cmd.opt('--audience', audience);
      }
      const seconds = numberField(spec, 'expirationSeconds');
      if (seconds !== undefined) cmd.opt('--duration', `${seconds}s`);
      const kind = stringField(spec, 'boundObjectRef', 'kind');
      if (kind) cmd.opt('--bound-object-kind', kind);
      const name = stringField(spec, 'boundObjectRef', 'name');
      if (name) cmd.opt('--bound-object-name', name);
      const uid = stringField(spec, 'boundObjectRef', 'uid');
      if (uid) cmd.opt('--bound-object-uid', uid);
    }
    if (event.responseObject !== undefined)
      cmd.note('the issued token in the response is never shown');
    return cmd.namespace().build();
  },
};
