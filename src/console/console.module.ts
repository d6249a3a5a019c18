import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConsoleAccessGuard } from './console-access.guard';
import { ConsolePageErrorFilter } from './console-page-error.filter';
import { EventDetailController } from './event-detail.controller';
import { EventsPageController } from './events-page.controller';
import { InsightPagesController } from './insight-pages.controller';
import { LiveTailController } from './live-tail.controller';
import { PageRenderer } from './page-renderer';

/**
 * The web console: server-rendered pages over what the audit module serves (no SQL here).
 * Every controller is declared with `@ConsoleController()`, which puts its routes behind
 * `ConsoleAccessGuard`: the one place login will hook in.
 */
@Module({
  imports: [AuditModule],
  controllers: [
    EventsPageController,
    EventDetailController,
    LiveTailController,
    InsightPagesController,
  ],
  providers: [PageRenderer, ConsoleAccessGuard, ConsolePageErrorFilter],
})
export class ConsoleModule {}
