import { missingParts } from '../../domain/converted-event';
import type { ObjectDocument } from './object-yaml';
import type { RequestView } from './request';
import { heredoc, shellQuote } from './shell';
import { clean } from './text';
import type { BuiltCommand, Fidelity } from './types';

const MAX_ARG_CHARS = 4096;
const MAX_NOTE_CHARS = 2500;
const MAX_COMMAND_LINE_CHARS = 64 * 1024;
const RANK: Record<Fidelity, number> = { exact: 0, equivalent: 1, partial: 2, none: 3 };
const IMPLIED_GROUPS = new Set(['system:authenticated']);

/** Builds one kubectl command line; every word goes through `shellQuote`. */
export class KubectlCommand {
  private readonly words: string[] = ['kubectl'];
  private readonly afterDashDash: string[] = [];
  private stdin?: { redirect: string; text: string };
  private fidelity: Fidelity = 'exact';
  private olderClient = false;
  private readonly notes: string[] = [];

  constructor(
    private readonly view: RequestView,
    ...subcommand: string[]
  ) {
    this.words.push(...subcommand.map(shellQuote));
  }

  /** The event's audit level, for notes about what it did not record. */
  get level(): string {
    return clean(String(this.view.event.level), 40);
  }

  /** A value taken from the event. */
  arg(value: string): this {
    this.words.push(shellQuote(this.bounded(value)));
    return this;
  }

  /**
   * A constant flag or a `<placeholder>` written by the recognizer itself. Placeholders are
   * quoted too: bare, `<node>` would be a redirection that creates files.
   */
  raw(...tokens: string[]): this {
    this.words.push(...tokens.map(shellQuote));
    return this;
  }

  /** `--long=value` as one quoted word, or `-s value` for a short flag. */
  opt(flag: string, value: string | number): this {
    const text = this.bounded(String(value));
    if (flag.startsWith('--')) this.words.push(shellQuote(`${flag}=${text}`));
    else this.words.push(flag, shellQuote(text));
    return this;
  }

  optIf(condition: boolean, flag: string, value?: string | number): this {
    if (!condition) return this;
    return value === undefined ? this.raw(flag) : this.opt(flag, value);
  }

  /** The command line after `--`; beyond 64 KiB in all the rest is cut. */
  dashDash(args: readonly string[]): this {
    let total = 0;
    for (const arg of args) {
      const word = shellQuote(this.bounded(arg));
      total += word.length + 1;
      if (total > MAX_COMMAND_LINE_CHARS) {
        this.afterDashDash.push(shellQuote('...<truncated>'));
        return this.partial(`the command line was longer than 64 KiB and is cut`);
      }
      this.afterDashDash.push(word);
    }
    return this;
  }

  namespace(): this {
    return this.view.namespace ? this.opt('-n', this.view.namespace) : this;
  }

  dryRun(): this {
    return this.optIf(this.view.dryRun, '--dry-run=server');
  }

  /** `--field-manager` when the event's differs from the command's default. */
  fieldManager(commandDefault: string): this {
    const used = this.view.fieldManager;
    if (used && used !== commandDefault) return this.opt('--field-manager', used);
    if (!used && this.view.client.kind !== 'other' && !this.queryUnknown()) {
      this.olderKubectl(
        `the request had no fieldManager (an older kubectl or another client); current kubectl sends ${commandDefault}`,
      );
    }
    return this;
  }

  /** `--validate` for commands that send fieldValidation (create, apply, replace, edit, taint). */
  validation(): this {
    const used = this.view.fieldValidation;
    if (used === 'Ignore') return this.raw('--validate=false');
    if (used === 'Warn') return this.raw('--validate=warn');
    if (!used && this.view.client.kind !== 'other' && !this.queryUnknown()) {
      this.olderKubectl(
        'the request had no fieldValidation (an older kubectl or another client); current kubectl sends Strict',
      );
    }
    return this;
  }

  document(doc: ObjectDocument): this {
    this.stdin = heredoc(doc.yaml);
    if (doc.redacted) this.partial('secret values in the object were replaced by <redacted>');
    if (doc.truncated) this.partial('the object was longer than 64 KiB and is truncated');
    if (doc.dropped.length > 0) {
      this.note(`server-set fields left out of the object: ${doc.dropped.join(', ')}`);
    }
    return this;
  }

  /**
   * A converted export (GKE) that did not keep the query string: an absent fieldManager says
   * nothing about the client, so it is not blamed on an older kubectl (finalise says why the
   * flags are unknown).
   */
  private queryUnknown(): boolean {
    return missingParts(this.view.event.annotations).includes('request-query');
  }

  /** The request shows an older kubectl: current kubectl sends it with more parameters. */
  olderKubectl(text: string): this {
    this.olderClient = true;
    return this.note(text);
  }

  /** Notes quote names and messages from the event: keep them printable and bounded. */
  note(text: string): this {
    const note = clean(text, MAX_NOTE_CHARS);
    if (!this.notes.includes(note)) this.notes.push(note);
    return this;
  }

  partial(text: string): this {
    return this.lower('partial', text);
  }

  lower(fidelity: Fidelity, text: string): this {
    if (RANK[fidelity] > RANK[this.fidelity]) this.fidelity = fidelity;
    return this.note(text);
  }

  build(): BuiltCommand {
    this.impersonation();
    const words = [...this.words];
    if (this.afterDashDash.length > 0) words.push('--', ...this.afterDashDash);
    let command = words.join(' ');
    if (this.stdin) command = `${command} ${this.stdin.redirect}\n${this.stdin.text}`;
    let fidelity = this.fidelity;
    const client = this.view.client;
    if (client.kind === 'other' && (fidelity === 'exact' || fidelity === 'equivalent')) {
      fidelity = 'equivalent';
      this.notes.unshift(
        `made by ${client.name}, not kubectl; this is the kubectl command for the same request`,
      );
    } else if (fidelity === 'exact' && this.olderClient) {
      fidelity = 'equivalent';
    }
    return { command, fidelity, notes: this.notes };
  }

  private impersonation(): void {
    const as = this.view.event.impersonatedUser;
    if (!as) return;
    if (as.username) this.opt('--as', as.username);
    const serviceAccount = /^system:serviceaccount:([^:]+):/.exec(as.username ?? '');
    for (const group of as.groups ?? []) {
      if (IMPLIED_GROUPS.has(group)) continue;
      if (
        serviceAccount &&
        (group === 'system:serviceaccounts' ||
          group === `system:serviceaccounts:${serviceAccount[1]}`)
      )
        continue;
      this.opt('--as-group', group);
    }
    if (as.uid) this.opt('--as-uid', as.uid);
    const extra = Object.keys(as.extra ?? {});
    if (extra.length > 0) {
      this.partial(`kubectl cannot send the impersonated extra fields: ${extra.join(', ')}`);
    }
  }

  private bounded(value: string): string {
    if (value.length <= MAX_ARG_CHARS) return value;
    this.partial(`a value longer than ${MAX_ARG_CHARS} characters was cut`);
    return `${value.slice(0, MAX_ARG_CHARS)}...<truncated>`;
  }
}
