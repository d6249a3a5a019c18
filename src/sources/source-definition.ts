import type { AuditSource, SourceKind } from './audit-source';

/** What every entry of the sources file has, whatever its kind. */
export interface SourceEntryBase {
  /** Unique, `[a-z0-9][a-z0-9-]{0,62}`: names the lease, the checkpoint and the metrics' label. */
  name: string;
  kind: SourceKind;
  /**
   * The cluster name its events are stored under (same rules as the webhook's `:cluster`).
   * Required for aks-blob and eks-cloudwatch; for gke-pubsub it defaults to each entry's
   * `resource.labels.cluster_name`.
   */
  cluster?: string;
}

/** What a source may read besides its entry: the environment (secrets are named, not inlined). */
export interface SourceContext {
  env: Readonly<Record<string, string | undefined>>;
  /** Log lines of this source (never event contents: they may hold anything). */
  log: (level: 'log' | 'warn' | 'error', message: string) => void;
  /** Clock, replaceable in tests. */
  now: () => number;
}

/**
 * One kind of source: its entry's validation (a class-validator class: every field decorated,
 * unknown fields refused by the loader) and the constructor of a running source.
 */
export interface SourceDefinition<E extends SourceEntryBase = SourceEntryBase> {
  kind: SourceKind;
  entryClass: new () => E;
  /**
   * Checks that class-validator cannot express (a secret's environment variable is set, two
   * fields exclusive): messages name the field; empty when fine.
   */
  check?(entry: E, context: SourceContext): string[];
  create(entry: E, context: SourceContext): AuditSource;
}
