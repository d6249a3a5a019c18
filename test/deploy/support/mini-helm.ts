/**
 * A small Go text/template interpreter with the Sprig/Helm functions this repo's chart uses, so
 * the chart can be rendered and schema-checked on machines without a helm binary. It is not
 * Helm: it implements only what the chart needs, and throws on anything else (an unknown
 * function or syntax fails the test rather than rendering something different from Helm).
 * Go semantics kept on purpose: trim markers, first-match if/else if, range over sorted map keys,
 * variable scoping, "empty" truthiness, and %v printing of numbers (8080 -> 8080, 67108864 ->
 * 6.7108864e+07, the classic Helm surprise).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYamlText } from 'yaml';

type Value = any;
type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: string }
  | { t: 'if'; branches: { cond: string; body: Node[] }[]; otherwise: Node[] }
  | { t: 'range' | 'with'; head: string; body: Node[]; otherwise: Node[] }
  | { t: 'define'; name: string; body: Node[] };

interface Scope {
  dot: Value;
  root: Value;
  vars: Map<string, Value>[];
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: ({ text: string } | { action: string })[]) {}

  parse(stopAt: RegExp = /^$/): { nodes: Node[]; stop?: string } {
    const nodes: Node[] = [];
    while (this.pos < this.tokens.length) {
      const tok = this.tokens[this.pos++];
      if ('text' in tok) {
        if (tok.text) nodes.push({ t: 'text', text: tok.text });
        continue;
      }
      const a = tok.action;
      if (a.startsWith('/*')) continue;
      if (stopAt.test(a)) return { nodes, stop: a };
      const block = /^(if|range|with|define)\s+([\s\S]*)$/.exec(a);
      if (!block) {
        nodes.push({ t: 'action', pipe: a });
        continue;
      }
      const [, kind, head] = block;
      if (kind === 'define') {
        const { nodes: body } = this.parse(/^end$/);
        nodes.push({ t: 'define', name: JSON.parse(head) as string, body });
      } else if (kind === 'if') {
        const branches: { cond: string; body: Node[] }[] = [];
        let cond = head;
        let otherwise: Node[] = [];
        for (;;) {
          const { nodes: body, stop } = this.parse(/^(else|end)\b/);
          branches.push({ cond, body });
          if (stop === undefined) throw new Error(`unclosed if ${head}`);
          if (stop === 'end') break;
          const elseIf = /^else\s+if\s+([\s\S]+)$/.exec(stop);
          if (elseIf) {
            cond = elseIf[1];
            continue;
          }
          otherwise = this.parse(/^end$/).nodes;
          break;
        }
        nodes.push({ t: 'if', branches, otherwise });
      } else {
        const { nodes: body, stop } = this.parse(/^(else|end)$/);
        const otherwise = stop === 'else' ? this.parse(/^end$/).nodes : [];
        nodes.push({ t: kind as 'range' | 'with', head, body, otherwise });
      }
    }
    return { nodes };
  }
}

function lex(source: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    out.push({ text }, { action: m[2].trim() });
    trimNext = !!m[3];
    last = re.lastIndex;
  }
  let tail = source.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  out.push({ text: tail });
  return out;
}

const TOKEN =
  /\s*("(?:[^"\\]|\\.)*"|\(|\)|\||:=|=|,|\$?[\w]*(?:\.[\w]+)+|\$\w*|\.|-?\d+(?:\.\d+)?|[A-Za-z_]\w*)/y;

function tokenize(pipe: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < pipe.length) {
    if (/^\s*$/.test(pipe.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(pipe);
    if (!m) throw new Error(`cannot parse template action: ${pipe}`);
    tokens.push(m[1]);
  }
  return tokens;
}

export function empty(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === 0n || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** Go's %v: integers (int/int64 results, --set numbers) are bigint; YAML numbers are float64. */
export function goString(v: Value): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
    if (exp >= -4 && exp < 6) return String(v);
    const [mantissa, e] = v.toExponential().split('e');
    const n = Number(e);
    return `${mantissa}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export class MiniHelm {
  private readonly defines = new Map<string, Node[]>();
  private readonly files = new Map<string, Node[]>();

  constructor(private readonly chartDir: string) {
    const meta = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
    this.chart = { Name: meta.name, Version: meta.version, AppVersion: meta.appVersion };
    for (const file of readdirSync(join(chartDir, 'templates'))) {
      const { nodes } = new Parser(
        lex(readFileSync(join(chartDir, 'templates', file), 'utf8')),
      ).parse();
      const name = `${this.chart.Name}/templates/${file}`;
      this.files.set(file, nodes);
      this.defines.set(name, nodes);
      for (const n of nodes) if (n.t === 'define') this.defines.set(n.name, n.body);
    }
  }

  private readonly chart: { Name: string; Version: string; AppVersion: string };

  /** Renders every manifest template (not _helpers, not NOTES) like `helm template`. */
  render(
    release: { name: string; namespace: string },
    sets: Record<string, Value> = {},
  ): Map<string, string> {
    const values = parseYaml(readFileSync(join(this.chartDir, 'values.yaml'), 'utf8'));
    for (const [path, value] of Object.entries(sets)) setPath(values, path, value);
    const root = {
      Values: values,
      Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
      Chart: this.chart,
      Template: { BasePath: `${this.chart.Name}/templates` },
    };
    const out = new Map<string, string>();
    for (const [file, nodes] of this.files) {
      if (file.startsWith('_') || !file.endsWith('.yaml')) continue;
      out.set(file, this.exec(nodes, { dot: root, root, vars: [new Map([['$', root]])] }));
    }
    return out;
  }

  private exec(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const n of nodes) {
      if (n.t === 'text') out += n.text;
      else if (n.t === 'define') continue;
      else if (n.t === 'action') out += this.action(n.pipe, scope);
      else if (n.t === 'if') {
        const inner = { ...scope, vars: [...scope.vars, new Map()] };
        const hit = n.branches.find((b) => !empty(this.pipeline(b.cond, inner)));
        out += this.exec(hit ? hit.body : n.otherwise, inner);
      } else if (n.t === 'with') {
        const inner = { ...scope, vars: [...scope.vars, new Map()] };
        const v = this.pipeline(n.head, inner);
        out += empty(v) ? this.exec(n.otherwise, inner) : this.exec(n.body, { ...inner, dot: v });
      } else {
        const m = /^(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?([\s\S]+)$/.exec(n.head)!;
        const coll = this.pipeline(m[3], scope);
        const entries: [Value, Value][] = Array.isArray(coll)
          ? coll.map((v, i) => [i, v])
          : coll && typeof coll === 'object'
            ? Object.keys(coll)
                .sort()
                .map((k) => [k, coll[k]])
            : [];
        if (entries.length === 0) out += this.exec(n.otherwise, scope);
        for (const [k, v] of entries) {
          const vars = new Map<string, Value>();
          if (m[1] && m[2]) vars.set(m[1], k).set(m[2], v);
          else if (m[1]) vars.set(m[1], v);
          out += this.exec(n.body, { ...scope, dot: v, vars: [...scope.vars, vars] });
        }
      }
    }
    return out;
  }

  private action(pipe: string, scope: Scope): string {
    const assign = /^(\$\w+)\s*(:?=)\s*([\s\S]+)$/.exec(pipe);
    if (!assign) return goString(this.pipeline(pipe, scope));
    const value = this.pipeline(assign[3], scope);
    const owner =
      assign[2] === ':='
        ? scope.vars[scope.vars.length - 1]
        : [...scope.vars].reverse().find((v) => v.has(assign[1]));
    if (!owner) throw new Error(`assignment to undeclared ${assign[1]}`);
    owner.set(assign[1], value);
    return '';
  }

  private pipeline(pipe: string, scope: Scope): Value {
    const tokens = tokenize(pipe);
    let pos = 0;
    const command = (piped: Value[]): Value => {
      const args: Value[] = [];
      let fn: string | undefined;
      while (pos < tokens.length && tokens[pos] !== '|' && tokens[pos] !== ')') {
        const tok = tokens[pos++];
        if (tok === '(') {
          args.push(pipeline());
          if (tokens[pos++] !== ')') throw new Error(`missing ) in ${pipe}`);
        } else if (
          /^[A-Za-z_]\w*$/.test(tok) &&
          !['true', 'false', 'nil'].includes(tok) &&
          args.length === 0 &&
          !fn
        ) {
          fn = tok;
        } else args.push(this.operand(tok, scope));
      }
      if (!fn) {
        if (args.length !== 1 || piped.length) throw new Error(`bad command in ${pipe}`);
        return args[0];
      }
      return this.call(fn, [...args, ...piped], scope);
    };
    const pipeline = (): Value => {
      let v = command([]);
      while (tokens[pos] === '|') {
        pos++;
        v = command([v]);
      }
      return v;
    };
    const result = pipeline();
    if (pos !== tokens.length) throw new Error(`unexpected ${tokens[pos]} in ${pipe}`);
    return result;
  }

  private operand(tok: string, scope: Scope): Value {
    if (tok.startsWith('"')) return JSON.parse(tok);
    if (/^-?\d/.test(tok)) return Number(tok);
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok === 'nil') return null;
    if (tok === '.') return scope.dot;
    const [head, ...fields] = tok.split('.');
    let v: Value;
    if (head === '') v = scope.dot;
    else {
      const frame = [...scope.vars].reverse().find((f) => f.has(head));
      if (!frame) throw new Error(`undefined variable ${head}`);
      v = frame.get(head);
    }
    for (const f of fields) v = v === null || v === undefined ? undefined : v[f];
    return v;
  }

  private call(fn: string, a: Value[], scope: Scope): Value {
    const str = (v: Value) => goString(v);
    switch (fn) {
      case 'include':
      case 'template': {
        const body = this.defines.get(a[0]);
        if (!body) throw new Error(`no template "${a[0]}"`);
        return this.exec(body, { dot: a[1], root: scope.root, vars: [new Map([['$', a[1]]])] });
      }
      case 'toYaml':
        return empty(a[0]) && typeof a[0] === 'object'
          ? Array.isArray(a[0])
            ? '[]'
            : '{}'
          : toYamlText(a[0]).replace(/\n$/, '');
      case 'nindent':
        return '\n' + indent(a[0], str(a[1]));
      case 'indent':
        return indent(a[0], str(a[1]));
      case 'quote':
        return JSON.stringify(str(a[0]));
      case 'default':
        return empty(a[1]) ? a[0] : a[1];
      case 'empty':
        return empty(a[0]);
      case 'printf':
        return printf(a[0], a.slice(1));
      case 'print':
        return a.map(str).join('');
      case 'trunc':
        return str(a[1]).slice(0, a[0]);
      case 'trimSuffix':
        return str(a[1]).endsWith(a[0]) ? str(a[1]).slice(0, -a[0].length) : str(a[1]);
      case 'contains':
        return str(a[1]).includes(a[0]);
      case 'replace':
        return str(a[2]).split(a[0]).join(a[1]);
      case 'ternary':
        return a[2] ? a[0] : a[1];
      case 'eq':
        return a.slice(1).some((b) => b === a[0]);
      case 'ne':
        return a[0] !== a[1];
      case 'gt':
        return a[0] > a[1];
      case 'lt':
        return a[0] < a[1];
      case 'int':
      case 'int64':
        return BigInt(Math.trunc(Number(a[0] ?? 0)));
      case 'and':
        return a.find((v) => empty(v)) ?? a[a.length - 1];
      case 'or':
        return a.find((v) => !empty(v)) ?? a[a.length - 1];
      case 'not':
        return empty(a[0]);
      case 'required':
        if (a[1] === null || a[1] === undefined || a[1] === '') throw new Error(a[0]);
        return a[1];
      case 'fail':
        throw new Error(a[0]);
      case 'sha256sum':
        return createHash('sha256').update(str(a[0])).digest('hex');
      case 'list':
        return a;
      case 'append':
        return [...(a[0] ?? []), a[1]];
      case 'join':
        return (a[1] ?? []).map(str).join(a[0]);
      case 'dict': {
        const d: Record<string, Value> = {};
        for (let i = 0; i + 1 < a.length; i += 2) d[str(a[i])] = a[i + 1];
        return d;
      }
      case 'set':
        a[0][str(a[1])] = a[2];
        return a[0];
      case 'kindIs':
        return kindOf(a[1]) === a[0];
      case 'trimPrefix':
        return str(a[1]).startsWith(a[0]) ? str(a[1]).slice(a[0].length) : str(a[1]);
      case 'regexMatch':
        return new RegExp(a[0]).test(str(a[1]));
      case 'regexFind':
        return new RegExp(a[0]).exec(str(a[1]))?.[0] ?? '';
      case 'urlParse': {
        // Go's url.Parse keeps the port as written (JS's URL drops a default one).
        const m =
          /^([a-zA-Z][\w+.-]*):\/\/(?:([^@/]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(
            str(a[0]),
          );
        if (!m) throw new Error(`mini-helm urlParse: cannot parse ${str(a[0])}`);
        return {
          scheme: m[1],
          userinfo: m[2] ?? '',
          host: m[3],
          hostname: m[3].replace(/:\d+$/, '').replace(/^\[|\]$/g, ''),
          path: m[4],
          query: m[5] ?? '',
          fragment: m[6] ?? '',
          opaque: '',
        };
      }
      default:
        throw new Error(`mini-helm does not implement the function "${fn}"`);
    }
  }
}

/** Sprig's kindOf, for the kinds values.yaml and --set produce. */
function kindOf(v: Value): string {
  if (v === null || v === undefined) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int64';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

function printf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%[sdvq%]/g, (verb) => {
    if (verb === '%%') return '%';
    const v = args[i++];
    if (verb === '%q') return JSON.stringify(goString(v));
    if (verb === '%d') return String(Math.trunc(Number(v)));
    return goString(v);
  });
}

/** `--set a.b=c` (the value already typed as helm would: numbers, booleans, strings). */
function setPath(values: Record<string, Value>, path: string, value: Value): void {
  const keys = path.split('.');
  let node = values;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  node[keys[keys.length - 1]] = value;
}
