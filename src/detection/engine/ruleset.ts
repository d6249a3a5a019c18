import { ConditionCompiler, EvaluationContext, Predicate, UnknownFieldError } from './compiler';
import { parseCondition } from './condition-parser';
import { CompileError, RuleLoadError } from './errors';
import { EventView, FieldValue } from './event-view';
import { exceptionCondition, withExceptions } from './exceptions';
import { BoundField, bindField } from './fields';
import { formatValue, parseOutput } from './output-format';
import { readRuleFile } from './rule-file-reader';
import { ListDefinition, RuleDefinition, RuleRegistry } from './rule-registry';
import { CompiledRule, EvaluationInput, ExplainedField, RuleSource, Ruleset } from './types';

export interface LoadOptions {
  /** The source this ruleset evaluates; also the source of rules that name none (see docs: Falco's default is syscall). */
  source?: 'k8s_audit';
}

const FIELD_TEXT = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\[(.*)\])?$/;

/** Lists with items naming an earlier list replaced by that list's items (Falco resolves lists in definition order). */
function resolveLists(lists: ReadonlyMap<string, ListDefinition>): Map<string, readonly string[]> {
  const resolved = new Map<string, readonly string[]>();
  for (const list of lists.values()) {
    resolved.set(
      list.name,
      list.items.flatMap((item) => resolved.get(item) ?? [item]),
    );
  }
  return resolved;
}

/** Caches the field values of the event being evaluated, so evaluate() then output()/explain() extract once. */
class ContextCache {
  private last:
    { input: EvaluationInput; event: unknown; cluster: string; ctx: EvaluationContext } | undefined;

  constructor(private readonly compiler: ConditionCompiler) {}

  for(input: EvaluationInput): EvaluationContext {
    const last = this.last;
    if (
      last &&
      last.input === input &&
      last.event === input.event &&
      last.cluster === input.cluster
    )
      return last.ctx;
    const ctx = new EvaluationContext(
      new EventView(input.event, input.cluster),
      this.compiler.slots,
      this.compiler.macroCount,
    );
    this.last = { input, event: input.event, cluster: input.cluster, ctx };
    return ctx;
  }
}

function explainValue(value: FieldValue): unknown {
  if (value === undefined) return null;
  return typeof value === 'string' ? value : [...value];
}

export function loadRules(sources: RuleSource[], options: LoadOptions = {}): Ruleset {
  const wanted = options.source ?? 'k8s_audit';
  const registry = new RuleRegistry(wanted);
  for (const source of sources) {
    for (const item of readRuleFile(source)) registry.apply(item);
  }
  // Macros are parsed now so a syntax error is reported even when no rule uses the macro;
  // their fields are resolved when a rule of this source uses them (a mixed file's syscall
  // macros never are).
  for (const macro of registry.macros.values()) {
    try {
      parseCondition(macro.condition);
    } catch (e) {
      throw new RuleLoadError(
        macro.file,
        macro.line,
        `macro '${macro.name}': ${(e as Error).message}`,
      );
    }
  }
  const compiler = new ConditionCompiler(registry.macros, resolveLists(registry.lists));
  const cache = new ContextCache(compiler);
  const extraFields = new Map<string, BoundField>();
  const compiled: { rule: CompiledRule; test: Predicate; enabled: boolean }[] = [];

  const valuesOf = (ctx: EvaluationContext, fields: readonly string[]): unknown[] =>
    fields.map((text) => {
      let field = extraFields.get(text);
      if (!field) {
        const m = FIELD_TEXT.exec(text.trim());
        if (!m) throw new Error(`'${text}' is not a field name`);
        field = bindField(m[1], m[2]);
        extraFields.set(text, field);
      }
      return explainValue(field.extract(ctx.view));
    });

  for (const definition of registry.rules.values()) {
    // Falco loads only rules of sources it has a plugin for and skips the others with a
    // warning (LOAD_UNKNOWN_SOURCE); a file may mix syscall and k8s_audit rules.
    if (definition.source !== wanted) continue;
    const entry = compileRule(definition, compiler, cache, valuesOf);
    if (entry) compiled.push(entry);
  }
  const active = compiled.filter((c) => c.enabled);
  const rules = active.map((c) => c.rule);
  const tests = active.map((c) => c.test);
  return {
    rules,
    evaluate(input: EvaluationInput): CompiledRule[] {
      const ctx = cache.for(input);
      const matched: CompiledRule[] = [];
      for (let i = 0; i < tests.length; i++) if (tests[i](ctx)) matched.push(rules[i]);
      return matched;
    },
  };
}

