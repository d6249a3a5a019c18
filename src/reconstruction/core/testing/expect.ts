import type { AuditEvent } from '../../../domain/audit-event';
import { toKubectl } from '../to-kubectl';
import type { Fidelity, KubectlReconstruction } from '../types';

/** Runs the whole registry, so a spec also proves no earlier recognizer claims the event. */
export function reconstruct(
  event: AuditEvent,
  recognizer: string,
  fidelity: Fidelity,
): KubectlReconstruction {
  const result = toKubectl(event);
  expect({ recognizer: result.recognizer, fidelity: result.fidelity }).toEqual({
    recognizer,
    fidelity,
  });
  return result;
}
