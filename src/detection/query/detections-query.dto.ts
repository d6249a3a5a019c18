import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import {
  ClusterFilter,
  PageCursor,
  PageLimit,
  Repeatable,
  TEXT,
  TimeParam,
  UUID,
} from '../../audit/events-query.dto';
import { DETECTION_LIMITS, DetectionPriority, PRIORITIES } from '../detection';

const PRIORITY_NAMES = PRIORITIES.map((p) => p.toLowerCase()).join(', ');

/** `priority`: Falco's name of a priority, any case (`warning`, `WARNING`; `info` too). */
const MinimumPriority = () =>
  applyDecorators(
    ApiPropertyOptional({
      enum: PRIORITIES,
      description:
        "Minimum priority, as Falco's -o priority=: detections at least this severe (warning lists warning, error, critical, alert and emergency). Any case.",
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const upper = value.trim().toUpperCase();
      return upper === 'INFO' ? 'INFORMATIONAL' : upper;
    }),
    IsIn(PRIORITIES, { message: `priority must be one of ${PRIORITY_NAMES}` }),
  );

const RuleFilter = () =>
  Repeatable(
    'rule',
    "A rule's name, exactly",
    TEXT,
    'must be non-empty text (a rule name)',
    DETECTION_LIMITS.rule,
  );

/** The filters shared by the list and the per-rule summary. */
export class DetectionFiltersDto {
  @ClusterFilter()
  cluster?: string[];

  @RuleFilter()
  rule?: string[];

  @MinimumPriority()
  priority?: DetectionPriority;

  @TimeParam('From (inclusive), of the event time')
  from?: string;

  @TimeParam('To (exclusive), of the event time')
  to?: string;
}

/** GET /api/v1/detections */
export class DetectionsQueryDto extends DetectionFiltersDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'true',
    description:
      'true (default): alerts only, each with the number of later detections grouped into it (`repeats`); false: every detection, grouped ones included (with `groupedInto`)',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'grouped must be true or false' })
  grouped?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'Only the detections of this event (its id)' })
  @IsOptional()
  @Matches(UUID, { message: 'eventId must be an event id (a UUID)' })
  eventId?: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

/** GET /api/v1/detections/summary: the range defaults to the last 7 days. */
export class DetectionSummaryQueryDto extends DetectionFiltersDto {}
