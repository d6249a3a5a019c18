import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, MaxLength } from 'class-validator';
import { CLUSTER_NAME } from '../config/app-config';
import { ClusterFilter, PageCursor, PageLimit, TEXT, TimeParam } from './events-query.dto';

const RESOURCE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** One object: the cluster, its kind (resource and API group), namespace and name. */
export class ObjectHistoryQueryDto {
  @ApiProperty()
  @Matches(CLUSTER_NAME, { message: 'cluster must be 1-63 characters of a-z, 0-9 and -' })
  cluster!: string;

  @ApiPropertyOptional({ description: 'API group; empty for the core group; absent for any' })
  @IsOptional()
  @Matches(/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?)?$/, {
    message: 'apiGroup must be an API group name such as apps (empty for the core group)',
  })
  apiGroup?: string;

  @ApiProperty({ description: 'Resource (plural), e.g. deployments' })
  @Matches(RESOURCE_NAME, { message: 'resource must be a resource name such as deployments' })
  resource!: string;

  @ApiPropertyOptional({ description: 'Namespace; absent or empty for cluster-scoped objects' })
  @IsOptional()
  @Matches(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/, {
    message: 'namespace must be 1-63 characters of a-z, 0-9 and - (or empty)',
  })
  namespace?: string;

  @ApiProperty()
  @MaxLength(253, { message: 'name must be at most 253 characters' })
  @Matches(TEXT, { message: 'name must be non-empty text' })
  name!: string;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class UserActivityParamsDto {
  @MaxLength(255, { message: 'username must be at most 255 characters' })
  @Matches(TEXT, { message: 'username must be non-empty text' })
  username!: string;
}

export class UserActivityQueryDto {
  @TimeParam('From (inclusive), default 7d')
  from?: string;

  @TimeParam('To (exclusive), default now')
  to?: string;

  @ClusterFilter()
  cluster?: string[];
}
