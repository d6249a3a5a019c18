import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { bufferToUuid } from '../database/events-table';

/** Ids of events one batch committed on this replica. */
export interface CommittedBatch {
  cluster: string;
  ids: string[];
  /**
   * Some of the ids may not be stored: the batch held exact re-sends, which the database
   * ignored (the writer cannot tell which). Subscribers read the rows by id and skip absent ones.
   */
  mayIncludeDuplicates: boolean;
}

/**
 * In-process "these events were committed" feed: ingest publishes after each commit; live tail
 * (and later the detection engine) subscribe. It only knows this replica's batches: readers
 * that must see every replica's events also read new rows from the database (LiveTailService).
 */
@Injectable()
export class CommittedEventsFeed {
  private readonly subject = new Subject<CommittedBatch>();
  private readonly signal = new Subject<void>();

  get committed(): Observable<CommittedBatch> {
    return this.subject.asObservable();
  }

  /**
   * "Something was committed", without the ids: for readers that go to the database anyway
   * (the detector), so that their listening costs ingest no id strings.
   */
  get commits(): Observable<void> {
    return this.signal.asObservable();
  }

  /** Cheap when nobody listens: no id strings are built then. */
  publish(cluster: string, ids: Buffer[], mayIncludeDuplicates: boolean): void {
    if (ids.length === 0) return;
    if (this.signal.observed) this.signal.next();
    if (!this.subject.observed) return;
    this.subject.next({ cluster, ids: ids.map(bufferToUuid), mayIncludeDuplicates });
  }
}
