import { Module } from '@nestjs/common';
import { DETECTION_READER } from './detection-reader.repository';
import { SqlDetectionReader } from './sql-detection-reader.repository';

/**
 * The storage port of the detections' read side alone, so the audit module can attach each
 * event's detections to its items without depending on the detections API (which reads events
 * through the audit module).
 */
@Module({
  providers: [{ provide: DETECTION_READER, useClass: SqlDetectionReader }],
  exports: [DETECTION_READER],
})
export class DetectionReaderModule {}
