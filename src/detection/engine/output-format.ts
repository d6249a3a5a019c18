import { CompileError } from './errors';
import { FieldValue } from './event-view';
import { FIELDS } from './fields';

export type OutputToken = { text: string } | { field: string; arg?: string };

const FIELD_NAMES = new Set(FIELDS.map((f) => f.name));
const TAKES_ARG = new Set(FIELDS.filter((f) => f.arg !== 'none').map((f) => f.name));

/**
 * Splits an output into text and `%field` / `%field[arg]` tokens like libsinsp's
 * sinsp_evt_formatter::set_format: every `%` must start a known field (the longest name that
 * matches), otherwise loading fails ("invalid formatting token"); there is no `%%` escape.
 */
export function parseOutput(output: string): OutputToken[] {
  const tokens: OutputToken[] = [];
  let text = '';
  let i = 0;
  while (i < output.length) {
    const c = output[i];
    if (c !== '%') {
      text += c;
      i++;
      continue;
    }
    const candidate = /^[A-Za-z0-9_.]+/.exec(output.slice(i + 1))?.[0] ?? '';
    let name = candidate;
    while (name.length > 0 && !FIELD_NAMES.has(name)) name = name.slice(0, -1);
    if (name === '') {
      throw new CompileError(
        `invalid formatting token '%${output.slice(i + 1, i + 21)}' in output: '%' must be followed by a field name`,
      );
    }
    if (text) tokens.push({ text });
    text = '';
    i += 1 + name.length;
    let arg: string | undefined;
    if (output[i] === '[' && TAKES_ARG.has(name)) {
      const close = output.indexOf(']', i);
      if (close < 0) throw new CompileError(`missing ']' after %${name}[ in output`);
      arg = output.slice(i + 1, close);
      i = close + 1;
    }
    tokens.push({ field: name, arg });
  }
  if (text) tokens.push({ text });
  return tokens;
}

/** A value as Falco prints it: `<NA>` when absent, a list as `(a,b)`. */
export function formatValue(value: FieldValue): string {
  if (value === undefined) return '<NA>';
  if (typeof value === 'string') return value;
  return `(${value.join(',')})`;
}
