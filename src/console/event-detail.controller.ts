import { Get, Header, Param } from '@nestjs/common';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { AuditService } from '../audit/audit.service';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { EventIdDto } from '../audit/events-query.dto';
import { DetectionQueryService } from '../detection/query/detection-query.service';
import { ConsoleController } from './console-access.guard';
import { eventDetailView } from './event-detail.view';
import { PageRenderer } from './page-renderer';

/** An apiserver writes at most four stages per request; more would be a replay. */
const MAX_STAGES = 10;

/** One event explained (`/events/:id`): the sentence, the command, who/where/when, the bodies. */
@ConsoleController()
export class EventDetailController {
  constructor(
    private readonly audit: AuditService,
    private readonly detections: DetectionQueryService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get('events/:id')
  @AccessLogged('open-event', 'id')
  @Header('content-type', 'text/html; charset=utf-8')
  async detail(@CurrentIdentity() who: Identity, @Param() params: EventIdDto): Promise<string> {
    const { event, ...item } = await this.audit.getEvent(who.visibility, params.id);
    const [stages, detections] = await Promise.all([
      this.audit.listEvents(who.visibility, { auditID: [item.auditID] }, { limit: MAX_STAGES }),
      item.detections.length > 0
        ? this.detections.ofEvent(who.visibility, item.id)
        : Promise.resolve([]),
    ]);
    return this.renderer.render(
      'event-detail',
      eventDetailView(item, event, stages.items, detections),
    );
  }
}
