import { Readable } from 'node:stream';
import {
  BadRequestException,
  Controller,
  Get,
  MessageEvent,
  Param,
  Query,
  Res,
  Sse,
} from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import type { EventPage, EventStats, HistoryItem, Page, UserActivity } from './audit-query';
import { AuditService } from './audit.service';
import { EXPORT_CONTENT_TYPES, exportLines } from './event-export';
import {
  DEFAULT_PAGE_SIZE,
  EventFiltersDto,
  EventIdDto,
  EventsQueryDto,
  ExportQueryDto,
  timeRange,
  toEventQuery,
} from './events-query.dto';
import {
  ObjectHistoryQueryDto,
  UserActivityParamsDto,
  UserActivityQueryDto,
} from './history-activity.dto';
import { LiveTailService } from './live-tail.service';

const WEEK_MS = 7 * 86_400_000;

@ApiTags('events')
@Controller('api/v1')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly liveTail: LiveTailService,
  ) {}

  @Get('events')
  @AccessLogged('search')
  @ApiOkResponse({ description: '{items, nextCursor}: newest first' })
  list(@CurrentIdentity() who: Identity, @Query() dto: EventsQueryDto): Promise<EventPage> {
    return this.audit.listEvents(who.visibility, toEventQuery(dto, Date.now()), {
      limit: dto.limit ?? DEFAULT_PAGE_SIZE,
      cursor: dto.cursor,
    });
  }

  @Get('events/export')
  @AccessLogged('export')
  @ApiProduces(EXPORT_CONTENT_TYPES.ndjson, EXPORT_CONTENT_TYPES.csv)
  export(
    @CurrentIdentity() who: Identity,
    @Query() dto: ExportQueryDto,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    const query = toEventQuery(dto, Date.now());
    const format = dto.format ?? 'ndjson';
    const lines = exportLines(this.audit.exportEvents(who.visibility, query), format);
    return reply
      .header('content-type', EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="audit-events.${format}"`)
      .send(Readable.from(lines));
  }

  /** Server-sent events: each new matching event as `event: audit`, data the item's JSON. */
  @Sse('events/stream')
  @AccessLogged('live-tail')
  stream(
    @CurrentIdentity() who: Identity,
    @Query() dto: EventFiltersDto,
  ): Observable<MessageEvent> {
    return this.liveTail
      .subscribe(who.visibility, toEventQuery(dto, Date.now()))
      .pipe(map((item) => ({ type: 'audit', id: item.id, data: item })));
  }

  @Get('events/:id')
  @AccessLogged('open-event', 'id')
  get(
    @CurrentIdentity() who: Identity,
    @Param() params: EventIdDto,
  ): ReturnType<AuditService['getEvent']> {
    return this.audit.getEvent(who.visibility, params.id);
  }

  @Get('objects/history')
  @AccessLogged('object-history')
  @ApiOkResponse({ description: '{items, nextCursor}: oldest first, writes with their diff' })
  history(
    @CurrentIdentity() who: Identity,
    @Query() dto: ObjectHistoryQueryDto,
  ): Promise<Page<HistoryItem>> {
    return this.audit.objectHistory(
      who.visibility,
      {
        cluster: dto.cluster,
        apiGroup: dto.apiGroup,
        resource: dto.resource,
        namespace: dto.namespace ?? '',
        name: dto.name,
      },
      { limit: dto.limit ?? DEFAULT_PAGE_SIZE, cursor: dto.cursor },
    );
  }

  @Get('users/:username/activity')
  @AccessLogged('user-activity')
  activity(
    @CurrentIdentity() who: Identity,
    @Param() params: UserActivityParamsDto,
    @Query() dto: UserActivityQueryDto,
  ): Promise<UserActivity> {
    const now = Date.now();
    const range = timeRange(dto.from, dto.to, now);
    const toMs = range.toMs ?? now;
    const fromMs = range.fromMs ?? toMs - WEEK_MS;
    if (fromMs > toMs) throw new BadRequestException(['from must not be later than to']);
    return this.audit.userActivity(who.visibility, params.username, {
      fromMs,
      toMs,
      cluster: dto.cluster,
    });
  }

  @Get('stats')
  @AccessLogged('stats')
  @ApiOkResponse({ description: 'Counts over time and top lists; default range the last 24 h' })
  stats(@CurrentIdentity() who: Identity, @Query() dto: EventFiltersDto): Promise<EventStats> {
    const now = Date.now();
    return this.audit.stats(who.visibility, toEventQuery(dto, now), now);
  }

  @Get('clusters')
  clusters(@CurrentIdentity() who: Identity): Promise<string[]> {
    return this.audit.clusters(who.visibility);
  }
}
