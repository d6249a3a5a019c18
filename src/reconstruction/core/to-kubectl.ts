import type { AuditEvent } from '../../domain/audit-event';
import { CONVERTED_FROM, missingParts } from '../../domain/converted-event';
import { recognizersFor } from './recognizers/registry';
import { viewOf } from './request';
import { clean } from './text';
import type { BuiltCommand, KubectlReconstruction } from './types';

/** `<name>`, `<manifest.yaml>`, `<redacted>`: what a person has to fill in or cannot know. */
export const PLACEHOLDER = /<([a-z][^<>\s'"]*)>/g;

/** The kubectl command that makes the request an audit event records. */
export function toKubectl(event: AuditEvent): KubectlReconstruction {
  for (const recognizer of recognizersFor(viewOf(event).verb)) {
    try {
      if (!recognizer.matches(event)) continue;
      return finalise(event, recognizer.build(event), recognizer.name);
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

/**
 * The one place a reconstruction's claim is settled, whatever the recognizer said: a command
 * with a placeholder does not make the same request as it stands, so it is at most partial.
 */
export function finalise(
  event: AuditEvent,
  built: BuiltCommand,
  recognizer: string,
): KubectlReconstruction {
  const notes = [...built.notes, ...viewOf(event).sourceNotes];
  let fidelity = built.fidelity;
  const open = placeholdersIn(built.command);
  if (open.length > 0 && (fidelity === 'exact' || fidelity === 'equivalent')) {
    fidelity = 'partial';
    notes.push(`the command has placeholders to fill in: ${open.map((p) => `<${p}>`).join(', ')}`);
  }
  // A converted export (GKE) that dropped the query string: flags read from it (--chunk-size,
  // --field-manager, exec's options...) are guesses, so the same request cannot be promised.
  if (
    (fidelity === 'exact' || fidelity === 'equivalent') &&
    missingParts(event.annotations).includes('request-query')
  ) {
    fidelity = 'partial';
    notes.push(
      `the ${event.annotations?.[CONVERTED_FROM] ?? 'converted'} export did not keep the request's query string: flags that come from it are not known`,
    );
  }
  addOutcomeNotes(event, notes);
  return { command: built.command, fidelity, notes, recognizer };
}

/**
 * Placeholders on the command line. A heredoc's body is the object as recorded (a literal
 * `<html>` in a ConfigMap is data); what was hidden in it already lowered the claim.
 */
export function placeholdersIn(command: string): string[] {
  const end = command.indexOf('\n');
  const line = end < 0 ? command : command.slice(0, end);
  if (!line.includes('<')) return [];
  return [...new Set([...line.matchAll(PLACEHOLDER)].map((m) => m[1]))];
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
