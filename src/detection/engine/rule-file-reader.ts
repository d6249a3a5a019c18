import { LineCounter, Node, Pair, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { RuleLoadError } from './errors';
import { RuleSource } from './types';

export type ItemKind =
  'list' | 'macro' | 'rule' | 'required_engine_version' | 'required_plugin_versions';
const ITEM_KINDS: readonly ItemKind[] = [
  'rule',
  'macro',
  'list',
  'required_engine_version',
  'required_plugin_versions',
];

/** One top-level item of a rules file, as plain data, with the lines it and each of its keys start on. */
export interface RawItem {
  kind: ItemKind;
  name: string;
  body: Record<string, unknown>;
  file: string;
  line: number;
  keyLines: ReadonlyMap<string, number>;
}

function lineOf(node: Node | null | undefined, counter: LineCounter): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : counter.linePos(start).line;
}

/** Reads a Falco rules file (one or more YAML documents, each a list of items); every problem names the file and line. */
export function readRuleFile(source: RuleSource): RawItem[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(source.text, { lineCounter: counter, prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  const items: RawItem[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      throw new RuleLoadError(
        source.path,
        counter.linePos(error.pos[0]).line,
        `invalid YAML: ${error.message.split('\n')[0]}`,
      );
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    if (!isSeq(contents)) {
      throw new RuleLoadError(
        source.path,
        lineOf(contents, counter),
        'a rules file must be a YAML list of list, macro and rule items',
      );
    }
    for (const node of contents.items) {
      // A bare `-` (Falco's own k8s_audit_rules.yaml has one) is an empty item: nothing to load.
      if (node === null || (isScalar(node) && node.value === null)) continue;
      const line = lineOf(node as Node, counter) ?? 1;
      if (!isMap(node)) {
        throw new RuleLoadError(
          source.path,
          line,
          'each item must be a mapping with a rule, macro or list key',
        );
      }
      const keyLines = new Map<string, number>();
      for (const pair of node.items as Pair[]) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        keyLines.set(key, lineOf(pair.key as Node, counter) ?? line);
      }
      const body = node.toJSON() as Record<string, unknown>;
      const kind = ITEM_KINDS.find((k) => Object.prototype.hasOwnProperty.call(body, k));
      if (!kind) {
        throw new RuleLoadError(
          source.path,
          line,
          `unknown item with keys ${[...keyLines.keys()].join(', ')}: expected a rule, macro, list, required_engine_version or required_plugin_versions item`,
        );
      }
      const rawName = body[kind];
      const name = typeof rawName === 'string' ? rawName.trim() : String(rawName);
      items.push({ kind, name, body, file: source.path, line, keyLines });
    }
  }
  return items;
}
