import { ExceptionDefinition } from './exceptions';

const EXCEPTION_KEYS = ['name', 'fields', 'comps', 'values'];

export type Fail = (problem: string) => never;

function isStringOrStrings(value: unknown): boolean {
  return (
    value === undefined ||
    typeof value === 'string' ||
    (Array.isArray(value) && value.every((v) => typeof v === 'string'))
  );
}

/** A rule's `exceptions` list, checked for shape; fields, operators and tuples are checked when compiled. */
export function readExceptions(
  value: unknown,
  file: string,
  line: number,
  fail: Fail,
): ExceptionDefinition[] {
  if (!Array.isArray(value)) return fail("'exceptions' must be a list");
  const names = new Set<string>();
  return value.map((raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return fail('each exception must be a mapping');
    }
    const ex = raw as Record<string, unknown>;
    for (const key of Object.keys(ex)) {
      if (!EXCEPTION_KEYS.includes(key)) {
        fail(`exception has unknown key '${key}' (allowed: ${EXCEPTION_KEYS.join(', ')})`);
      }
    }
    if (typeof ex.name !== 'string' || ex.name === '') return fail('each exception needs a name');
    const name = ex.name;
    if (names.has(name))
      fail(`exception names must be unique in an item: '${name}' is given twice`);
    names.add(name);
    if (!isStringOrStrings(ex.fields)) {
      fail(`exception '${name}': 'fields' must be a field name or a list of field names`);
    }
    if (!isStringOrStrings(ex.comps)) {
      fail(`exception '${name}': 'comps' must be an operator or a list of operators`);
    }
    if (ex.values !== undefined && !Array.isArray(ex.values)) {
      fail(`exception '${name}': 'values' must be a list`);
    }
    return {
      name,
      fields: ex.fields as string[] | string | undefined,
      comps: ex.comps as string[] | string | undefined,
      values: (ex.values as unknown[] | undefined) ?? [],
      file,
      line,
    };
  });
}

/** Appended exceptions: values join the exception of the same name, a new name is added whole. */
export function mergeExceptions(
  existing: readonly ExceptionDefinition[],
  added: readonly ExceptionDefinition[],
  fail: Fail,
): ExceptionDefinition[] {
  const merged = existing.map((e) => ({ ...e, values: [...e.values] }));
  for (const ex of added) {
    const same = merged.find((e) => e.name === ex.name);
    if (!same) {
      if (ex.fields === undefined) fail(`exception '${ex.name}' is new and needs 'fields'`);
      if (ex.values.length === 0) fail(`exception '${ex.name}' is new and needs 'values'`);
      merged.push(ex);
      continue;
    }
    // Falco (rule_loader_collector.cpp, append): only values can be appended to an exception.
    if (ex.fields !== undefined || ex.comps !== undefined) {
      fail(`exception '${ex.name}' exists: only its values can be appended, not fields or comps`);
    }
    same.values.push(...ex.values);
  }
  return merged;
}
