import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessLogModule } from '../access-log/access-log.module';
import { AuditModule } from '../audit/audit.module';
import { DetectionQueryModule } from '../detection/query/detection-query.module';
import { SourcesModule } from '../sources/sources.module';
import { AccessLogPageController } from './access-log-page.controller';
import { ClustersPageController } from './clusters-page.controller';
import { ConsoleNotFoundFilter } from './console-not-found.filter';
import { ConsolePageErrorFilter } from './console-page-error.filter';
import { DetectionsPageController } from './detections-page.controller';
import { EventDetailController } from './event-detail.controller';
import { EventsPageController } from './events-page.controller';
import { InsightPagesController } from './insight-pages.controller';
import { LiveTailController } from './live-tail.controller';
import { PageRenderer } from './page-renderer';

/**
 * The web console: server-rendered pages over what the audit module serves (no SQL here).
 * Every controller is declared with `@ConsoleController()`: pages show the logged-in viewer
 * and errors (including "log in first", from the global AuthGuard) render as pages.
 */
@Module({
  imports: [AuditModule, AccessLogModule, DetectionQueryModule, SourcesModule],
  controllers: [
    EventsPageController,
    EventDetailController,
    LiveTailController,
    InsightPagesController,
    AccessLogPageController,
    DetectionsPageController,
    ClustersPageController,
  ],
  providers: [
    PageRenderer,
    ConsolePageErrorFilter,
    { provide: APP_FILTER, useClass: ConsoleNotFoundFilter },
  ],
})
export class ConsoleModule {}
