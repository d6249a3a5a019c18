/** Event text is untrusted: strip control characters and bound its length before showing it. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

export function clean(text: string, max: number): string {
  CONTROL.lastIndex = 0;
  const printable = CONTROL.test(text) ? text.replace(CONTROL, ' ') : text;
  return printable.length > max ? `${printable.slice(0, max)}...` : printable;
}

/** A name in backticks, safe to embed in a sentence. */
export function code(text: string, max = 120): string {
  return `\`${clean(text.includes('`') ? text.replace(/`/g, "'") : text, max)}\``;
}
