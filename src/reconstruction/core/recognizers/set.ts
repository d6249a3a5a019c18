import type { JsonObject, JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { redactArgs } from '../redact';
import { field, isObject, stringField, viewOf } from '../request';
import { slashTarget } from '../target';
import type { Recognizer } from '../types';

const SET_MANAGER = 'kubectl-set';

/** The pod spec inside a patch of a pod, a workload template or a CronJob. */
function podSpec(body: JsonValue | undefined): JsonObject | undefined {
  for (const path of [
    ['spec', 'template', 'spec'],
    ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    ['spec'],
  ]) {
    const spec = field(body, ...path);
    if (
      isObject(spec) &&
      ('containers' in spec || 'initContainers' in spec || 'serviceAccountName' in spec)
    ) {
      return spec;
    }
  }
  return undefined;
}

function containersOf(spec: JsonObject): JsonObject[] {
  const all = [spec.initContainers, spec.containers].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
  return all.filter(isObject);
}

function onlyKeys(container: JsonObject, allowed: string[]): boolean {
  return Object.keys(container).every((key) => key === 'name' || allowed.includes(key));
}

/** A subcommand word and what follows the target, or undefined when the body is not its shape. */
interface SetPlan {
  word: string;
  finish(cmd: KubectlCommand): void;
}

function imagePlan(containers: JsonObject[]): SetPlan | undefined {
  if (containers.length === 0) return undefined;
  if (!containers.every((c) => onlyKeys(c, ['image']) && typeof c.image === 'string'))
    return undefined;
  return {
    word: 'image',
    finish: (cmd) => containers.forEach((c) => cmd.arg(`${String(c.name)}=${String(c.image)}`)),
  };
}

function envPlan(containers: JsonObject[]): SetPlan | undefined {
  if (containers.length === 0) return undefined;
  if (!containers.every((c) => onlyKeys(c, ['env']) && Array.isArray(c.env))) return undefined;
  const first = JSON.stringify(containers[0].env);
  if (!containers.every((c) => JSON.stringify(c.env) === first)) return undefined;
  return {
    word: 'env',
    finish(cmd) {
      const pairs: string[] = [];
      for (const entry of containers[0].env as JsonValue[]) {
        const name = stringField(entry, 'name') ?? '';
        const value = stringField(entry, 'value');
        if (field(entry, '$patch') === 'delete') pairs.push(`${name}-`);
        else if (value !== undefined) pairs.push(`${name}=${value}`);
        else {
          pairs.push(`${name}=<value-from>`);
          cmd.partial(`${name} comes from valueFrom, which set env --from=... builds`);
        }
      }
      const { value, redacted } = redactArgs(pairs);
      if (redacted)
        cmd.partial('a credential in an environment variable was replaced by <redacted>');
      value.forEach((pair) => cmd.arg(pair));
      // A patch naming one container is a one-container pod or `-c`: `-c` is right for both.
      if (containers.length === 1) cmd.opt('-c', String(containers[0].name));
    },
  };
}

function quantities(value: JsonValue | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  return Object.entries(value)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

function resourcesPlan(containers: JsonObject[]): SetPlan | undefined {
  if (containers.length !== 1 || !onlyKeys(containers[0], ['resources'])) return undefined;
  const resources = containers[0].resources;
  return {
    word: 'resources',
    finish(cmd) {
      cmd.opt('-c', String(containers[0].name));
      const limits = quantities(field(resources, 'limits'));
      if (limits) cmd.opt('--limits', limits);
      const requests = quantities(field(resources, 'requests'));
      if (requests) cmd.opt('--requests', requests);
    },
  };
}

function serviceAccountPlan(spec: JsonObject): SetPlan | undefined {
  const name = spec.serviceAccountName;
  if (Object.keys(spec).length !== 1 || typeof name !== 'string') return undefined;
  return { word: 'serviceaccount', finish: (cmd) => cmd.arg(name) };
}

function planFor(body: JsonValue | undefined): SetPlan | undefined {
  const spec = podSpec(body);
  if (!spec) return undefined;
  const containers = containersOf(spec);
  return (
    serviceAccountPlan(spec) ??
    imagePlan(containers) ??
    envPlan(containers) ??
    resourcesPlan(containers)
  );
}

export const setRecognizer: Recognizer = {
  name: 'set',
  verbs: ['patch'],
  matches(event) {
    const view = viewOf(event);
    return view.verb === 'patch' && view.fieldManager === SET_MANAGER;
  },
  build(event) {
    const view = viewOf(event);
    const cmd = new KubectlCommand(view, 'set');
    const plan = planFor(view.body);
    cmd.raw(plan ? plan.word : '<image|env|resources|serviceaccount|selector|subject>');
    slashTarget(cmd, view);
    if (plan) plan.finish(cmd);
    else if (view.body === undefined) {
      cmd.partial(
        `set subcommands differ only by body, which was not recorded (audit level ${cmd.level})`,
      );
    } else {
      cmd.partial('the patch does not have a shape the set subcommands produce');
    }
    return cmd.dryRun().namespace().build();
  },
};
