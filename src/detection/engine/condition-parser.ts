import { CompileError } from './errors';

/**
 * Falco's condition language (libsinsp userspace/libsinsp/filter/parser.cpp): `or` binds
 * loosest, then `and`, then `not`; a bare identifier is a macro; a field is followed by an
 * operator, and `in`/`intersects`/`pmatch` take a parenthesised list whose items may name lists.
 */
export const OPERATORS = [
  '=',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'icontains',
  'startswith',
  'endswith',
  'glob',
  'pmatch',
  'in',
  'intersects',
  'exists',
  'regex',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators whose right side is a list `(a, b, ...)`. */
export const LIST_OPERATORS: ReadonlySet<Operator> = new Set<Operator>([
  'in',
  'intersects',
  'pmatch',
]);

/** libsinsp operators we do not implement: named so the error says so instead of "unexpected". */
const UNSUPPORTED_OPERATORS = new Set(['bcontains', 'bstartswith', 'iglob']);

export type ConditionNode =
  | { kind: 'and' | 'or'; children: ConditionNode[] }
  | { kind: 'not'; child: ConditionNode }
  | { kind: 'macro'; name: string }
  | {
      kind: 'check';
      field: string;
      arg?: string;
      op: Operator;
      values: string[];
      /** Indexes of values written in quotes: Falco replaces list names only where they stand bare. */
      quoted?: number[];
    };

const TEXT_OPERATORS = new Set<string>(OPERATORS.filter((o) => /^[a-z]/.test(o)));

/** Characters that end a bare word (libsinsp: space, parentheses, comma, quotes, '='). */
const BARE_END = /[\s(),"'=]/;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): ConditionNode {
    this.skipSpace();
    if (this.pos >= this.text.length) throw this.error('empty condition');
    const node = this.parseOr();
    this.skipSpace();
    if (this.pos < this.text.length) throw this.error(`unexpected '${this.peekWord()}'`);
    return node;
  }

  private error(message: string): CompileError {
    return new CompileError(
      `${message} at position ${this.pos + 1} of condition: ${this.text.trim()}`,
    );
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private peekWord(): string {
    const rest = this.text.slice(this.pos);
    const m = /^[^\s()]+/.exec(rest);
    return m ? m[0] : rest.slice(0, 1);
  }

  /** Consumes `word` when it is the next keyword (followed by a space, a parenthesis or the end). */
  private keyword(word: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(word, this.pos)) return false;
    const after = this.text[this.pos + word.length];
    if (after !== undefined && !/[\s()]/.test(after)) return false;
    this.pos += word.length;
    return true;
  }

  private parseOr(): ConditionNode {
    const children = [this.parseAnd()];
    while (this.keyword('or')) children.push(this.parseAnd());
    return children.length === 1 ? children[0] : { kind: 'or', children };
  }

  private parseAnd(): ConditionNode {
    const children = [this.parseNot()];
    while (this.keyword('and')) children.push(this.parseNot());
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private parseNot(): ConditionNode {
    if (this.keyword('not')) return { kind: 'not', child: this.parseNot() };
    return this.parsePrimary();
  }

  private parsePrimary(): ConditionNode {
    this.skipSpace();
    if (this.text[this.pos] === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.text[this.pos] !== ')') throw this.error("missing ')'");
      this.pos++;
      return inner;
    }
    const start = this.pos;
    const identifier = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(this.text.slice(this.pos));
    if (!identifier) {
      throw this.error(
        this.pos >= this.text.length
          ? 'unexpected end of condition'
          : `unexpected '${this.peekWord()}'`,
      );
    }
    const name = identifier[0];
    if (name === 'and' || name === 'or') throw this.error(`unexpected '${name}'`);
    this.pos += name.length;
    let arg: string | undefined;
    if (this.text[this.pos] === '[') {
      const close = this.text.indexOf(']', this.pos);
      if (close < 0) throw this.error(`missing ']' after ${name}[`);
      arg = this.text.slice(this.pos + 1, close);
      this.pos = close + 1;
    }
    const op = this.parseOperator();
    if (op === undefined) {
      if (arg !== undefined) {
        this.pos = start;
        throw this.error(`field '${name}[${arg}]' needs an operator`);
      }
      return { kind: 'macro', name };
    }
    if (op === 'exists') return { kind: 'check', field: name, arg, op, values: [] };
    const quoted: number[] = [];
    const values = LIST_OPERATORS.has(op) ? this.parseList(op, quoted) : [this.parseValue()];
    return quoted.length > 0
      ? { kind: 'check', field: name, arg, op, values, quoted }
      : { kind: 'check', field: name, arg, op, values };
  }

  private parseOperator(): Operator | undefined {
    this.skipSpace();
    const symbolic = /^(==|=|!=|<=|>=|<|>)/.exec(this.text.slice(this.pos));
    if (symbolic) {
      this.pos += symbolic[0].length;
      return symbolic[0] as Operator;
    }
    const word = /^[a-z]+/.exec(this.text.slice(this.pos));
    if (!word) return undefined;
    const after = this.text[this.pos + word[0].length];
    const bounded = after === undefined || /[\s()"']/.test(after);
    if (bounded && UNSUPPORTED_OPERATORS.has(word[0]))
      throw this.error(`unsupported operator '${word[0]}'`);
    if (!bounded || !TEXT_OPERATORS.has(word[0])) return undefined;
    this.pos += word[0].length;
    return word[0] as Operator;
  }

  private parseList(op: Operator, quoted: number[]): string[] {
    this.skipSpace();
    if (this.text[this.pos] !== '(')
      throw this.error(`'${op}' needs a list in parentheses, e.g. (a, b)`);
    this.pos++;
    const values: string[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return values;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '"' || this.text[this.pos] === "'") quoted.push(values.length);
      values.push(this.parseValue());
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ')') {
        this.pos++;
        return values;
      }
      throw this.error(
        c === undefined ? "missing ')' after list" : `expected ',' or ')' in list, found '${c}'`,
      );
    }
  }

  private parseValue(): string {
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote === '"' || quote === "'") return this.parseQuoted(quote);
    const start = this.pos;
    while (this.pos < this.text.length && !BARE_END.test(this.text[this.pos])) this.pos++;
    if (this.pos === start)
      throw this.error(
        this.pos >= this.text.length ? 'missing value' : `unexpected '${this.text[this.pos]}'`,
      );
    return this.text.slice(start, this.pos);
  }

  private parseQuoted(quote: string): string {
    let out = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === quote) return out;
      if (c === '\\' && this.pos < this.text.length) {
        const next = this.text[this.pos++];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
      } else {
        out += c;
      }
    }
    throw this.error('unterminated string');
  }
}

export function parseCondition(text: string): ConditionNode {
  return new Parser(text).parse();
}
