import type { JsonObject } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { redactArgs } from '../redact';
import { field, isObject, stringField, viewOf } from '../request';
import type { Recognizer } from '../types';

const RUN_MANAGER = 'kubectl-run';
const CONTAINER_KEYS = new Set([
  'name',
  'image',
  'args',
  'command',
  'env',
  'ports',
  'resources',
  'stdin',
  'stdinOnce',
  'tty',
  'imagePullPolicy',
]);
const SPEC_KEYS = new Set(['containers', 'restartPolicy', 'dnsPolicy']);

function labelList(labels: JsonObject): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

export const runRecognizer: Recognizer = {
  name: 'run',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'create' &&
      view.resource === 'pods' &&
      !view.subresource &&
      view.fieldManager === RUN_MANAGER
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'run').arg(view.name || '<name>');
    const spec = field(view.body, 'spec');
    const containers = field(spec, 'containers');
    const container =
      Array.isArray(containers) && isObject(containers[0]) ? containers[0] : undefined;
    if (!isObject(spec) || !container) {
      cmd
        .raw('--image=<image>')
        .partial(`the pod spec was not recorded (audit level ${cmd.level})`);
      return cmd.dryRun().namespace().build();
    }
    cmd.opt('--image', stringField(container, 'image') ?? '');
    const labels = field(view.body, 'metadata', 'labels');
    if (isObject(labels) && !(Object.keys(labels).length === 1 && labels.run === view.name)) {
      cmd.opt('--labels', labelList(labels));
    }
    const ports = container.ports;
    const port = Array.isArray(ports) ? field(ports[0], 'containerPort') : undefined;
    if (typeof port === 'number') cmd.opt('--port', port);
    const env = Array.isArray(container.env) ? container.env : [];
    const pairs = env.map(
      (e) => `${stringField(e, 'name') ?? ''}=${stringField(e, 'value') ?? ''}`,
    );
    const hidden = redactArgs(pairs);
    if (hidden.redacted)
      cmd.partial('a credential in an environment variable was replaced by <redacted>');
    hidden.value.forEach((pair) => cmd.opt('--env', pair));
    const restart = stringField(spec, 'restartPolicy');
    if (restart && restart !== 'Always') cmd.opt('--restart', restart);
    const pullPolicy = stringField(container, 'imagePullPolicy');
    if (pullPolicy) cmd.opt('--image-pull-policy', pullPolicy);
    cmd.optIf(container.stdin === true, '-i').optIf(container.tty === true, '-t');
    const unknown = [
      ...Object.keys(container).filter((k) => !CONTAINER_KEYS.has(k)),
      ...Object.keys(spec).filter((k) => !SPEC_KEYS.has(k)),
    ];
    if (unknown.length > 0 || (Array.isArray(containers) && containers.length > 1)) {
      cmd.partial(
        `the pod has fields kubectl run does not set from flags (--overrides): ${unknown.join(', ') || 'containers'}`,
      );
    }
    cmd.fieldManager(RUN_MANAGER).dryRun().namespace();
    const command = Array.isArray(container.command) ? container.command : undefined;
    const args = Array.isArray(container.args) ? container.args : [];
    if (command) cmd.raw('--command');
    const line = [...(command ?? []), ...args].map((a) => String(a));
    if (line.length > 0) {
      const shown = redactArgs(line);
      if (shown.redacted) cmd.partial('a credential in the command was replaced by <redacted>');
      cmd.dashDash(shown.value);
    }
    cmd.note('-i/-t attach and --rm show as later attach and delete requests, not in this event');
    return cmd.build();
  },
};
