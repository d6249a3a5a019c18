import type { AuditEvent } from '../../domain/audit-event';

/**
 * exact: running the command makes the same request.
 * equivalent: another client made the request; the command makes the same request.
 * partial: the command carries `<placeholders>` for what the event cannot tell (see notes).
 * none: kubectl cannot make this request.
 */
export type Fidelity = 'exact' | 'equivalent' | 'partial' | 'none';

export interface KubectlReconstruction {
  command: string;
  fidelity: Fidelity;
  notes: string[];
  recognizer: string;
}

/** What a recognizer builds; `toKubectl` adds client and impersonation handling around it. */
export interface BuiltCommand {
  command: string;
  fidelity: Fidelity;
  notes: string[];
}

export interface Recognizer {
  readonly name: string;
  /** The audit verbs `matches` can accept; absent means any. Lets the registry skip the rest. */
  readonly verbs?: readonly string[];
  matches(event: AuditEvent): boolean;
  build(event: AuditEvent): BuiltCommand;
}
