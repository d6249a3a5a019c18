import type { EventRecord, QuarantineRecord } from '../database/events-table';

/** What a committed batch changed. */
export interface WriteResult {
  /** Rows that were new; the rest of the events were exact re-sends already stored. */
  inserted: number;
  quarantined: number;
}

/**
 * Where a managed-cluster source stands (src/sources), committed in the same transaction as the
 * events it read up to there: after a crash it resumes from the last committed position.
 */
export interface SourcePosition {
  source: string;
  /** Opaque to storage; null for sources whose cloud keeps the position (Pub/Sub acks). */
  position: string | null;
  /** Newest event time committed so far (epoch ms), null before the first event. */
  lastEventMs: number | null;
  updatedAtMs: number;
}

/**
 * Storage port of the ingest module. `write` returns only after the rows are committed;
 * re-sending the same records inserts nothing (unique cluster + content hash). The adapter
 * owns every storage detail: column limits, statement sizes, an event too large to store whole.
 */
export interface EventWriter {
  write(
    events: EventRecord[],
    quarantine: QuarantineRecord[],
    position?: SourcePosition,
  ): Promise<WriteResult>;
}

export const EVENT_WRITER = Symbol('EVENT_WRITER');

/** The database could not take the batch; the sender should retry later. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    // SQLite's messages are vague ("disk I/O error"); its code says which operation failed.
    const code = (cause as { code?: unknown } | null)?.code;
    const withCode =
      typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
    super(`database unavailable: ${withCode}`);
    this.name = 'StorageUnavailableError';
    this.cause = cause;
  }
}
