import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InvalidBatchError } from './batch-body';
import { StorageUnavailableError } from './event-writer.repository';

/** Seconds the sender should wait; client-go honours Retry-After within one attempt. */
const RETRY_AFTER_SECONDS = 5;

/** Maps ingest failures to answers a sender can act on: 400 is its fault, 503 is ours. */
@Catch(InvalidBatchError, StorageUnavailableError)
export class IngestErrorsFilter implements ExceptionFilter {
  catch(error: InvalidBatchError | StorageUnavailableError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof InvalidBatchError) {
      void reply
        .status(400)
        .send({ statusCode: 400, error: 'Bad Request', message: error.message });
      return;
    }
    void reply.status(503).header('Retry-After', String(RETRY_AFTER_SECONDS)).send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'database unavailable; retry later',
    });
  }
}
