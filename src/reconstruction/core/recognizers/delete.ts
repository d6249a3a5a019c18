import { KubectlCommand } from '../command';
import { jsonDocument } from '../object-yaml';
import { field, numberField, stringField, viewOf } from '../request';
import { addTarget } from '../target';
import type { Recognizer } from '../types';

// What `kubectl delete` puts in DeleteOptions; anything else needs flags or cannot be said.
const DELETE_OPTION_KEYS = new Set([
  'kind',
  'apiVersion',
  'propagationPolicy',
  'gracePeriodSeconds',
  'dryRun',
]);

export const deleteRecognizer: Recognizer = {
  name: 'delete',
  verbs: ['delete', 'deletecollection'],
  matches(event) {
    const verb = viewOf(event).verb;
    return verb === 'delete' || verb === 'deletecollection';
  },
  build(event) {
    const view = viewOf(event);
    if (view.verb === 'deletecollection') {
      const cmd = new KubectlCommand(view, 'delete').raw('--raw').arg(view.uri);
      if (view.body !== undefined) cmd.raw('-f', '-').document(jsonDocument(view.body, false));
      cmd.note(
        'kubectl delete -l/--all never sends deletecollection: it lists and deletes one object at a time',
      );
      return cmd.build();
    }
    const cmd = new KubectlCommand(view, 'delete');
    addTarget(cmd, view);
    const body = view.bodyObject;
    if (!body) {
      cmd.partial(
        `the delete options were not recorded (audit level ${cmd.level}); shown as kubectl's defaults`,
      );
      return cmd.namespace().build();
    }
    const policy = stringField(body, 'propagationPolicy');
    if (policy === 'Foreground' || policy === 'Orphan') cmd.opt('--cascade', policy.toLowerCase());
    else if (policy === undefined)
      cmd.note('the request had no propagationPolicy; kubectl sends Background');
    const grace = numberField(body, 'gracePeriodSeconds');
    if (grace === 0) cmd.raw('--grace-period=0', '--force');
    else if (grace === 1) cmd.raw('--now');
    else if (grace !== undefined) cmd.opt('--grace-period', grace);
    const extra = Object.keys(body).filter((k) => !DELETE_OPTION_KEYS.has(k));
    if (extra.length > 0) cmd.partial(`kubectl delete has no flags for: ${extra.join(', ')}`);
    if (field(body, 'preconditions') !== undefined)
      cmd.note('preconditions guard the delete against a changed object');
    return cmd.dryRun().namespace().build();
  },
};
