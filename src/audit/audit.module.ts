import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { DetectionReaderModule } from '../detection/query/detection-reader.module';
import { ReconstructionModule } from '../reconstruction/reconstruction.module';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { EVENT_READER } from './event-reader.repository';
import { LiveTailService } from './live-tail.service';
import { SqlEventReader } from './sql-event-reader.repository';

@Module({
  imports: [ReconstructionModule, AccessLogModule, DetectionReaderModule],
  controllers: [AuditController],
  providers: [AuditService, LiveTailService, { provide: EVENT_READER, useClass: SqlEventReader }],
  exports: [AuditService, LiveTailService],
})
export class AuditModule {}
