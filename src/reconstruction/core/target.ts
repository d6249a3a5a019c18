import { KubectlCommand } from './command';
import { resourceType } from './kinds';
import type { RequestView } from './request';

export function typeOf(view: RequestView): string {
  return resourceType(view.resource, view.group, view.version);
}

/**
 * `TYPE NAME`, or `TYPE/NAME` when the name could pass for a flag (the apiserver does not
 * validate names of requests that failed).
 */
export function addTarget(cmd: KubectlCommand, view: RequestView): KubectlCommand {
  if (!view.name) return cmd.arg(typeOf(view));
  if (view.name.startsWith('-')) return cmd.arg(`${typeOf(view)}/${view.name}`);
  return cmd.arg(typeOf(view)).arg(view.name);
}

/** `TYPE/NAME` as rollout, scale, set, expose and autoscale take it. */
export function slashTarget(cmd: KubectlCommand, view: RequestView): KubectlCommand {
  return cmd.arg(`${typeOf(view)}/${view.name || '<name>'}`);
}

/** A pod name as exec, attach and logs take it. */
export function podTarget(cmd: KubectlCommand, view: RequestView): KubectlCommand {
  return cmd.arg(view.name.startsWith('-') ? `pod/${view.name}` : view.name);
}

export function bodyNotRecorded(cmd: KubectlCommand, what: string): KubectlCommand {
  return cmd.partial(
    `the request body was not recorded (audit level ${cmd.level}); ${what} is marked with <...>`,
  );
}
