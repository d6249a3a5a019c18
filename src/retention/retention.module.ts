import { Module } from '@nestjs/common';
import { OpsModule } from '../ops/ops.module';
import { EVENT_PURGER } from './event-purger.repository';
import { RetentionService } from './retention.service';
import { SqlEventPurger } from './sql-event-purger.repository';

/** Deletes events past RETENTION_DAYS in the background; `npm run purge` uses the same service. */
@Module({
  imports: [OpsModule],
  providers: [RetentionService, { provide: EVENT_PURGER, useClass: SqlEventPurger }],
  exports: [RetentionService],
})
export class RetentionModule {}
