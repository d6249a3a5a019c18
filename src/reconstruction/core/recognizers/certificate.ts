import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { field, isObject, viewOf } from '../request';
import type { Recognizer } from '../types';

/** The decision the request adds: the last Approved/Denied condition of the body. */
function decision(body: JsonValue | undefined): 'approve' | 'deny' | undefined {
  const conditions = field(body, 'status', 'conditions');
  if (!Array.isArray(conditions)) return undefined;
  for (let i = conditions.length - 1; i >= 0; i--) {
    const condition = conditions[i];
    if (!isObject(condition)) continue;
    if (condition.type === 'Approved') return 'approve';
    if (condition.type === 'Denied') return 'deny';
  }
  return undefined;
}

export const certificateRecognizer: Recognizer = {
  name: 'certificate',
  verbs: ['update', 'patch'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.resource === 'certificatesigningrequests' &&
      view.subresource === 'approval' &&
      view.verb !== 'get'
    );
  },
  build(event) {
    const view = viewOf(event);
    const verdict = decision(view.body);
    const cmd = new KubectlCommand(view, 'certificate');
    if (verdict) cmd.raw(verdict);
    else
      cmd.raw('<approve|deny>').partial(`the decision was not recorded (audit level ${cmd.level})`);
    return cmd.arg(view.name).build();
  },
};
