import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventRecord, QuarantineRecord } from '../database/events-table';
import { normalizeEvent } from '../domain/normalize-event';
import { CommittedEventsFeed } from '../feed/committed-events.feed';
import { AuditMetrics } from '../ops/audit-metrics';
import { EventRedactor } from './event-redactor';
import { buildEventRecord, buildQuarantineRecord, storedEventJson } from './event-record';
import {
  EVENT_WRITER,
  EventWriter,
  SourcePosition,
  StorageUnavailableError,
} from './event-writer.repository';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** What a managed-cluster source adds to a batch (src/sources). */
export interface SourceBatchExtras {
  /** Records that were not events at all (bad JSON in the cloud's envelope): quarantined. */
  rejected: { record: unknown; reason: string }[];
  /** Committed in the same transaction as the events. */
  position: SourcePosition;
}

@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    @Inject(EVENT_WRITER) private readonly writer: EventWriter,
    private readonly metrics: AuditMetrics,
    private readonly feed: CommittedEventsFeed,
    private readonly redactor: EventRedactor,
  ) {}

  /**
   * Stores one batch and returns only once it is committed. Events that lack what storage needs
   * go to quarantine with their reason; an exact re-send of a stored event is a duplicate.
   * Secrets and tokens are redacted first (REDACT), so the stored JSON, its content hash and
   * the columns (request URI) hold only markers; the markers are deterministic for one key,
   * so a re-sent batch hashes the same and is still a duplicate.
   */
  async ingestBatch(
    cluster: string,
    items: unknown[],
    source?: SourceBatchExtras,
  ): Promise<IngestResult> {
    const started = process.hrtime.bigint();
    const events: EventRecord[] = [];
    const quarantine: QuarantineRecord[] = [];
    const now = new Date();
    for (const { record, reason } of source?.rejected ?? []) {
      const why = `${source?.position.source ?? 'source'}: ${reason}`;
      quarantine.push(buildQuarantineRecord(cluster, this.redactor.redact(record), why, now));
    }
    items.forEach((item, index) => {
      const raw = this.redactor.redact(item);
      const normalized = normalizeEvent(raw);
      if (!normalized.ok) {
        quarantine.push(
          buildQuarantineRecord(cluster, raw, `item ${index}: ${normalized.reason}`, now),
        );
        return;
      }
      const json = storedEventJson(raw as Record<string, unknown>);
      events.push(buildEventRecord(cluster, normalized.event, json, normalized.stageEpochMs));
    });
    let written;
    try {
      written = await this.writer.write(events, quarantine, source?.position);
    } catch (error) {
      this.metrics.recordDatabaseError();
      this.logger.error(
        `batch of ${items.length} events for cluster ${cluster}${source ? ` from source ${source.position.source}` : ''} not stored: ${String(error)}`,
      );
      throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(error);
    }
    this.feed.publish(
      cluster,
      events.map((record) => record.id),
      written.inserted < events.length,
    );
    const result = {
      accepted: written.inserted,
      duplicates: events.length - written.inserted,
      rejected: quarantine.length,
    };
    if (quarantine.length > 0) {
      // Reasons only: a rejected event's content can hold anything, including secrets.
      const reasons = quarantine.slice(0, 3).map((record) => record.reason);
      this.logger.warn(
        `cluster ${cluster}: ${quarantine.length} of ${items.length + (source?.rejected.length ?? 0)} events quarantined (${reasons.join('; ')}${quarantine.length > 3 ? '; ...' : ''})`,
      );
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.recordBatch(cluster, result, seconds);
    return result;
  }
}
