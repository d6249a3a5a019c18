/**
 * The read side of URLSearchParams (same `&`/`=`/`+`/percent rules) without its setup cost,
 * which dominated reconstructing short requests: parsed on first use, never written.
 */
export class Query {
  private entries?: [string, string][];

  constructor(private readonly raw: string) {}

  get(name: string): string | null {
    for (const [key, value] of this.parsed()) if (key === name) return value;
    return null;
  }

  getAll(name: string): string[] {
    const values: string[] = [];
    for (const [key, value] of this.parsed()) if (key === name) values.push(value);
    return values;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  private parsed(): [string, string][] {
    if (this.entries) return this.entries;
    this.entries = [];
    if (!this.raw) return this.entries;
    for (const part of this.raw.split('&')) {
      if (!part) continue;
      const at = part.indexOf('=');
      const key = at < 0 ? part : part.slice(0, at);
      const value = at < 0 ? '' : part.slice(at + 1);
      this.entries.push([decode(key), decode(value)]);
    }
    return this.entries;
  }
}

function decode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return decodeBytes(spaced);
  }
}

/** WHATWG percent-decoding: bytes first, then UTF-8 with U+FFFD for what is not valid. */
function decodeBytes(text: string): string {
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      parts.push(Buffer.from(plain), Buffer.from([parseInt(hex, 16)]));
      plain = '';
      i += 2;
    } else {
      plain += text[i];
    }
  }
  parts.push(Buffer.from(plain));
  return Buffer.concat(parts).toString('utf8');
}
