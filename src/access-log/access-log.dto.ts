import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { PageCursor, PageLimit, TEXT, TimeParam } from '../audit/events-query.dto';
import { ACCESS_ACTIONS, AccessAction } from './access-log.repository';

/** `GET /api/v1/access-log` and `/admin/access-log`: who, what, when. */
export class AccessLogQueryDto {
  @ApiPropertyOptional({ description: 'Name of the person or API token (exact)' })
  @IsOptional()
  @MaxLength(255, { message: 'user must be at most 255 characters' })
  @Matches(TEXT, { message: 'user must be non-empty text' })
  user?: string;

  @ApiPropertyOptional({ enum: ACCESS_ACTIONS })
  @IsOptional()
  @IsIn(ACCESS_ACTIONS, { message: `action must be one of ${ACCESS_ACTIONS.join(', ')}` })
  action?: AccessAction;

  @TimeParam('From (inclusive)')
  from?: string;

  @TimeParam('To (exclusive)')
  to?: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}
