/** POSIX-shell quoting: safe tokens stay bare, anything else goes into single quotes. */
const SAFE_TOKEN = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(value: string): string {
  if (SAFE_TOKEN.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A heredoc delimiter that no line of the body can close early. */
export function heredocDelimiter(body: string): string {
  let delimiter = 'EOF';
  for (let i = 1; body.includes(delimiter); i++) delimiter = `EOF_${i}`;
  return delimiter;
}

export function heredoc(body: string): { redirect: string; text: string } {
  const delimiter = heredocDelimiter(body);
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return { redirect: `<<'${delimiter}'`, text: `${text}${delimiter}` };
}
