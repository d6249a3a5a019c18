import { KubectlCommand } from '../command';
import { viewOf } from '../request';
import type { Recognizer } from '../types';

/** `involvedObject.name=X,involvedObject.namespace=N,...` as kubectl describe asks for events. */
function involvedObject(selector: string | null): Map<string, string> | undefined {
  if (!selector || !selector.includes('involvedObject.name=')) return undefined;
  const fields = new Map<string, string>();
  for (const part of selector.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).replace(/^involvedObject\./, ''), part.slice(at + 1));
  }
  return fields;
}

export const describeEventsRecognizer: Recognizer = {
  name: 'describe-events',
  verbs: ['list'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'list' &&
      view.resource === 'events' &&
      involvedObject(view.query.get('fieldSelector')) !== undefined
    );
  },
  build(event) {
    const view = viewOf(event);
    const fields = involvedObject(view.query.get('fieldSelector'))!;
    const cmd = new KubectlCommand(view, 'describe');
    const kind = fields.get('kind');
    if (kind) cmd.arg(kind.toLowerCase());
    else cmd.raw('<type>').partial('the selector does not name the kind of the described object');
    cmd.arg(fields.get('name') ?? '');
    const namespace = fields.get('namespace') || view.namespace;
    if (namespace) cmd.opt('-n', namespace);
    cmd.note('describe gets the object first; listing its events by uid is what marks describe');
    return cmd.build();
  },
};
