import { ConditionNode, LIST_OPERATORS, OPERATORS, Operator } from './condition-parser';
import { CompileError } from './errors';

/** A rule's `exceptions` item after appends: fields as a list (tuple form) or one field (value form). */
export interface ExceptionDefinition {
  name: string;
  /** Required; only an append to an exception of the same name may leave it out. */
  fields?: string[] | string;
  comps?: string[] | string;
  values: unknown[];
  file: string;
  line: number;
}

const FIELD_WITH_ARG = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\[(.*)\])?$/;

function operator(comp: string, exception: string): Operator {
  if (!(OPERATORS as readonly string[]).includes(comp) || comp === 'exists') {
    throw new CompileError(`exception '${exception}': unknown comparison operator '${comp}'`);
  }
  return comp as Operator;
}

function scalar(value: unknown, exception: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new CompileError(
    `exception '${exception}': values must be strings, numbers or booleans, got ${JSON.stringify(value)}`,
  );
}

function check(
  fieldText: string,
  op: Operator,
  values: string[],
  exception: string,
): ConditionNode {
  const m = FIELD_WITH_ARG.exec(fieldText.trim());
  if (!m) throw new CompileError(`exception '${exception}': '${fieldText}' is not a field name`);
  return { kind: 'check', field: m[1], arg: m[2], op, values };
}

/** One comparison of a tuple: list operators take a YAML list or a list name, others one value. */
function comparison(
  fieldText: string,
  op: Operator,
  value: unknown,
  exception: string,
): ConditionNode {
  if (LIST_OPERATORS.has(op)) {
    const values = Array.isArray(value)
      ? value.map((v) => scalar(v, exception))
      : [scalar(value, exception)];
    return check(fieldText, op, values, exception);
  }
  if (Array.isArray(value)) {
    throw new CompileError(
      `exception '${exception}': operator '${op}' on ${fieldText} takes one value, not a list`,
    );
  }
  return check(fieldText, op, [scalar(value, exception)], exception);
}

/**
 * The condition an exception excludes, as Falco builds it (rule_loader_compiler.cpp,
 * build_rule_exception_infos): with a list of fields each value is a tuple and matches when
 * every `field comp value` holds (comps default to `=`); with a single field the values form
 * one list compared with `comps` (default `in`). Undefined when the exception has no values.
 */
export function exceptionCondition(ex: ExceptionDefinition): ConditionNode | undefined {
  if (ex.fields === undefined) throw new CompileError(`exception '${ex.name}' needs 'fields'`);
  if (ex.values.length === 0) return undefined;
  if (typeof ex.fields === 'string') {
    // Falco (rule_loader_collector.cpp, validate_exception_info): with a single field, comps is
    // one of in, pmatch, intersects and the values are one list of strings.
    if (Array.isArray(ex.comps)) {
      throw new CompileError(
        `exception '${ex.name}': with a single field, comps must be a single operator`,
      );
    }
    const op = operator(ex.comps ?? 'in', ex.name);
    if (!LIST_OPERATORS.has(op)) {
      throw new CompileError(
        `exception '${ex.name}': with a single field, comps must be one of in, pmatch, intersects (got '${op}')`,
      );
    }
    const values = ex.values.map((v) => {
      if (Array.isArray(v)) {
        throw new CompileError(
          `exception '${ex.name}': with a single field, values must be a list of strings`,
        );
      }
      return scalar(v, ex.name);
    });
    return check(ex.fields, op, values, ex.name);
  }
  const fields = ex.fields;
  if (ex.comps !== undefined && !Array.isArray(ex.comps)) {
    throw new CompileError(`exception '${ex.name}': with a list of fields, comps must be a list`);
  }
  const comps = (ex.comps ?? fields.map(() => '=')).map((c) => operator(c, ex.name));
  if (comps.length !== fields.length) {
    throw new CompileError(
      `exception '${ex.name}': fields and comps must have the same length (${fields.length} and ${comps.length})`,
    );
  }
  const tuples = ex.values.map((tuple, i) => {
    if (!Array.isArray(tuple) || tuple.length !== fields.length) {
      throw new CompileError(
        `exception '${ex.name}': value ${i + 1} must be a list of ${fields.length} item(s) (one per field), got ${JSON.stringify(tuple)}`,
      );
    }
    const parts = fields.map((f, j) => comparison(f, comps[j], tuple[j], ex.name));
    return parts.length === 1 ? parts[0] : ({ kind: 'and', children: parts } as ConditionNode);
  });
  return tuples.length === 1 ? tuples[0] : { kind: 'or', children: tuples };
}

/** `condition and not (exception1 or exception2 ...)`: Falco's rule with its exceptions. */
export function withExceptions(
  condition: ConditionNode,
  exceptions: readonly ExceptionDefinition[],
): ConditionNode {
  const excluded = exceptions
    .map(exceptionCondition)
    .filter((n): n is ConditionNode => n !== undefined);
  if (excluded.length === 0) return condition;
  const any: ConditionNode =
    excluded.length === 1 ? excluded[0] : { kind: 'or', children: excluded };
  return { kind: 'and', children: [condition, { kind: 'not', child: any }] };
}
