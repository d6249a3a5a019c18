import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CLUSTER_NAME } from '../config/app-config';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PAGE_SIZE = 500;

export class EventsQueryDto {
  @IsOptional()
  @Matches(CLUSTER_NAME, { message: 'cluster must be 1-63 characters of a-z, 0-9 and -' })
  cluster?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` })
  limit?: number;

  @IsOptional()
  @Matches(UUID, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class EventIdDto {
  @Matches(UUID, { message: 'id must be an event id (a UUID)' })
  id!: string;
}
