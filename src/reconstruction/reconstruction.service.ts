import { Injectable } from '@nestjs/common';
import type { AuditEvent, JsonValue } from '../domain/audit-event';
import { redactStoredEvent } from './core/redact';
import { describe } from './core/describe';
import { toKubectl } from './core/to-kubectl';
import type { Fidelity } from './core/types';

export interface Explanation {
  summary: string;
  kubectl: { command: string; fidelity: Fidelity; notes: string[] };
}

/** Nest face of the pure reconstruction functions. */
@Injectable()
export class ReconstructionService {
  explain(event: AuditEvent, cluster?: string): Explanation {
    const { command, fidelity, notes } = toKubectl(event);
    return { summary: describe(event, { cluster }), kubectl: { command, fidelity, notes } };
  }

  /** The original event JSON as the API may return it (Secret values and tokens hidden). */
  redactForDisplay(raw: JsonValue): JsonValue {
    return redactStoredEvent(raw).value;
  }
}
