import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { field, isObject, stringField, viewOf } from '../request';
import { bodyNotRecorded, podTarget } from '../target';
import type { Recognizer } from '../types';

function lastEphemeral(body: JsonValue | undefined): JsonValue | undefined {
  const list = field(body, 'spec', 'ephemeralContainers');
  return Array.isArray(list) && list.length > 0 ? list[list.length - 1] : undefined;
}

export const debugRecognizer: Recognizer = {
  name: 'debug',
  verbs: ['patch', 'update'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.resource === 'pods' && view.subresource === 'ephemeralcontainers' && view.verb !== 'get'
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'debug');
    podTarget(cmd, view);
    const container = lastEphemeral(view.body);
    if (!isObject(container)) {
      bodyNotRecorded(cmd, 'the image').raw('--image=<image>');
      return cmd.namespace().build();
    }
    cmd.optIf(container.stdin === true, '-i').optIf(container.tty === true, '-t');
    const image = stringField(container, 'image');
    if (image) cmd.opt('--image', image);
    else cmd.raw('--image=<image>');
    const name = stringField(container, 'name');
    if (name) cmd.opt('-c', name);
    const target = stringField(container, 'targetContainerName');
    if (target) cmd.opt('--target', target);
    cmd.partial(
      'kubectl fills the rest of the ephemeral container from --profile, which the event does not name',
    );
    return cmd.namespace().build();
  },
};
