import { RuleLoadError } from './errors';
import { ExceptionDefinition } from './exceptions';
import { mergeExceptions, readExceptions } from './exception-items';
import { RawItem } from './rule-file-reader';
import { parseFirstSeen, parseGroup, parsePriority, parseWindow } from './rule-values';
import { FirstSeenSpec, GroupSpec, Priority, WindowSpec } from './types';

export interface ListDefinition {
  name: string;
  items: string[];
  file: string;
  line: number;
}

export interface MacroDefinitionEntry {
  name: string;
  condition: string;
  file: string;
  line: number;
}

export interface RuleDefinition {
  name: string;
  condition: string;
  output: string;
  desc: string;
  priority: Priority;
  tags: string[];
  enabled: boolean;
  source: string;
  exceptions: ExceptionDefinition[];
  window?: WindowSpec;
  firstSeen?: FirstSeenSpec;
  group?: GroupSpec;
  skipIfUnknownFilter: boolean;
  file: string;
  line: number;
  /** Where the condition text was last changed (an append or override may be in another file). */
  conditionAt: { file: string; line: number };
}

const LIST_KEYS = ['list', 'items', 'append', 'override'];
const MACRO_KEYS = ['macro', 'condition', 'append', 'override', 'source'];
/** Falco's rule keys (rule_loader_reader.cpp) plus our window, first_seen and group. */
const RULE_KEYS = [
  'rule',
  'condition',
  'output',
  'desc',
  'priority',
  'tags',
  'enabled',
  'source',
  'exceptions',
  'append',
  'override',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'capture',
  'capture_duration',
  'window',
  'first_seen',
  'group',
];
const RULE_APPENDABLE = ['condition', 'output', 'desc', 'tags', 'exceptions'];
/** Falco's reader takes only these from a legacy `append: true` rule item (rule_loader_reader.cpp). */
const RULE_LEGACY_APPENDABLE = ['condition', 'exceptions'];
/** Falco's reader checks names against libsinsp's grammar: macros are identifiers, lists bare strings. */
const MACRO_NAME = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;
const LIST_NAME = /^[^()"'\s=,]+$/;
const RULE_REPLACEABLE = [
  'skip-if-unknown-filter',
  'warn_evttypes',
  'condition',
  'output',
  'desc',
  'priority',
  'tags',
  'exceptions',
  'enabled',
  'window',
  'first_seen',
  'group',
];

type OverrideMode = 'append' | 'replace';

/**
 * Applies list, macro and rule items in load order with Falco's semantics (rule_loader.cpp,
 * https://falco.org/docs/concepts/rules/overriding/): a redefinition replaces in place,
 * `append: true` (legacy) or `override: {key: append|replace}` changes an existing item.
 */
export class RuleRegistry {
  readonly lists = new Map<string, ListDefinition>();
  readonly macros = new Map<string, MacroDefinitionEntry>();
  readonly rules = new Map<string, RuleDefinition>();

  constructor(private readonly defaultSource: string) {}

  apply(item: RawItem): void {
    switch (item.kind) {
      case 'required_engine_version':
      case 'required_plugin_versions':
        return; // accepted and ignored: there is no engine or plugin version to check against
      case 'list':
        return this.applyList(item);
      case 'macro':
        return this.applyMacro(item);
      case 'rule':
        return this.applyRule(item);
    }
  }

  private fail(item: RawItem, key: string | undefined, problem: string): never {
    const line = key === undefined ? item.line : (item.keyLines.get(key) ?? item.line);
    throw new RuleLoadError(item.file, line, `${item.kind} '${item.name}': ${problem}`);
  }

  private checkKeys(item: RawItem, allowed: readonly string[]): void {
    for (const key of Object.keys(item.body)) {
      if (!allowed.includes(key))
        this.fail(item, key, `unknown key '${key}' (allowed: ${allowed.join(', ')})`);
    }
    if (item.name === '' || typeof item.body[item.kind] !== 'string')
      this.fail(item, item.kind, 'needs a name');
    if (item.kind === 'macro' && !MACRO_NAME.test(item.name)) {
      this.fail(item, item.kind, `macro names must match ${MACRO_NAME.source}`);
    }
    if (item.kind === 'list' && !LIST_NAME.test(item.name)) {
      this.fail(
        item,
        item.kind,
        'list names cannot contain spaces, quotes, parentheses, commas or =',
      );
    }
  }

  private string(item: RawItem, key: string): string {
    const value = item.body[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value === 'string') return this.fail(item, key, `'${key}' must not be empty`);
    return this.fail(item, key, `'${key}' must be a string`);
  }

  private flag(item: RawItem, key: string): boolean {
    const value = item.body[key];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') this.fail(item, key, `'${key}' must be true or false`);
    return value;
  }

  /** The `override` mapping, checked: known keys, known modes, and the same keys as the item carries. */
  private overrides(
    item: RawItem,
    appendable: readonly string[],
    replaceable: readonly string[],
  ): Map<string, OverrideMode> | undefined {
    const raw = item.body.override;
    if (raw === undefined) return undefined;
    if (item.body.append !== undefined)
      this.fail(item, 'override', "'append' and 'override' cannot be used together");
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      this.fail(item, 'override', "'override' must be a mapping of key: append|replace");
    const modes = new Map<string, OverrideMode>();
    for (const [key, mode] of Object.entries(raw as Record<string, unknown>)) {
      if (mode === 'append' && appendable.includes(key)) modes.set(key, mode);
      else if (mode === 'replace' && replaceable.includes(key)) modes.set(key, mode);
      else if (mode !== 'append' && mode !== 'replace')
        this.fail(
          item,
          'override',
          `override of '${key}' must be append or replace, not ${JSON.stringify(mode)}`,
        );
      else
        this.fail(
          item,
          'override',
          `'${key}' cannot be overridden with ${mode} (append: ${appendable.join(', ')}; replace: ${replaceable.join(', ')})`,
        );
      if (item.body[key] === undefined)
        this.fail(item, 'override', `override names '${key}' but the item has no '${key}'`);
    }
    for (const key of Object.keys(item.body)) {
      if (key !== item.kind && key !== 'override' && key !== 'source' && !modes.has(key)) {
        this.fail(item, key, `'${key}' is given but not named in 'override'`);
      }
    }
    return modes;
  }

  private listItems(item: RawItem): string[] {
    const value = item.body.items;
    if (!Array.isArray(value)) return this.fail(item, 'items', "'items' must be a list");
    return value.map((v) => {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return this.fail(item, 'items', `list items must be strings, got ${JSON.stringify(v)}`);
    });
  }

  private applyList(item: RawItem): void {
    this.checkKeys(item, LIST_KEYS);
    const existing = this.lists.get(item.name);
    const modes = this.overrides(item, ['items'], ['items']);
    const append = this.flag(item, 'append') || modes?.get('items') === 'append';
    if (item.body.items === undefined) this.fail(item, undefined, "needs 'items'");
    const items = this.listItems(item);
    if (append || modes) {
      if (!existing)
        this.fail(
          item,
          undefined,
          `${append ? 'appends' : 'overrides'} but no list by that name is defined before`,
        );
      existing.items = append ? existing.items.concat(items) : items;
      return;
    }
    this.lists.set(item.name, { name: item.name, items, file: item.file, line: item.line });
  }

  private applyMacro(item: RawItem): void {
    this.checkKeys(item, MACRO_KEYS);
    const existing = this.macros.get(item.name);
    const modes = this.overrides(item, ['condition'], ['condition']);
    const append = this.flag(item, 'append') || modes?.get('condition') === 'append';
    if (item.body.condition === undefined) this.fail(item, undefined, "needs 'condition'");
    const condition = this.string(item, 'condition');
    const line = item.keyLines.get('condition') ?? item.line;
    if (append || modes) {
      if (!existing)
        this.fail(
          item,
          undefined,
          `${append ? 'appends' : 'overrides'} but no macro by that name is defined before`,
        );
      existing.condition = append ? `${existing.condition} ${condition}` : condition;
      existing.file = item.file;
      existing.line = line;
      return;
    }
    this.macros.set(item.name, { name: item.name, condition, file: item.file, line });
  }

  private exceptions(item: RawItem): ExceptionDefinition[] {
    const line = item.keyLines.get('exceptions') ?? item.line;
    return readExceptions(item.body.exceptions, item.file, line, (problem) =>
      this.fail(item, 'exceptions', problem),
    );
  }

  private tags(item: RawItem): string[] {
    const value = item.body.tags;
    if (!Array.isArray(value)) return this.fail(item, 'tags', "'tags' must be a list");
    return value.map((t) => {
      if (typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean')
        return String(t);
      return this.fail(item, 'tags', `tags must be strings, got ${JSON.stringify(t)}`);
    });
  }

  private extension<T>(item: RawItem, key: string, parse: (value: unknown) => T): T {
    try {
      return parse(item.body[key]);
    } catch (e) {
      return this.fail(item, key, (e as Error).message);
    }
  }

  private applyRule(item: RawItem): void {
    this.checkKeys(item, RULE_KEYS);
    const body = item.body;
    const existing = this.rules.get(item.name);
    if (body.source !== undefined && typeof body.source !== 'string')
      this.fail(item, 'source', "'source' must be a string");
    const modes = this.overrides(item, RULE_APPENDABLE, RULE_REPLACEABLE);
    const legacyAppend = this.flag(item, 'append');
    const keys = Object.keys(body).filter((k) => k !== 'rule' && k !== 'source');
    // Legacy: an item with only `enabled` switches an existing rule on or off.
    const enabledOnly = !modes && !legacyAppend && keys.length === 1 && keys[0] === 'enabled';
    if (modes || legacyAppend || enabledOnly) {
      if (!existing) this.fail(item, undefined, 'changes a rule that is not defined before');
      if (typeof body.source === 'string' && body.source !== existing.source) {
        this.fail(
          item,
          'source',
          `source '${body.source}' differs from the rule's source '${existing.source}'`,
        );
      }
      if (enabledOnly) {
        existing.enabled = this.flag(item, 'enabled');
        return;
      }
      const mode = (key: string): OverrideMode | undefined =>
        modes
          ? modes.get(key)
          : body[key] === undefined
            ? undefined
            : RULE_LEGACY_APPENDABLE.includes(key)
              ? 'append'
              : this.fail(
                  item,
                  key,
                  `'${key}' cannot be appended with append: true (Falco reads only condition and exceptions there; use override)`,
                );
      const changed = keys.filter((key) => key !== 'append' && key !== 'override');
      if (changed.length === 0) this.fail(item, undefined, 'has nothing to append or override');
      for (const key of changed) mode(key);
      this.change(item, existing, mode);
      return;
    }
    for (const key of ['condition', 'output', 'desc', 'priority']) {
      if (body[key] === undefined)
        this.fail(
          item,
          undefined,
          `needs '${key}' (a rule must have condition, output, desc and priority)`,
        );
    }
    const rule: RuleDefinition = {
      name: item.name,
      condition: this.string(item, 'condition'),
      output: this.string(item, 'output'),
      desc: this.string(item, 'desc'),
      priority: this.extension(item, 'priority', parsePriority),
      tags: body.tags === undefined ? [] : this.tags(item),
      enabled: body.enabled === undefined ? true : this.flag(item, 'enabled'),
      source: typeof body.source === 'string' ? body.source : this.defaultSource,
      exceptions: body.exceptions === undefined ? [] : this.exceptions(item),
      skipIfUnknownFilter: this.flag(item, 'skip-if-unknown-filter'),
      file: item.file,
      line: item.line,
      conditionAt: { file: item.file, line: item.keyLines.get('condition') ?? item.line },
    };
    if (body.window !== undefined) rule.window = this.extension(item, 'window', parseWindow);
    if (body.first_seen !== undefined)
      rule.firstSeen = this.extension(item, 'first_seen', parseFirstSeen);
    if (body.group !== undefined) rule.group = this.extension(item, 'group', parseGroup);
    for (const e of rule.exceptions) {
      if (e.fields === undefined)
        this.fail(item, 'exceptions', `exception '${e.name}' needs 'fields'`);
    }
    // Falco (rule_loader_collector.cpp, define): a redefinition cannot change the source.
    if (existing && existing.source !== rule.source) {
      this.fail(
        item,
        'source',
        `redefines a rule of source '${existing.source}' with source '${rule.source}'`,
      );
    }
    this.rules.set(item.name, rule);
  }

  private change(
    item: RawItem,
    rule: RuleDefinition,
    mode: (key: string) => OverrideMode | undefined,
  ): void {
    const text = (key: 'condition' | 'output' | 'desc'): void => {
      const m = mode(key);
      if (!m) return;
      const value = this.string(item, key);
      rule[key] = m === 'append' ? `${rule[key]} ${value}` : value;
      if (key === 'condition')
        rule.conditionAt = { file: item.file, line: item.keyLines.get('condition') ?? item.line };
    };
    text('condition');
    text('output');
    text('desc');
    const tags = mode('tags');
    if (tags)
      rule.tags =
        tags === 'append' ? [...new Set([...rule.tags, ...this.tags(item)])] : this.tags(item);
    const exceptions = mode('exceptions');
    if (exceptions) {
      const given = this.exceptions(item);
      rule.exceptions =
        exceptions === 'append'
          ? mergeExceptions(rule.exceptions, given, (problem) =>
              this.fail(item, 'exceptions', problem),
            )
          : given;
    }
    if (mode('priority')) rule.priority = this.extension(item, 'priority', parsePriority);
    if (mode('enabled')) rule.enabled = this.flag(item, 'enabled');
    if (mode('window')) rule.window = this.extension(item, 'window', parseWindow);
    if (mode('first_seen')) rule.firstSeen = this.extension(item, 'first_seen', parseFirstSeen);
    if (mode('group')) rule.group = this.extension(item, 'group', parseGroup);
    if (mode('skip-if-unknown-filter'))
      rule.skipIfUnknownFilter = this.flag(item, 'skip-if-unknown-filter');
  }
}
