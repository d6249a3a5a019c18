import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CLUSTER_NAME } from '../config/app-config';
import type { SourceDefinition, SourceEntryBase, SourceContext } from './source-definition';

/** A validated entry of the sources file with the definition that runs it. */
export interface ConfiguredSource {
  entry: SourceEntryBase;
  definition: SourceDefinition;
}

/** Names a lease, a checkpoint row and a metrics label. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A sources file is a few entries; anything bigger is a mistake. */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_SOURCES = 100;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function messages(errors: ValidationError[], prefix = ''): string[] {
  // One field's decorators often share a message ("must be a whole number from 1 to 3600").
  return [...new Set(messagesOf(errors, prefix))];
}

function messagesOf(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((why) =>
      // class-validator says "property x should not exist" for unknown fields.
      why.includes('should not exist') ? `${path}: unknown field` : `${path}: ${why}`,
    );
    return [...own, ...messagesOf(error.children ?? [], `${path}.`)];
  });
}

/**
 * Reads and validates `SOURCES_FILE` (YAML: `sources: [{name, kind, cluster?, ...}]`). Every
 * problem is returned, each naming the file, the entry and the field, so one edit fixes them
 * all; nothing is connected here (a cloud's reachability is the runner's business).
 */
export function loadSourcesFile(
  path: string,
  context: SourceContext,
  definitions: readonly SourceDefinition[],
): { sources: ConfiguredSource[]; problems: string[] } {
  const problems: string[] = [];
  const where = `SOURCES_FILE ${path}`;
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) {
      return { sources: [], problems: [`${where}: larger than ${MAX_FILE_BYTES} bytes`] };
    }
    text = bytes.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { sources: [], problems: [`${where}: cannot read it (${code})`] };
  }
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    return { sources: [], problems: [`${where}: not valid YAML (${(error as Error).message})`] };
  }
  const list = isObject(doc) ? doc.sources : undefined;
  if (!Array.isArray(list)) {
    return { sources: [], problems: [`${where}: needs a list under "sources:"`] };
  }
  if (list.length > MAX_SOURCES) {
    return { sources: [], problems: [`${where}: more than ${MAX_SOURCES} sources`] };
  }
  const byKind = new Map(definitions.map((d) => [d.kind as string, d]));
  const names = new Set<string>();
  const sources: ConfiguredSource[] = [];
  list.forEach((raw: unknown, index) => {
    const label =
      isObject(raw) && typeof raw.name === 'string'
        ? `${where}: sources[${index}] (${JSON.stringify(raw.name.slice(0, 64))})`
        : `${where}: sources[${index}]`;
    const before = problems.length;
    if (!isObject(raw)) {
      problems.push(`${label}: must be a mapping with name and kind`);
      return;
    }
    if (typeof raw.name !== 'string' || !SOURCE_NAME.test(raw.name)) {
      problems.push(`${label}: name must be 1-63 characters of a-z, 0-9 and -`);
    } else if (names.has(raw.name)) {
      problems.push(`${label}: name is used by another source`);
    } else {
      names.add(raw.name);
    }
    if (
      raw.cluster !== undefined &&
      (typeof raw.cluster !== 'string' || !CLUSTER_NAME.test(raw.cluster))
    ) {
      problems.push(
        `${label}: cluster must be 1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit`,
      );
    }
    const definition = typeof raw.kind === 'string' ? byKind.get(raw.kind) : undefined;
    if (!definition) {
      problems.push(`${label}: kind must be one of ${[...byKind.keys()].join(', ')}`);
      return;
    }
    const entry = plainToInstance(definition.entryClass, raw);
    problems.push(
      ...messages(
        validateSync(entry, {
          whitelist: true,
          forbidNonWhitelisted: true,
          forbidUnknownValues: false,
        }),
      ).map((m) => `${label}: ${m}`),
    );
    if (problems.length === before) {
      problems.push(...(definition.check?.(entry, context) ?? []).map((m) => `${label}: ${m}`));
    }
    if (problems.length === before) sources.push({ entry, definition });
  });
  return { sources, problems };
}
