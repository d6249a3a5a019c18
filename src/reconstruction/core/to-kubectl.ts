import type { AuditEvent } from '../../domain/audit-event';
import { recognizersFor } from './recognizers/registry';
import { viewOf } from './request';
import { clean } from './text';
import type { KubectlReconstruction } from './types';

/** The kubectl command that makes the request an audit event records. */
export function toKubectl(event: AuditEvent): KubectlReconstruction {
  for (const recognizer of recognizersFor(viewOf(event).verb)) {
    try {
      if (!recognizer.matches(event)) continue;
      const { command, fidelity, notes } = recognizer.build(event);
      addOutcomeNotes(event, notes);
      return { command, fidelity, notes, recognizer: recognizer.name };
    } catch (error) {
      // A malformed event must not take the caller down; report it as unreconstructable.
      return {
        command: '',
        fidelity: 'none',
        notes: [`the event could not be read: ${clean(String(error), 200)}`],
        recognizer: recognizer.name,
      };
    }
  }
  return { command: '', fidelity: 'none', notes: ['no recognizer matched'], recognizer: 'none' };
}

function addOutcomeNotes(event: AuditEvent, notes: string[]): void {
  const status = event.responseStatus;
  if (status?.code !== undefined && status.code >= 400) {
    const reason = status.reason ? ` ${clean(status.reason, 60)}` : '';
    const message = status.message ? `: ${clean(status.message, 300)}` : '';
    notes.push(`the original request failed (${status.code}${reason})${message}`);
  }
  if (event.annotations?.['audit.k8s.io/truncated'] === 'true') {
    notes.push(
      'the apiserver dropped the request and response bodies because the event was too large',
    );
  }
}
