import { ArgumentsHost, Catch, ExceptionFilter, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { IngestActivity } from '../feed/ingest-activity';
import { AuditMetrics } from '../ops/audit-metrics';

/** Seconds a refused sender should wait: about one apiserver batch interval. */
const RETRY_AFTER_SECONDS = 5;

/** Too many batches of one cluster are waiting for the database; the sender should retry. */
export class IngestBackpressureError extends Error {
  constructor(
    readonly cluster: string,
    readonly limit: number,
  ) {
    super(
      `too many batches of cluster ${cluster} are waiting for the database (limit ${limit}, ` +
        `INGEST_MAX_PENDING_BATCHES); nothing of this batch was stored: send it again after ${RETRY_AFTER_SECONDS} s`,
    );
    this.name = 'IngestBackpressureError';
  }
}

/**
 * Bounds the batches of each cluster in flight to the database. When the database slows down,
 * senders keep sending (the apiserver batches every few seconds and retries what times out);
 * without a bound each one holds its body in memory and queues for a pool connection until the
 * process runs out of memory. Past the limit a batch is refused at once with 429 and
 * Retry-After, before it is stored: the apiserver keeps it and retries, so nothing is lost and
 * nothing is acknowledged unstored. The count is per cluster, so one cluster's flood is refused
 * while the others are still taken.
 */
@Injectable()
export class IngestBackpressure {
  private readonly logger = new Logger(IngestBackpressure.name);
  private readonly pending = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: AuditMetrics,
    private readonly activity: IngestActivity,
  ) {}

  /** Runs `store` counted as one pending batch of `cluster`, or throws IngestBackpressureError. */
  async admit<T>(cluster: string, store: () => Promise<T>): Promise<T> {
    const limit = this.config.ingestMaxPendingBatches;
    const waiting = this.pending.get(cluster) ?? 0;
    if (waiting >= limit) {
      this.metrics.recordThrottledBatch(cluster);
      this.logger.warn(`cluster ${cluster}: ${waiting} batches waiting for the database; 429`);
      throw new IngestBackpressureError(cluster, limit);
    }
    this.pending.set(cluster, waiting + 1);
    this.activity.begin();
    try {
      return await store();
    } finally {
      this.activity.end();
      const left = (this.pending.get(cluster) ?? 1) - 1;
      if (left > 0) this.pending.set(cluster, left);
      else this.pending.delete(cluster);
    }
  }
}

/** 429 with Retry-After: client-go's webhook backend waits and sends the batch again. */
@Catch(IngestBackpressureError)
export class IngestBackpressureFilter implements ExceptionFilter {
  catch(error: IngestBackpressureError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(429).header('Retry-After', String(RETRY_AFTER_SECONDS)).send({
      statusCode: 429,
      error: 'Too Many Requests',
      message: error.message,
    });
  }
}
