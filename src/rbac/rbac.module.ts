import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { ConsolePageErrorFilter } from '../console/console-page-error.filter';
import { PageRenderer } from '../console/page-renderer';
import { RbacController } from './rbac.controller';
import { RbacPageController } from './rbac-page.controller';
import { RBAC_READER } from './rbac-reader.repository';
import { RbacService } from './rbac.service';
import { SqlRbacReader } from './sql-rbac-reader.repository';

/**
 * Least-privilege RBAC suggestions from observed activity: the JSON API, the console page,
 * and the aggregate reads behind them (SqlRbacReader, the module's only SQL).
 */
@Module({
  imports: [AccessLogModule],
  controllers: [RbacController, RbacPageController],
  providers: [
    RbacService,
    { provide: RBAC_READER, useClass: SqlRbacReader },
    // The console's page renderer and error page, for the console route of this module.
    PageRenderer,
    ConsolePageErrorFilter,
  ],
})
export class RbacModule {}
