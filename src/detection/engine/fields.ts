import { ENTRIES, Extractor } from './field-builders';
import { declareJsonFields } from './json-fields';
import { declareObjectFields } from './object-fields';
import { declarePodFields } from './pod-fields';
import { declareRequestFields } from './request-fields';
import { FieldDefinition } from './types';

export { imageRepository } from './field-builders';
export type { Extractor } from './field-builders';

/*
 * The k8saudit field table, following falcosecurity/plugins plugins/k8saudit/pkg/k8saudit/fields.go
 * and extract.go (https://github.com/falcosecurity/plugins/blob/main/plugins/k8saudit/pkg/k8saudit/extract.go),
 * plus the json plugin's jevt.* / json.* fields (plugins/json/pkg/json/json.go). Each field is
 * declared once; docs/detection-engine.md is generated from FIELDS and checked by a test.
 */
declareRequestFields();
declarePodFields();
declareObjectFields();
declareJsonFields();

const BY_NAME = new Map(ENTRIES.map((e) => [e.definition.name, e]));

export const FIELDS: readonly FieldDefinition[] = Object.freeze(
  ENTRIES.map((e) => Object.freeze(e.definition)),
);

export interface BoundField {
  definition: FieldDefinition;
  /** `name` or `name[arg]`, as the rule wrote it. */
  key: string;
  extract: Extractor;
}

/** Resolves `name` + optional bracket argument; throws a message naming the problem. */
export function bindField(name: string, arg: string | undefined): BoundField {
  const entry = BY_NAME.get(name);
  if (!entry) throw new Error(`unknown field '${name}'`);
  const { definition } = entry;
  const key = arg === undefined ? name : `${name}[${arg}]`;
  if (arg !== undefined && definition.arg === 'none')
    throw new Error(`field '${name}' takes no argument (got '${key}')`);
  if (arg === undefined && definition.argRequired)
    throw new Error(`field '${name}' requires an argument: ${name}[...]`);
  try {
    return { definition, key, extract: entry.bind(arg) };
  } catch (e) {
    throw new Error(`field '${name}' ${(e as Error).message}`);
  }
}
