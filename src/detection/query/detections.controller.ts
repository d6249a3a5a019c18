import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Page } from '../../audit/audit-query';
import { DEFAULT_PAGE_SIZE, timeRange } from '../../audit/events-query.dto';
import { AccessLogged } from '../../access-log/access-logged.decorator';
import { CurrentIdentity } from '../../auth/current-identity.decorator';
import type { Identity } from '../../auth/identity';
import { severityOf } from '../detection';
import type { DetectionFilter } from './detection-reader.repository';
import {
  DetectionItem,
  DetectionQueryService,
  DetectionSummaryAnswer,
} from './detection-query.service';
import {
  DetectionFiltersDto,
  DetectionsQueryDto,
  DetectionSummaryQueryDto,
} from './detections-query.dto';

/** Validated filters -> what the reader reads; 400 when `from` is later than `to`. */
export function toDetectionFilter(
  dto: DetectionFiltersDto & { grouped?: 'true' | 'false'; eventId?: string },
  nowMs: number,
): DetectionFilter {
  const { fromMs, toMs } = timeRange(dto.from, dto.to, nowMs);
  const filter: DetectionFilter = {
    cluster: dto.cluster,
    rule: dto.rule,
    eventId: dto.eventId?.toLowerCase(),
    maxSeverity: dto.priority === undefined ? undefined : severityOf(dto.priority),
    fromMs,
    toMs,
    alertsOnly: dto.grouped !== 'false',
  };
  for (const key of Object.keys(filter) as (keyof DetectionFilter)[]) {
    if (filter[key] === undefined) delete filter[key];
  }
  return filter;
}

/** What the rules found (docs/detections-api.md). */
@ApiTags('detections')
@Controller('api/v1/detections')
export class DetectionsController {
  constructor(private readonly detections: DetectionQueryService) {}

  @Get()
  @AccessLogged('detections')
  @ApiOkResponse({
    description:
      '{items, nextCursor}: newest first; alerts (with their repeats) unless grouped=false',
  })
  list(
    @CurrentIdentity() who: Identity,
    @Query() dto: DetectionsQueryDto,
  ): Promise<Page<DetectionItem>> {
    return this.detections.list(who.visibility, toDetectionFilter(dto, Date.now()), {
      limit: dto.limit ?? DEFAULT_PAGE_SIZE,
      cursor: dto.cursor?.toLowerCase(),
    });
  }

  @Get('summary')
  @AccessLogged('detections')
  @ApiOkResponse({
    description:
      '{fromMs, toMs, rules}: per rule its alerts, detections, most severe priority and last seen; default range the last 7 days',
  })
  summary(
    @CurrentIdentity() who: Identity,
    @Query() dto: DetectionSummaryQueryDto,
  ): Promise<DetectionSummaryAnswer> {
    const { alertsOnly: _all, ...filter } = toDetectionFilter(dto, Date.now());
    return this.detections.summary(who.visibility, filter);
  }
}
