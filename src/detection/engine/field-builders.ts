import { EventView, FieldValue, falcoString, listValue, walk } from './event-view';
import { FieldArgument, FieldDefinition } from './types';

/** Reads one field (its argument already bound) from an event. */
export type Extractor = (view: EventView) => FieldValue;

export interface FieldEntry {
  definition: FieldDefinition;
  /** Binds the bracket argument (`undefined` when none); throws a message when it is not acceptable. */
  bind(arg: string | undefined): Extractor;
}

/** Every field, in declaration order; fields.ts fills it and derives FIELDS from it. */
export const ENTRIES: FieldEntry[] = [];

export interface Options {
  arg?: FieldArgument;
  argRequired?: boolean;
  origin?: FieldDefinition['origin'];
}

export function define(
  name: string,
  list: boolean,
  paths: string[],
  description: string,
  bind: (arg: string | undefined) => Extractor,
  options: Options = {},
): void {
  const arg = options.arg ?? 'none';
  ENTRIES.push({
    definition: {
      name,
      type: 'string',
      list,
      arg,
      argRequired: options.argRequired ?? false,
      paths,
      description,
      origin: options.origin ?? 'k8saudit',
    },
    bind,
  });
}

export function scalarAt(keys: string[]): Extractor {
  return (view) => falcoString(walk(view.event, keys));
}

/** A plain field read from fixed keys (`extractFromKeys`): list fields need a JSON array there. */
export function keysField(name: string, list: boolean, keys: string[], description: string): void {
  const path = keys.join('.');
  if (!list) {
    define(name, false, [path], description, () => scalarAt(keys));
    return;
  }
  define(name, true, [`${path}[]`], description, () => (view) => {
    const value = walk(view.event, keys);
    return Array.isArray(value) ? listValue(value.map((v) => falcoString(v) ?? 'null')) : undefined;
  });
}

export function parseIndex(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (!/^\d+$/.test(arg)) throw new Error(`takes a numeric index argument, not '${arg}'`);
  return Number(arg);
}

/** Values from each element of an array (optionally only the element at an index), nil skipped. */
export function fromElements(
  items: unknown[] | undefined,
  index: number | undefined,
  pick: (item: unknown) => unknown,
): FieldValue {
  if (items === undefined) return undefined;
  const selected = index === undefined ? items : index < items.length ? [items[index]] : undefined;
  if (selected === undefined) return undefined;
  const out: string[] = [];
  for (const item of selected) {
    const picked = pick(item);
    if (picked === undefined) continue;
    if (Array.isArray(picked)) {
      for (const v of picked) {
        const s = falcoString(v);
        if (s !== undefined) out.push(s);
      }
    } else {
      const s = falcoString(picked);
      if (s !== undefined) out.push(s);
    }
  }
  return listValue(out);
}

export function indexedField(
  name: string,
  paths: string[],
  description: string,
  items: (view: EventView) => unknown[] | undefined,
  pick: (item: unknown) => unknown,
  origin: FieldDefinition['origin'] = 'k8saudit',
): void {
  define(
    name,
    true,
    paths,
    description,
    (arg) => {
      const index = parseIndex(arg);
      return (view) => fromElements(items(view), index, pick);
    },
    { arg: 'index', origin },
  );
}

/** Falco's repository split: the part before the first ':' then before the first '@' (so `host:5000/x` gives `host`, as upstream). */
export function imageRepository(image: string): string {
  return image.split(':')[0].split('@')[0];
}

export const POD = '<pod spec>';

export function podValue(keys: string[]): Extractor {
  return (view) => falcoString(walk(view.podSpec(), keys));
}

export function arrayAt(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}
