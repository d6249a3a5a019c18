import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { OpsModule } from '../ops/ops.module';
import { EventRedactor } from './event-redactor';
import { EVENT_WRITER } from './event-writer.repository';
import { IngestController } from './ingest.controller';
import { IngestErrorsFilter } from './ingest-errors.filter';
import { IngestBackpressure, IngestBackpressureFilter } from './ingest-backpressure';
import { IngestService } from './ingest.service';
import { REDACTION_KEY_STORE, SqlRedactionKeyStore } from './redaction-key.repository';
import { SqlEventWriter } from './sql-event-writer.repository';
import { WebhookAuthMiddleware } from './webhook-auth.middleware';

@Module({
  imports: [OpsModule],
  controllers: [IngestController],
  providers: [
    IngestService,
    { provide: EVENT_WRITER, useClass: SqlEventWriter },
    EventRedactor,
    { provide: REDACTION_KEY_STORE, useClass: SqlRedactionKeyStore },
    { provide: APP_FILTER, useClass: IngestErrorsFilter },
    IngestBackpressure,
    { provide: APP_FILTER, useClass: IngestBackpressureFilter },
  ],
  exports: [IngestService],
})
export class IngestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(WebhookAuthMiddleware)
      .forRoutes(
        { path: 'webhook/audit', method: RequestMethod.POST },
        { path: 'webhook/audit/*path', method: RequestMethod.POST },
      );
  }
}
