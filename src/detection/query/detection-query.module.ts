import { Module } from '@nestjs/common';
import { AccessLogModule } from '../../access-log/access-log.module';
import { AuditModule } from '../../audit/audit.module';
import { DetectionQueryService } from './detection-query.service';
import { DetectionReaderModule } from './detection-reader.module';
import { DetectionsController } from './detections.controller';

/**
 * The read side of detections: `GET /api/v1/detections` and `/summary`, the service the
 * console's pages use, and (re-exported) the `DETECTION_READER` port.
 */
@Module({
  imports: [DetectionReaderModule, AuditModule, AccessLogModule],
  controllers: [DetectionsController],
  providers: [DetectionQueryService],
  exports: [DetectionQueryService, DetectionReaderModule],
})
export class DetectionQueryModule {}
