import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

/** Template files of a chart, by name. */
export function templateSources(chartDir: string): Map<string, string> {
  const dir = join(chartDir, 'templates');
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** Parses values.yaml strictly (duplicate keys are errors) and keeps the document for comments. */
export function loadValues(chartDir: string) {
  const text = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length)
    throw new Error(`values.yaml: ${doc.errors.map((e) => e.message).join('; ')}`);
  return { text, doc, values: doc.toJS() as Record<string, unknown> };
}

function has(values: unknown, path: string[]): boolean {
  let node = values;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node))
      return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * Every `.Values.a.b` (and `$x.b` where `$x := .Values.a`) a template reads must exist in
 * values.yaml: a typo there renders silently as empty in Helm.
 */
export function missingValueReferences(templates: Map<string, string>, values: unknown): string[] {
  const missing: string[] = [];
  for (const [file, source] of templates) {
    const aliases = new Map<string, string[]>();
    for (const m of source.matchAll(/\$(\w+)\s*:=\s*\$?\.Values((?:\.\w+)+)/g)) {
      aliases.set(m[1], m[2].slice(1).split('.'));
    }
    for (const m of source.matchAll(/\$?\.Values((?:\.\w+)+)/g)) {
      const path = m[1].slice(1).split('.');
      if (!has(values, path)) missing.push(`${file}: .Values.${path.join('.')}`);
    }
    for (const [alias, base] of aliases) {
      for (const m of source.matchAll(new RegExp(`\\$${alias}((?:\\.\\w+)+)`, 'g'))) {
        const path = [...base, ...m[1].slice(1).split('.')];
        if (!has(values, path)) missing.push(`${file}: $${alias} -> .Values.${path.join('.')}`);
      }
    }
  }
  return [...new Set(missing)];
}

/** Go-template structure: balanced delimiters, every block closed, every include defined. */
export function templateStructureProblems(templates: Map<string, string>): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  for (const source of templates.values()) {
    for (const m of source.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)) defined.add(m[1]);
  }
  for (const [file, source] of templates) {
    const opens = (source.match(/\{\{/g) ?? []).length;
    const closes = (source.match(/\}\}/g) ?? []).length;
    if (opens !== closes) problems.push(`${file}: ${opens} "{{" but ${closes} "}}"`);
    let depth = 0;
    for (const m of source.matchAll(/\{\{-?\s*(\/\*[\s\S]*?\*\/|[^}]*?)\s*-?\}\}/g)) {
      const action = m[1];
      if (action.startsWith('/*')) continue;
      if (/^(if|range|with|define|block)\b/.test(action)) depth++;
      else if (/^end\b/.test(action)) depth--;
      if (depth < 0) problems.push(`${file}: "end" without an open block`);
    }
    if (depth > 0) problems.push(`${file}: ${depth} block(s) not closed with "end"`);
    for (const m of source.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) {
      if (!defined.has(m[1])) problems.push(`${file}: includes undefined template "${m[1]}"`);
    }
  }
  return problems;
}

/**
 * Leaf settings of values.yaml (scalars, lists, empty maps) as dotted paths, each with whether it
 * is documented: a comment above the key itself, or above a parent block such as `resources:`.
 */
export function valueLeaves(doc: Document): { path: string; commented: boolean }[] {
  const leaves: { path: string; commented: boolean }[] = [];
  const walk = (map: Node | null | undefined, prefix: string[], inherited: boolean) => {
    if (!isMap(map)) return;
    map.items.forEach((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      // yaml attaches a comment above the first key of a block to the block (or the document).
      const firstKeyComment =
        i === 0 && (prefix.length === 0 ? !!doc.commentBefore : !!map.commentBefore);
      const commented =
        inherited ||
        firstKeyComment ||
        !!(pair.key as Node & { commentBefore?: string }).commentBefore;
      const value = pair.value as Node | null;
      const path = [...prefix, key];
      if (isMap(value) && value.items.length > 0) walk(value, path, commented);
      else
        leaves.push({
          path: path.join('.'),
          commented: commented || (isSeq(value) && !!value.commentBefore),
        });
    });
  };
  walk(doc.contents as Node, [], false);
  return leaves;
}
