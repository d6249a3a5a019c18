import { Module } from '@nestjs/common';
import { AccessLogController } from './access-log.controller';
import { ACCESS_LOG_REPOSITORY } from './access-log.repository';
import { AccessLogService } from './access-log.service';
import { AccessLogRecorder } from './access-logged.decorator';
import { SqlAccessLogRepository } from './sql-access-log.repository';

/**
 * "Who looked": AccessLogService.record(identity, action, details) for any module (the query
 * routes through `@AccessLogged()`, the login pages directly), and the administrators' view of
 * the log at `GET /api/v1/access-log`.
 */
@Module({
  controllers: [AccessLogController],
  providers: [
    AccessLogService,
    AccessLogRecorder,
    { provide: ACCESS_LOG_REPOSITORY, useClass: SqlAccessLogRepository },
  ],
  exports: [AccessLogService, AccessLogRecorder],
})
export class AccessLogModule {}
