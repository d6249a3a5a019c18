import { FIELDS } from './fields';
import { FieldDefinition } from './types';

export const FIELD_TABLE_BEGIN =
  '<!-- fields:begin (generated from FIELDS by src/detection/engine/field-docs.ts) -->';
export const FIELD_TABLE_END = '<!-- fields:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function argument(f: FieldDefinition): string {
  if (f.arg === 'none') return '';
  if (f.arg === 'index') return '`[n]` index, optional';
  return f.argRequired ? '`[key]` required' : '`[key]` optional';
}

/** The markdown table of docs/detection-engine.md, one row per field of FIELDS. */
export function fieldTableMarkdown(fields: readonly FieldDefinition[] = FIELDS): string {
  const rows = fields.map(
    (f) =>
      `| \`${f.name}\` | ${f.list ? 'list' : 'string'} | ${argument(f)} | ${f.paths.map((p) => `\`${cell(p)}\``).join('<br>')} | ${f.origin} | ${cell(f.description)} |`,
  );
  return [
    FIELD_TABLE_BEGIN,
    '| field | type | argument | read from | origin | description |',
    '|---|---|---|---|---|---|',
    ...rows,
    FIELD_TABLE_END,
  ].join('\n');
}
