import type { JsonObject, JsonValue } from '../../../domain/audit-event';
import { KubectlCommand } from '../command';
import { REDACTED } from '../redact';
import { isObject, viewOf } from '../request';
import type { Recognizer } from '../types';
import { CREATE_MANAGER } from './create-from-file';

/** A generator's object carries nothing beyond its name (and empty spec/status). */
function bare(body: JsonObject, allowed: string[]): boolean {
  const metadata = body.metadata;
  if (!isObject(metadata)) return false;
  const metadataOk = Object.keys(metadata).every(
    (k) => k === 'name' || k === 'namespace' || (k === 'creationTimestamp' && metadata[k] === null),
  );
  const bodyOk = Object.entries(body).every(
    ([k, v]) =>
      ['kind', 'apiVersion', 'metadata', ...allowed].includes(k) ||
      ((k === 'spec' || k === 'status') && isObject(v) && Object.keys(v).length === 0),
  );
  return metadataOk && bodyOk && typeof metadata.name === 'string';
}

function stringMap(value: JsonValue | undefined): value is { [key: string]: string } {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

type Generator = (cmd: KubectlCommand, body: JsonObject, name: string) => boolean;

const GENERATORS = new Map<string, Generator>([
  ['Namespace', (cmd, body, name) => bare(body, []) && add(cmd.raw('namespace').arg(name))],
  [
    'ServiceAccount',
    (cmd, body, name) => bare(body, []) && add(cmd.raw('serviceaccount').arg(name)),
  ],
  [
    'ConfigMap',
    (cmd, body, name) => {
      if (!bare(body, ['data']) || !stringMap(body.data)) return false;
      cmd.raw('configmap').arg(name);
      for (const [k, v] of Object.entries(body.data)) cmd.arg(`--from-literal=${k}=${v}`);
      return true;
    },
  ],
  [
    'Secret',
    (cmd, body, name) => {
      if (!bare(body, ['data', 'type'])) return false;
      if (body.type !== undefined && body.type !== 'Opaque') return false;
      const data = body.data ?? {};
      if (!stringMap(data)) return false;
      cmd.raw('secret', 'generic').arg(name);
      for (const k of Object.keys(data)) cmd.arg(`--from-literal=${k}=${REDACTED}`);
      if (Object.keys(data).length > 0) cmd.partial('secret values were replaced by <redacted>');
      return true;
    },
  ],
]);

function add(_cmd: KubectlCommand): true {
  return true;
}

function generatorFor(body: JsonObject | undefined): [Generator, string] | undefined {
  const generator = body && typeof body.kind === 'string' ? GENERATORS.get(body.kind) : undefined;
  const name = body && isObject(body.metadata) ? body.metadata.name : undefined;
  return generator && typeof name === 'string' ? [generator, name] : undefined;
}

export const createGeneratorRecognizer: Recognizer = {
  name: 'create-generator',
  verbs: ['create'],
  matches(event) {
    const view = viewOf(event);
    if (view.verb !== 'create' || view.subresource || view.fieldManager !== CREATE_MANAGER)
      return false;
    const found = generatorFor(view.bodyObject);
    return found !== undefined && found[0](new KubectlCommand(view), view.bodyObject!, found[1]);
  },
  build(event) {
    const view = viewOf(event);
    const [generator, name] = generatorFor(view.bodyObject)!;
    const cmd = new KubectlCommand(view, 'create');
    generator(cmd, view.bodyObject!, name);
    return cmd.validation().dryRun().namespace().build();
  },
};
