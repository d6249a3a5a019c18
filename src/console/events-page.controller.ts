import { Get, Header, Query } from '@nestjs/common';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { AuditService } from '../audit/audit.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { ConsoleController } from './console-access.guard';
import { parseFilters } from './console-filters';
import { eventRowsView, eventsPageView } from './events-page.view';
import { PageRenderer } from './page-renderer';

/** Rows per page of the table; the next page loads as the last row scrolls into view. */
export const ROWS_PER_PAGE = 50;
const HTML = 'text/html; charset=utf-8';

/** The events page (`/`) and the next pages of its table (`/events/rows`, for htmx). */
@ConsoleController()
export class EventsPageController {
  constructor(
    private readonly audit: AuditService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get()
  @AccessLogged('search')
  @Header('content-type', HTML)
  async events(
    @CurrentIdentity() who: Identity,
    @Query() raw: Record<string, unknown>,
  ): Promise<string> {
    const { filters, query, cursor } = parseFilters(raw);
    const [page, stats, clusters] = await Promise.all([
      this.audit.listEvents(who.visibility, query, { limit: ROWS_PER_PAGE, cursor }),
      this.audit.stats(who.visibility, query),
      this.audit.clusters(who.visibility),
    ]);
    return this.renderer.render('events', eventsPageView(page, stats, clusters, filters));
  }

  @Get('events/rows')
  @AccessLogged('search')
  @Header('content-type', HTML)
  async rows(
    @CurrentIdentity() who: Identity,
    @Query() raw: Record<string, unknown>,
  ): Promise<string> {
    const { filters, query, cursor } = parseFilters(raw);
    const page = await this.audit.listEvents(who.visibility, query, {
      limit: ROWS_PER_PAGE,
      cursor,
    });
    return this.renderer.render('event-rows', eventRowsView(page, filters));
  }
}
