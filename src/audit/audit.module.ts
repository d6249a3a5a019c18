import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { EVENT_READER } from './event-reader.repository';
import { SqlEventReader } from './sql-event-reader.repository';

@Module({
  controllers: [AuditController],
  providers: [AuditService, { provide: EVENT_READER, useClass: SqlEventReader }],
  exports: [AuditService],
})
export class AuditModule {}
