import { KubectlCommand } from '../command';
import { LAST_APPLIED, REDACTED } from '../redact';
import { field, isObject, stringField, viewOf } from '../request';
import { addTarget } from '../target';
import type { Recognizer } from '../types';

/** Shared by label and annotate: both send a JSON merge patch of one metadata map. */
export function metadataPatchRecognizer(
  name: 'label' | 'annotate',
  key: 'labels' | 'annotations',
): Recognizer {
  const manager = `kubectl-${name}`;
  return {
    name,
    verbs: ['patch'],
    matches(event) {
      const view = viewOf(event);
      if (view.verb !== 'patch') return false;
      if (view.fieldManager === manager) return true;
      const metadata = field(view.body, 'metadata');
      return (
        !view.fieldManager &&
        view.client.kind !== 'other' &&
        isObject(view.body) &&
        Object.keys(view.body).length === 1 &&
        isObject(metadata) &&
        isObject(metadata[key]) &&
        Object.keys(metadata).every((k) => k === key || k === 'resourceVersion')
      );
    },
    build(event) {
      const view = viewOf(event);
      const cmd = new KubectlCommand(view, name);
      addTarget(cmd, view);
      const values = field(view.body, 'metadata', key);
      if (!isObject(values)) {
        cmd.raw('<key>=<value>').partial(`the ${key} were not recorded (audit level ${cmd.level})`);
      } else {
        const isSecret = view.resource === 'secrets';
        let overwrite = false;
        for (const [k, v] of Object.entries(values)) {
          if (v === null) {
            cmd.arg(`${k}-`);
            continue;
          }
          const text = typeof v === 'string' ? v : JSON.stringify(v);
          const hidden = k === LAST_APPLIED && (isSecret || /"kind"\s*:\s*"Secret"/.test(text));
          if (hidden) cmd.partial('the last-applied copy of a Secret was replaced by <redacted>');
          cmd.arg(`${k}=${hidden ? REDACTED : text}`);
          overwrite = true;
        }
        if (overwrite) cmd.raw('--overwrite');
        const version = stringField(view.body, 'metadata', 'resourceVersion');
        if (version) cmd.opt('--resource-version', version);
      }
      cmd.fieldManager(manager).dryRun();
      if (view.subresource)
        cmd.partial(`${name} cannot target the ${view.subresource} subresource`);
      return cmd.namespace().build();
    },
  };
}
