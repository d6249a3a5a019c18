import { ConditionNode, LIST_OPERATORS, parseCondition } from './condition-parser';
import { CompileError } from './errors';
import { EventView, FieldValue } from './event-view';
import { BoundField, bindField } from './fields';
import { LIST_FIELD_OPERATORS, listTest, scalarTest } from './operators';

/** Field values of one event, each extracted at most once however many rules read it. */
export class EvaluationContext {
  private readonly values: FieldValue[];
  private readonly done: Uint8Array;
  /** Each macro's result for this event: 0 not yet known, 1 false, 2 true (many rules share `kevt`). */
  readonly macroResults: Uint8Array;

  constructor(
    readonly view: EventView,
    private readonly extractors: readonly BoundField[],
    macroCount: number,
  ) {
    this.values = new Array<FieldValue>(extractors.length);
    this.done = new Uint8Array(extractors.length);
    this.macroResults = new Uint8Array(macroCount);
  }

  get(slot: number): FieldValue {
    if (this.done[slot] === 0) {
      this.done[slot] = 1;
      this.values[slot] = this.extractors[slot].extract(this.view);
    }
    return this.values[slot];
  }
}

export type Predicate = (ctx: EvaluationContext) => boolean;

export interface CompiledCondition {
  test: Predicate;
  /** Every field read (macros expanded), in order of first appearance: `name` or `name[arg]`. */
  fields: readonly string[];
}

/** A field mentioned in a condition that no table knows (rules may ask to be skipped for it). */
export class UnknownFieldError extends CompileError {}

export interface MacroDefinition {
  name: string;
  condition: string;
  file: string;
  line: number;
}

/**
 * Compiles conditions of one ruleset to closures. Field slots are shared by every rule, so an
 * event's field is extracted once per evaluation; macros are compiled once and reused.
 */
export class ConditionCompiler {
  readonly slots: BoundField[] = [];
  private readonly slotByKey = new Map<string, number>();
  private readonly compiledMacros = new Map<string, CompiledCondition>();
  private readonly compiling: string[] = [];
  /** How many macros have a result slot in EvaluationContext.macroResults. */
  macroCount = 0;

  constructor(
    private readonly macros: ReadonlyMap<string, MacroDefinition>,
    private readonly lists: ReadonlyMap<string, readonly string[]>,
  ) {}

  compile(node: ConditionNode): CompiledCondition {
    const fields = new Set<string>();
    const test = this.node(node, fields);
    return { test, fields: [...fields] };
  }

  /** The slot of a field, for outputs and window keys; throws UnknownFieldError. */
  slot(name: string, arg: string | undefined): { slot: number; field: BoundField } {
    let field: BoundField;
    try {
      field = bindField(name, arg);
    } catch (e) {
      throw new UnknownFieldError((e as Error).message);
    }
    let slot = this.slotByKey.get(field.key);
    if (slot === undefined) {
      slot = this.slots.length;
      this.slots.push(field);
      this.slotByKey.set(field.key, slot);
    }
    return { slot, field: this.slots[slot] };
  }

  /**
   * Items of `(a, b, list_name)` with bare list names replaced by their items. Falco does this on
   * the condition text (rule_loader_compiler.cpp, resolve_list): a name between delimiters is
   * replaced, a quoted one is not, and any other word stays a literal value.
   */
  expandValues(values: readonly string[], quoted: readonly number[] = []): string[] {
    const out: string[] = [];
    values.forEach((v, i) => {
      const list = quoted.includes(i) ? undefined : this.lists.get(v);
      if (list) out.push(...list);
      else out.push(v);
    });
    return out;
  }

  private node(node: ConditionNode, fields: Set<string>): Predicate {
    switch (node.kind) {
      case 'and': {
        const parts = node.children.map((c) => this.node(c, fields));
        if (parts.length === 2) {
          const [a, b] = parts;
          return (ctx) => a(ctx) && b(ctx);
        }
        return (ctx) => {
          for (const p of parts) if (!p(ctx)) return false;
          return true;
        };
      }
      case 'or': {
        const parts = node.children.map((c) => this.node(c, fields));
        if (parts.length === 2) {
          const [a, b] = parts;
          return (ctx) => a(ctx) || b(ctx);
        }
        return (ctx) => {
          for (const p of parts) if (p(ctx)) return true;
          return false;
        };
      }
      case 'not': {
        const inner = this.node(node.child, fields);
        return (ctx) => !inner(ctx);
      }
      case 'macro': {
        const macro = this.macro(node.name);
        for (const f of macro.fields) fields.add(f);
        return macro.test;
      }
      case 'check':
        return this.check(node, fields);
    }
  }

  private macro(name: string): CompiledCondition {
    const done = this.compiledMacros.get(name);
    if (done) return done;
    const definition = this.macros.get(name);
    if (!definition) {
      let isField = true;
      try {
        bindField(name, undefined);
      } catch {
        isField = false;
      }
      throw new CompileError(
        isField ? `field '${name}' is used without an operator` : `undefined macro '${name}'`,
      );
    }
    if (this.compiling.includes(name)) {
      throw new CompileError(
        `macro '${name}' refers to itself (${[...this.compiling, name].join(' -> ')})`,
      );
    }
    this.compiling.push(name);
    try {
      let ast: ConditionNode;
      try {
        ast = parseCondition(definition.condition);
      } catch (e) {
        throw new CompileError(
          `macro '${name}' (${definition.file}:${definition.line}): ${(e as Error).message}`,
        );
      }
      const inner = this.compile(ast);
      const slot = this.macroCount++;
      const test: Predicate = (ctx) => {
        const known = ctx.macroResults[slot];
        if (known !== 0) return known === 2;
        const result = inner.test(ctx);
        ctx.macroResults[slot] = result ? 2 : 1;
        return result;
      };
      const compiled = { test, fields: inner.fields };
      this.compiledMacros.set(name, compiled);
      return compiled;
    } catch (e) {
      if (e instanceof CompileError && !e.message.includes(`macro '${name}'`)) {
        const wrapped = new (e instanceof UnknownFieldError ? UnknownFieldError : CompileError)(
          `in macro '${name}' (${definition.file}:${definition.line}): ${e.message}`,
        );
        throw wrapped;
      }
      throw e;
    } finally {
      this.compiling.pop();
    }
  }

  private check(node: Extract<ConditionNode, { kind: 'check' }>, fields: Set<string>): Predicate {
    const { slot, field } = this.slot(node.field, node.arg);
    fields.add(field.key);
    const { op } = node;
    const values = LIST_OPERATORS.has(op)
      ? this.expandValues(node.values, node.quoted)
      : node.values;
    if (op === 'exists') return (ctx) => ctx.get(slot) !== undefined;
    if (field.definition.list) {
      if (!LIST_FIELD_OPERATORS.has(op)) {
        throw new CompileError(
          `operator '${op}' cannot be used on list field '${field.key}': Falco allows only 'in', 'intersects' and 'exists' on list fields`,
        );
      }
      const test = listTest(op, values);
      return (ctx) => {
        const v = ctx.get(slot);
        return v !== undefined && typeof v !== 'string' && test(v);
      };
    }
    const test = scalarTest(op, values);
    return (ctx) => {
      const v = ctx.get(slot);
      return typeof v === 'string' && test(v);
    };
  }
}
