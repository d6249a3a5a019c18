/**
 * A continuous source of audit events from a managed cluster's cloud logging (GKE Pub/Sub,
 * AKS storage account, EKS CloudWatch Logs). The `SourcesService` runs each configured source on
 * one replica at a time (a database lease per source) and stores what `next` returns through
 * the same ingest path as the webhook, the checkpoint in the same transaction as the events.
 *
 * Contract:
 * - `open(checkpoint)` is called when this replica starts leading the source, with the
 *   checkpoint committed with the last stored batch (`undefined`: never run; start where the
 *   source's configuration says).
 * - `next(signal)` returns the next batch, or `undefined` when nothing new came within a short
 *   wait (a few seconds at most; return early when `signal` aborts). It throws on a cloud or
 *   network error; the runner counts it, backs off and calls `next` again (without re-opening).
 * - A batch's `checkpoint`, when given, is the position right after its events: committing it
 *   means none of them is read again after a crash. Sources with acknowledgements (Pub/Sub)
 *   give `acknowledge` instead, called only after the commit; unacknowledged messages come back.
 *   A batch may hold zero items (only records to skip, or only a checkpoint move).
 * - Re-reading is always safe: the content hash drops exact repeats, so at-least-once is enough.
 * - `close()` is called on shutdown or when the lease is lost; `open` may follow again later.
 */
export interface AuditSource {
  /** The configured name (unique; names the lease, the checkpoint and the metrics' label). */
  readonly name: string;
  /** `gke-pubsub`, `aks-blob` or `eks-cloudwatch`. */
  readonly kind: SourceKind;
  open(checkpoint: string | undefined): Promise<void>;
  next(signal: AbortSignal): Promise<SourceBatch | undefined>;
  close(): Promise<void>;
}

export type SourceKind = 'gke-pubsub' | 'aks-blob' | 'eks-cloudwatch';

export interface SourceBatch {
  /** The cluster every item belongs to (a source spanning clusters returns one batch each). */
  cluster: string;
  /** audit.k8s.io Event objects, already out of the cloud's envelope (as the webhook gets them). */
  items: unknown[];
  /** Records that are not events (unparseable, unconvertible): kept in quarantine with the reason. */
  rejected: RejectedRecord[];
  /** Records deliberately skipped (other log categories or streams), counted only. */
  skipped: number;
  /** The position after this batch, stored in the same transaction as its events. */
  checkpoint?: string;
  /** Called once the batch is committed (Pub/Sub: ack its messages). */
  acknowledge?: () => Promise<void>;
}

export interface RejectedRecord {
  /** The record as read (a string or parsed JSON); stored verbatim in quarantine. */
  record: unknown;
  reason: string;
}
