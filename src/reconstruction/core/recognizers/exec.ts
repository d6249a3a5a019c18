import type { AuditEvent } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { redactArgs } from '../redact';
import { viewOf } from '../request';
import { podTarget } from '../target';
import type { Recognizer } from '../types';

export function isPodStream(event: AuditEvent, subresource: string): boolean {
  const view = viewOf(event);
  return view.resource === 'pods' && view.subresource === subresource && view.group === '';
}

/** `-i`, `-t`, pod and `-c` as exec and attach put them in the query. */
export function streamCommand(event: AuditEvent, subcommand: string): KubectlCommand {
  const view = viewOf(event);
  const cmd = new KubectlCommand(view, subcommand);
  const tty = view.query.get('tty') === 'true';
  cmd.optIf(view.query.get('stdin') === 'true', '-i').optIf(tty, '-t');
  podTarget(cmd, view);
  const all = view.query.getAll('container');
  const containers = [...new Set(all)];
  if (containers.length > 0) cmd.opt('-c', containers[0]);
  if (containers.length > 1)
    cmd.partial(`the request names several containers: ${containers.join(', ')}`);
  else if (all.length > 1) cmd.note('the request repeats container=, as kubectl before 1.13 did');
  if (tty) cmd.note('-t reaches the request only when kubectl runs in a terminal');
  else if (view.query.get('stderr') !== 'true') cmd.note('kubectl sends stderr=true without -t');
  return cmd.namespace();
}

export const execRecognizer: Recognizer = {
  name: 'exec',
  verbs: ['get', 'create'],
  matches: (event) => isPodStream(event, 'exec'),
  build(event) {
    const view = viewOf(event);
    const cmd = streamCommand(event, 'exec');
    const command = view.query.getAll('command');
    if (command.length === 0) {
      cmd.partial('the request carries no command').dashDash(['<command>']);
      return cmd.build();
    }
    const { value, redacted } = redactArgs(command);
    if (redacted) cmd.partial('a credential in the command was replaced by <redacted>');
    return cmd.dashDash(value).build();
  },
};
