import { KubectlCommand } from '../command';
import { field, isObject, stringField, viewOf } from '../request';
import type { Recognizer } from '../types';

const AUTHORIZATION = 'authorization.k8s.io';

export const authCanIRecognizer: Recognizer = {
  name: 'auth-can-i',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.group === AUTHORIZATION &&
      view.verb === 'create' &&
      (view.resource === 'selfsubjectaccessreviews' || view.resource === 'selfsubjectrulesreviews')
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'auth', 'can-i');
    if (view.resource === 'selfsubjectrulesreviews') {
      cmd.raw('--list');
      const namespace = stringField(view.body, 'spec', 'namespace');
      if (namespace) cmd.opt('-n', namespace);
      else if (view.body === undefined)
        cmd.partial(`the namespace was not recorded (audit level ${cmd.level})`);
      return cmd.build();
    }
    const spec = field(view.body, 'spec');
    const nonResource = field(spec, 'nonResourceAttributes');
    const attributes = field(spec, 'resourceAttributes');
    if (isObject(nonResource)) {
      cmd.arg(stringField(nonResource, 'verb') ?? '').arg(stringField(nonResource, 'path') ?? '');
      return cmd.build();
    }
    if (!isObject(attributes)) {
      cmd
        .raw('<verb>', '<resource>')
        .partial(`the question was not recorded (audit level ${cmd.level})`);
      return cmd.build();
    }
    const group = stringField(attributes, 'group') ?? '';
    const resource = stringField(attributes, 'resource') ?? '';
    const name = stringField(attributes, 'name') ?? '';
    const type = group ? `${resource}.${group}` : resource;
    cmd.arg(stringField(attributes, 'verb') ?? '').arg(name ? `${type}/${name}` : type);
    const subresource = stringField(attributes, 'subresource');
    if (subresource) cmd.opt('--subresource', subresource);
    const namespace = stringField(attributes, 'namespace');
    if (namespace) cmd.opt('-n', namespace);
    else cmd.raw('-A');
    return cmd.build();
  },
};
