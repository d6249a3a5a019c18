import { Inject, Injectable, Logger } from '@nestjs/common';
import { normalizeEvent } from '../domain/normalize-event';
import { QUARANTINE_COLUMNS } from '../database/schema';
import { SQL_DIALECT, SqlDialect } from '../database/sql-dialect';
import { AuditMetrics } from '../ops/audit-metrics';
import {
  buildEventRow,
  buildQuarantineRow,
  EventRow,
  QuarantineRow,
  storedEventJson,
} from './event-row';
import { EVENT_WRITER, EventWriter, StorageUnavailableError } from './event-writer.repository';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
}

const TRUNCATED = 'audit.k8s.io/truncated';
const REASON_COLUMN = QUARANTINE_COLUMNS.indexOf('reason');
const OTHER_COLUMNS_BYTES = 128 * 1024;

@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    @Inject(EVENT_WRITER) private readonly writer: EventWriter,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
    private readonly metrics: AuditMetrics,
  ) {}

  /**
   * Stores one batch and returns only once it is committed. Events that lack what storage needs
   * go to quarantine with their reason; an exact re-send of a stored event is a duplicate.
   */
  async ingestBatch(cluster: string, items: unknown[]): Promise<IngestResult> {
    const started = process.hrtime.bigint();
    const events: EventRow[] = [];
    const quarantine: QuarantineRow[] = [];
    const now = new Date();
    items.forEach((raw, index) => {
      const normalized = normalizeEvent(raw);
      if (!normalized.ok) {
        quarantine.push(
          buildQuarantineRow(cluster, raw, `item ${index}: ${normalized.reason}`, now),
        );
        return;
      }
      const json = this.fitToStorage(raw as Record<string, unknown>);
      events.push(buildEventRow(cluster, normalized.event, json, normalized.stageEpochMs));
    });
    let written;
    try {
      written = await this.writer.write(events, quarantine);
    } catch (error) {
      this.metrics.recordDatabaseError();
      this.logger.error(
        `batch of ${items.length} events for cluster ${cluster} not stored: ${String(error)}`,
      );
      throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(error);
    }
    const result = {
      accepted: written.inserted,
      duplicates: events.length - written.inserted,
      rejected: quarantine.length,
    };
    if (quarantine.length > 0) {
      // Reasons only: a rejected event's content can hold anything, including secrets.
      const reasons = quarantine.slice(0, 3).map((row) => String(row[REASON_COLUMN]));
      this.logger.warn(
        `cluster ${cluster}: ${quarantine.length} of ${items.length} events quarantined (${reasons.join('; ')}${quarantine.length > 3 ? '; ...' : ''})`,
      );
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.recordBatch(cluster, result, seconds);
    return result;
  }

  /**
   * An event too large for one statement would fail the whole batch forever (the apiserver
   * retries, then drops it). Do what the apiserver's own truncate backend does: drop the request
   * and response objects and mark the event, keeping who/what/when.
   */
  private fitToStorage(raw: Record<string, unknown>): string {
    const json = storedEventJson(raw);
    // The other columns of the row (URI, user agent, ...) take at most this much beside the JSON.
    const limit = this.dialect.maxStatementBytes - OTHER_COLUMNS_BYTES;
    if (json.length * 3 <= limit || Buffer.byteLength(json) <= limit) return json;
    const { requestObject: _req, responseObject: _res, ...rest } = raw;
    const annotations = {
      ...(rest.annotations as Record<string, string> | undefined),
      [TRUNCATED]: 'true',
    };
    this.logger.warn(
      `event ${String(raw.auditID)} is ${json.length} bytes; stored without its objects`,
    );
    return storedEventJson({ ...rest, annotations });
  }
}
