import type { EventRow, QuarantineRow } from './event-row';

/** What a committed batch changed. */
export interface WriteResult {
  /** Rows that were new; the rest of the events were exact re-sends already stored. */
  inserted: number;
  quarantined: number;
}

/**
 * Storage port of the ingest module. `write` returns only after the rows are committed;
 * re-sending the same rows inserts nothing (unique cluster + content hash).
 */
export interface EventWriter {
  write(events: EventRow[], quarantine: QuarantineRow[]): Promise<WriteResult>;
}

export const EVENT_WRITER = Symbol('EVENT_WRITER');

/** The database could not take the batch; the sender should retry later. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StorageUnavailableError';
    this.cause = cause;
  }
}
