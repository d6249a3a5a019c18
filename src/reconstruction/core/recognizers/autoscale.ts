import type { JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { field, isObject, numberField, stringField, viewOf } from '../request';
import type { Recognizer } from '../types';

const AUTOSCALE_MANAGER = 'kubectl-autoscale';

/** v1 keeps the CPU target in one field, v2 in a Resource metric. */
function cpuPercent(spec: JsonValue | undefined): number | undefined {
  const v1 = numberField(spec, 'targetCPUUtilizationPercentage');
  if (v1 !== undefined) return v1;
  const metrics = field(spec, 'metrics');
  if (!Array.isArray(metrics)) return undefined;
  for (const metric of metrics) {
    if (stringField(metric, 'resource', 'name') === 'cpu') {
      return numberField(metric, 'resource', 'target', 'averageUtilization');
    }
  }
  return undefined;
}

export const autoscaleRecognizer: Recognizer = {
  name: 'autoscale',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    return (
      view.verb === 'create' &&
      view.resource === 'horizontalpodautoscalers' &&
      view.fieldManager === AUTOSCALE_MANAGER
    );
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'autoscale');
    const spec = field(view.body, 'spec');
    if (!isObject(spec)) {
      cmd
        .raw('<type>/<name>', '--max=<count>')
        .partial(`the autoscaler spec was not recorded (audit level ${cmd.level})`);
      if (view.name) cmd.opt('--name', view.name);
      return cmd.dryRun().namespace().build();
    }
    const kind = (stringField(spec, 'scaleTargetRef', 'kind') ?? '<type>').toLowerCase();
    const target = stringField(spec, 'scaleTargetRef', 'name') ?? '<name>';
    cmd.arg(`${kind}/${target}`);
    const min = numberField(spec, 'minReplicas');
    if (min !== undefined) cmd.opt('--min', min);
    const max = numberField(spec, 'maxReplicas');
    if (max !== undefined) cmd.opt('--max', max);
    const cpu = cpuPercent(spec);
    if (cpu !== undefined) cmd.opt('--cpu-percent', cpu);
    if (view.name && view.name !== target) cmd.opt('--name', view.name);
    cmd.fieldManager(AUTOSCALE_MANAGER).dryRun();
    return cmd.namespace().build();
  },
};
