import { BadRequestException } from '@nestjs/common';
import { timeRange } from '../audit/events-query.dto';
import type { RbacQueryDto } from './rbac.dto';

const WEEK_MS = 7 * 86_400_000;

/** from/to of the query (validated times) with the user activity's defaults: the last 7 days. */
export function rbacRange(
  dto: RbacQueryDto,
  now: number,
): { fromMs: number; toMs: number; cluster?: string } {
  const range = timeRange(dto.from, dto.to, now);
  const toMs = range.toMs ?? now;
  const fromMs = range.fromMs ?? toMs - WEEK_MS;
  if (fromMs > toMs) throw new BadRequestException(['from must not be later than to']);
  return { fromMs, toMs, ...(dto.cluster === undefined ? {} : { cluster: dto.cluster }) };
}
