import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TEXT, TimeParam } from '../audit/events-query.dto';
import { CLUSTER_NAME } from '../config/app-config';

/** The identity: a username, a service account's `system:serviceaccount:<ns>:<name>`, ... */
export class RbacParamsDto {
  @ApiProperty({ description: 'The effective identity (username or impersonated user)' })
  @MaxLength(255, { message: 'username must be at most 255 characters' })
  @Matches(TEXT, { message: 'username must be non-empty text' })
  username!: string;
}

/** `?cluster&from&to` of the RBAC suggestion (API and console page). */
export class RbacQueryDto {
  @ApiPropertyOptional({
    description:
      'Cluster (one). Required when the identity has requests in more than one cluster in the range',
  })
  @IsOptional()
  @IsString({ message: 'cluster must be one cluster name (not repeated)' })
  @Matches(CLUSTER_NAME, { message: 'cluster must be 1-63 characters of a-z, 0-9 and -' })
  cluster?: string;

  @TimeParam('From (inclusive), default 7d')
  from?: string;

  @TimeParam('To (exclusive), default now')
  to?: string;
}

/**
 * `/rbac?user=...`: the console's way in from a form (a form encodes any username into the
 * query; a template cannot encode it into a path), redirected to `/users/:username/rbac`.
 */
export class RbacOpenDto extends RbacQueryDto {
  @ApiProperty()
  @IsString({ message: 'user must be one username' })
  @MaxLength(255, { message: 'user must be at most 255 characters' })
  @Matches(TEXT, { message: 'user must be non-empty text' })
  user!: string;
}