function compileRule(
  definition: RuleDefinition,
  compiler: ConditionCompiler,
  cache: ContextCache,
  valuesOf: (ctx: EvaluationContext, fields: readonly string[]) => unknown[],
): { rule: CompiledRule; test: Predicate; enabled: boolean } | undefined {
  const where = definition.conditionAt;
  const fail = (file: string, line: number, e: unknown): never => {
    if (e instanceof CompileError)
      throw new RuleLoadError(file, line, `rule '${definition.name}': ${e.message}`);
    throw e;
  };
  // Each exception on its own first, so a bad one is reported where it was written.
  for (const ex of definition.exceptions) {
    try {
      const excluded = exceptionCondition(ex);
      if (excluded) compiler.compile(excluded);
    } catch (e) {
      if (e instanceof UnknownFieldError && definition.skipIfUnknownFilter) return undefined;
      fail(ex.file, ex.line, e);
    }
  }
  let fields: readonly string[];
  let test: Predicate;
  try {
    const node = withExceptions(parseCondition(definition.condition), definition.exceptions);
    ({ test, fields } = compiler.compile(node));
  } catch (e) {
    // `skip-if-unknown-filter: true`: Falco skips such a rule instead of failing the load.
    if (e instanceof UnknownFieldError && definition.skipIfUnknownFilter) return undefined;
    return fail(where.file, where.line, e);
  }
  type Token = { text: string } | { slot: number };
  let tokens: Token[];
  const outputFields: string[] = [];
  try {
    tokens = parseOutput(definition.output).map((t): Token => {
      if ('text' in t) return { text: t.text };
      const { slot, field } = compiler.slot(t.field, t.arg);
      outputFields.push(field.key);
      return { slot };
    });
  } catch (e) {
    return fail(
      definition.file,
      definition.line,
      e instanceof Error && !(e instanceof CompileError) ? new CompileError(e.message) : e,
    );
  }
  const keyFields = [definition.window, definition.firstSeen, definition.group].flatMap(
    (spec) => spec?.by ?? [],
  );
  if (definition.window?.distinct) keyFields.push(definition.window.distinct);
  {
    for (const key of keyFields) {
      const m = FIELD_TEXT.exec(key);
      try {
        if (!m) throw new CompileError(`'${key}' is not a field name`);
        compiler.slot(m[1], m[2]);
      } catch (e) {
        fail(
          definition.file,
          definition.line,
          e instanceof CompileError ? e : new CompileError((e as Error).message),
        );
      }
    }
  }
  const explained = [...new Set([...fields, ...outputFields])];
  const slotsOf = explained.map((key) => {
    const m = FIELD_TEXT.exec(key) as RegExpExecArray;
    return compiler.slot(m[1], m[2]).slot;
  });
  const rule: CompiledRule = {
    name: definition.name,
    desc: definition.desc,
    priority: definition.priority,
    tags: [...definition.tags],
    source: definition.source,
    file: definition.file,
    line: definition.line,
    condition: definition.condition,
    ...(definition.window ? { window: definition.window } : {}),
    ...(definition.firstSeen ? { firstSeen: definition.firstSeen } : {}),
    ...(definition.group ? { group: definition.group } : {}),
    matches: (input) => test(cache.for(input)),
    output: (input) => {
      const ctx = cache.for(input);
      let out = '';
      for (const t of tokens) out += 'text' in t ? t.text : formatValue(ctx.get(t.slot));
      return out;
    },
    explain: (input): ExplainedField[] => {
      const ctx = cache.for(input);
      return explained.map((field, i) => ({ field, value: explainValue(ctx.get(slotsOf[i])) }));
    },
    values: (input, keys) => valuesOf(cache.for(input), keys),
  };
  return { rule, test, enabled: definition.enabled };
}
