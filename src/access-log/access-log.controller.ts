import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, timeRange } from '../audit/events-query.dto';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { AccessLogQueryDto } from './access-log.dto';
import type { AccessEntry } from './access-log.repository';
import { AccessLogService } from './access-log.service';

@ApiTags('access log')
@Controller('api/v1')
export class AccessLogController {
  constructor(private readonly accessLog: AccessLogService) {}

  @Get('access-log')
  @ApiOkResponse({ description: '{items, nextCursor}: newest first; administrators only (403)' })
  list(
    @CurrentIdentity() who: Identity,
    @Query() dto: AccessLogQueryDto,
  ): Promise<{ items: AccessEntry[]; nextCursor: string | null }> {
    return this.accessLog.list(who, accessLogFilter(dto, Date.now()), {
      limit: dto.limit ?? DEFAULT_PAGE_SIZE,
      cursor: dto.cursor,
    });
  }
}

/** Validated query parameters -> the filter they mean (400 when `from` is after `to`). */
export function accessLogFilter(dto: AccessLogQueryDto, nowMs: number) {
  const { fromMs, toMs } = timeRange(dto.from, dto.to, nowMs);
  return { name: dto.user, action: dto.action, fromMs, toMs };
}
