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
  @ApiOkResponse({ description: '{items, nextCursor}: newest first' })
  list(@Query() dto: EventsQueryDto): Promise<EventPage> {
    return this.audit.listEvents(toEventQuery(dto, Date.now()), {
      limit: dto.limit ?? DEFAULT_PAGE_SIZE,
      cursor: dto.cursor,
    });
  }

  @Get('events/export')
  @ApiProduces(EXPORT_CONTENT_TYPES.ndjson, EXPORT_CONTENT_TYPES.csv)
  export(@Query() dto: ExportQueryDto, @Res() reply: FastifyReply): FastifyReply {
    const query = toEventQuery(dto, Date.now());
    const format = dto.format ?? 'ndjson';
    const lines = exportLines(this.audit.exportEvents(query), format);
    return reply
      .header('content-type', EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="audit-events.${format}"`)
      .send(Readable.from(lines));
  }

  /** Server-sent events: each new matching event as `event: audit`, data the item's JSON. */
  @Sse('events/stream')
  stream(@Query() dto: EventFiltersDto): Observable<MessageEvent> {
    return this.liveTail
      .subscribe(toEventQuery(dto, Date.now()))
      .pipe(map((item) => ({ type: 'audit', id: item.id, data: item })));
  }

  @Get('events/:id')
  get(@Param() params: EventIdDto): ReturnType<AuditService['getEvent']> {
    return this.audit.getEvent(params.id);
  }

  @Get('objects/history')
  @ApiOkResponse({ description: '{items, nextCursor}: oldest first, writes with their diff' })
  history(@Query() dto: ObjectHistoryQueryDto): Promise<Page<HistoryItem>> {
    return this.audit.objectHistory(
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
  activity(
    @Param() params: UserActivityParamsDto,
    @Query() dto: UserActivityQueryDto,
  ): Promise<UserActivity> {
    const now = Date.now();
    const range = timeRange(dto.from, dto.to, now);
    const toMs = range.toMs ?? now;
    const fromMs = range.fromMs ?? toMs - WEEK_MS;
    if (fromMs > toMs) throw new BadRequestException(['from must not be later than to']);
    return this.audit.userActivity(params.username, { fromMs, toMs, cluster: dto.cluster });
  }

  @Get('stats')
  @ApiOkResponse({ description: 'Counts over time and top lists; default range the last 24 h' })
  stats(@Query() dto: EventFiltersDto): Promise<EventStats> {
    const now = Date.now();
    return this.audit.stats(toEventQuery(dto, now), now);
  }

  @Get('clusters')
  clusters(): Promise<string[]> {
    return this.audit.clusters();
  }
}
