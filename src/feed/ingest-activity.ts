import { Injectable } from '@nestjs/common';

/**
 * How busy ingest is on this replica: the time during which at least one batch was being
 * stored, summed. Background work that competes for the same CPU and database (the detector)
 * compares two readings to see what share of a period ingest was working, a direct signal where
 * the event loop's own utilization stays low (ingest mostly waits for the database).
 */
@Injectable()
export class IngestActivity {
  private inFlight = 0;
  private busySince = 0;
  private busyTotalMs = 0;

  begin(): void {
    if (this.inFlight++ === 0) this.busySince = performance.now();
  }

  end(): void {
    if (this.inFlight === 0) return;
    if (--this.inFlight === 0) this.busyTotalMs += performance.now() - this.busySince;
  }

  /** Milliseconds with a batch in flight since the process started, up to now. */
  busyMs(): number {
    return this.busyTotalMs + (this.inFlight > 0 ? performance.now() - this.busySince : 0);
  }
}
