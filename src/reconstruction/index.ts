export { describe } from './core/describe';
export type { DescribeOptions } from './core/describe';
export { toKubectl } from './core/to-kubectl';
export type { Fidelity, KubectlReconstruction, Recognizer } from './core/types';
export { RECOGNIZERS } from './core/recognizers/registry';
export { redactStoredEvent } from './core/redact';
