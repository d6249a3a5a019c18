/** Falco's priorities, most severe first (falco_common::priority_type). */
export type Priority =
  'EMERGENCY' | 'ALERT' | 'CRITICAL' | 'ERROR' | 'WARNING' | 'NOTICE' | 'INFORMATIONAL' | 'DEBUG';

export interface RuleSource {
  path: string;
  text: string;
}

/** `event` is the audit.k8s.io/v1 Event JSON object as stored; `cluster` the cluster it was received for. */
export interface EvaluationInput {
  event: Record<string, unknown>;
  cluster: string;
}

/** A burst: fires when `threshold` events (or distinct values of `distinct`) matched for the same `by` values within `withinMs`. */
export interface WindowSpec {
  by: string[];
  distinct?: string;
  threshold: number;
  withinMs: number;
}

/** Fires the first time a combination of `by` values is seen, after a learning period of `learnMs`. */
export interface FirstSeenSpec {
  by: string[];
  learnMs: number;
}

/** Repeats with the same `by` values within `withinMs` are grouped into one detection. */
export interface GroupSpec {
  by: string[];
  withinMs: number;
}

export interface ExplainedField {
  field: string;
  value: unknown;
}

export interface CompiledRule {
  name: string;
  desc: string;
  priority: Priority;
  tags: string[];
  source: string;
  file: string;
  line: number;
  /** The rule's condition text as written (after append/override), without its exceptions. */
  condition: string;
  window?: WindowSpec;
  firstSeen?: FirstSeenSpec;
  group?: GroupSpec;
  matches(input: EvaluationInput): boolean;
  output(input: EvaluationInput): string;
  /** Why it fired: every field the condition (after macro expansion) and the output reference, with its value for this event. */
  explain(input: EvaluationInput): ExplainedField[];
  /** Field values for window/group keys: a string, a string[] for list fields, null when absent. */
  values(input: EvaluationInput, fields: string[]): unknown[];
}

export interface Ruleset {
  /** Every enabled k8s_audit rule, in load order. */
  rules: CompiledRule[];
  /** Every enabled matching rule (Falco's `rule_matching: all`). */
  evaluate(input: EvaluationInput): CompiledRule[];
}

/** How a field takes an argument in brackets: `ka.uri.param[key]`, `ka.req.pod.containers.image[0]`. */
export type FieldArgument = 'none' | 'index' | 'key';

export interface FieldDefinition {
  name: string;
  /** Every k8saudit field is a string in Falco; list fields extract several strings. */
  type: 'string';
  list: boolean;
  arg: FieldArgument;
  /** `key` arguments that must be present (`ka.uri.param` needs its parameter name). */
  argRequired: boolean;
  /** Where the value comes from, in the audit Event (`requestObject.spec.containers[].image`). */
  paths: string[];
  description: string;
  /** `k8saudit` and `json` follow Falco's plugins; `extension` is ours. */
  origin: 'k8saudit' | 'json' | 'extension';
}
