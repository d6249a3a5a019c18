export type {
  CompiledRule,
  EvaluationInput,
  ExplainedField,
  FieldArgument,
  FieldDefinition,
  FirstSeenSpec,
  GroupSpec,
  Priority,
  RuleSource,
  Ruleset,
  WindowSpec,
} from './types';
export { RuleLoadError } from './errors';
export { FIELDS } from './fields';
export { loadRules } from './ruleset';
export type { LoadOptions } from './ruleset';
export { parseDuration, parsePriority } from './rule-values';
