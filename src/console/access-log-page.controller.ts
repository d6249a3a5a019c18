import { Get, Header, Query } from '@nestjs/common';
import { accessLogFilter } from '../access-log/access-log.controller';
import { AccessLogQueryDto } from '../access-log/access-log.dto';
import { AccessLogService } from '../access-log/access-log.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { accessLogView } from './access-log.view';
import { ConsoleController } from './console-access.guard';
import { PageRenderer } from './page-renderer';

const ROWS = 100;

/** `/admin/access-log`: the console's view of "who looked", for administrators (403 otherwise). */
@ConsoleController('admin')
export class AccessLogPageController {
  constructor(
    private readonly accessLog: AccessLogService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get('access-log')
  @Header('content-type', 'text/html; charset=utf-8')
  async accessLogPage(
    @CurrentIdentity() who: Identity,
    @Query() dto: AccessLogQueryDto,
  ): Promise<string> {
    const page = await this.accessLog.list(who, accessLogFilter(dto, Date.now()), {
      limit: dto.limit ?? ROWS,
      cursor: dto.cursor,
    });
    return this.renderer.render('access-log', accessLogView(page, dto));
  }
}
