import type { DatabaseLease } from '../database/database-lease';

/** A source's committed position, as stored with its last batch. */
export interface StoredSourcePosition {
  source: string;
  position: string | null;
  lastEventMs: number | null;
  updatedAtMs: number;
}

/**
 * Storage port of the sources module. Positions are written by ingest, in the transaction of the
 * events they follow (EventWriter); this port reads them and holds the per-source lease.
 */
export interface SourceStore {
  /** The lease of one source: one replica at a time reads it. Undefined when another holds it. */
  acquireLease(source: string): Promise<DatabaseLease | undefined>;
  position(source: string): Promise<StoredSourcePosition | undefined>;
  /** Every stored position (sources removed from the file too), by name. */
  positions(): Promise<StoredSourcePosition[]>;
}

export const SOURCE_STORE = Symbol('SOURCE_STORE');
