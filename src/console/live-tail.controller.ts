import { MessageEvent, Query, Sse } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { LiveTailService } from '../audit/live-tail.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { ConsoleController } from './console-access.guard';
import { parseFilters } from './console-filters';
import { eventRowView } from './event-row.view';
import { PageRenderer } from './page-renderer';

/**
 * Live tail of the events page: each matching event, once committed, as a rendered table row
 * in an SSE message named `row` (htmx-ext-sse swaps it in at the top of the table). The
 * LiveTailService polls the database once per replica however many browsers listen.
 */
@ConsoleController()
export class LiveTailController {
  constructor(
    private readonly liveTail: LiveTailService,
    private readonly renderer: PageRenderer,
  ) {}

  @Sse('events/live')
  @AccessLogged('live-tail')
  live(
    @CurrentIdentity() who: Identity,
    @Query() raw: Record<string, unknown>,
  ): Observable<MessageEvent> {
    const { filters, query } = parseFilters(raw);
    return this.liveTail.subscribe(who.visibility, query).pipe(
      map((event) => ({
        type: 'row',
        id: event.id,
        data: this.renderer.render('live-row', eventRowView(event, filters)),
      })),
    );
  }
}
