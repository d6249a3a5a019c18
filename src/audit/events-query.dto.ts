import { applyDecorators, BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { CLUSTER_NAME } from '../config/app-config';
import type { CodeSelector, EventQuery, ResourceSelector } from './audit-query';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
/** Values one repeatable filter may carry. */
export const MAX_VALUES = 20;

const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
const RESOURCE =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?)?(\/[a-z0-9-]+)?$/;
const API_GROUP = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERB = /^[A-Za-z]{1,64}$/;
const CODE = /^([1-5][0-9]{2}|[1-5]xx)$/;
const NAMESPACE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Printable text without control characters. */
export const TEXT = /^[^\p{Cc}]+$/u;
const RELATIVE = /^(\d{1,6})([smhdw])$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A repeated query parameter arrives as an array, a single one as a string. */
const list = () =>
  Transform(({ value }: { value: unknown }) =>
    value === undefined ? undefined : Array.isArray(value) ? value : [value],
  );

/** `15m`, `24h`, `7d` before now, `now`, or an RFC 3339 time; undefined when unreadable. */
export function parseTime(value: string, nowMs: number): number | undefined {
  if (value === 'now') return nowMs;
  const relative = RELATIVE.exec(value);
  if (relative) return nowMs - Number(relative[1]) * UNIT_MS[relative[2]];
  const parts = RFC3339.exec(value);
  if (!parts) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over into March: the calendar fields must read back the same.
  const [year, month, day, hour] = parts.slice(1, 5).map(Number);
  const check = new Date(Date.UTC(year, month - 1, day, hour));
  const valid =
    hour < 24 &&
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day;
  return valid ? ms : undefined;
}

const IsTime = () =>
  ValidateBy({
    name: 'isTime',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTime(value, 0) !== undefined,
      defaultMessage: (args) =>
        `${args?.property} must be an RFC 3339 time (2026-11-30T10:00:00Z) or a duration before now (15m, 24h, 7d, 2w)`,
    },
  });

/**
 * A filter that may be repeated (`?verb=get&verb=list`, OR'ed): at most MAX_VALUES values,
 * each matching `pattern` (and at most `maxLength` characters).
 */
export const Repeatable = (
  name: string,
  description: string,
  pattern: RegExp,
  message: string,
  maxLength = 253,
) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], description: `${description} (repeatable)` }),
    IsOptional(),
    list(),
    ArrayMaxSize(MAX_VALUES, { message: `${name}: at most ${MAX_VALUES} values` }),
    MaxLength(maxLength, {
      each: true,
      message: `${name} must be at most ${maxLength} characters`,
    }),
    Matches(pattern, { each: true, message: `${name} ${message}` }),
  );

const OneOf = (name: string, values: string[]) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], enum: values }),
    IsOptional(),
    list(),
    IsIn(values, { each: true, message: `${name} must be one of ${values.join(', ')}` }),
  );

/** `from` / `to`: an RFC 3339 time or a duration before now. */
export const TimeParam = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description: `${description}: RFC 3339, or 15m, 24h, 7d before now` }),
    IsOptional(),
    IsTime(),
  );

/** `cluster`, repeatable. */
export const ClusterFilter = () =>
  Repeatable(
    'cluster',
    'Cluster name',
    CLUSTER_NAME,
    'must be 1-63 characters of a-z, 0-9 and -',
    63,
  );

/** The filters shared by the events list, stats and export. */
export class EventFiltersDto {
  @ClusterFilter()
  cluster?: string[];

  @Repeatable(
    'user',
    'Username; also matches the impersonated user',
    TEXT,
    'must be non-empty text',
    255,
  )
  user?: string[];

  @Repeatable('group', 'One of the user groups', TEXT, 'must be non-empty text', 255)
  group?: string[];

  @Repeatable(
    'verb',
    'get, list, create, ...',
    VERB,
    'must be a word of letters (get, list, create, ...)',
    64,
  )
  verb?: string[];

  @Repeatable(
    'resource',
    'pods, pods/exec, deployments.apps, deployments.apps/scale',
    RESOURCE,
    'must look like pods, pods/exec, deployments.apps or deployments.apps/scale',
  )
  resource?: string[];

  @Repeatable(
    'apiGroup',
    'API group, e.g. apps',
    API_GROUP,
    'must be an API group name such as apps',
  )
  apiGroup?: string[];

  @Repeatable('namespace', 'Namespace', NAMESPACE, 'must be 1-63 characters of a-z, 0-9 and -', 63)
  namespace?: string[];

  @Repeatable('name', 'Object name', TEXT, 'must be non-empty text')
  name?: string[];

  @Repeatable(
    'code',
    'Exact code (403) or class (4xx)',
    CODE,
    'must be an HTTP status (403) or a class (1xx to 5xx)',
    3,
  )
  code?: string[];

  @OneOf('decision', ['allow', 'forbid'])
  decision?: ('allow' | 'forbid')[];

  @Repeatable(
    'sourceIP',
    'One of the source IPs',
    /^[0-9a-fA-F.:]{2,45}$/,
    'must be an IPv4 or IPv6 address',
    45,
  )
  sourceIP?: string[];

  @ApiPropertyOptional({ description: 'User agent contains (case-insensitive)' })
  @IsOptional()
  @MaxLength(200, { message: 'userAgent must be at most 200 characters' })
  @Matches(TEXT, { message: 'userAgent must be non-empty text' })
  userAgent?: string;

  @ApiPropertyOptional({
    description:
      'Full text over name, namespace, username, request URI and user agent: every word must start a word there',
  })
  @IsOptional()
  @MaxLength(200, { message: 'q must be at most 200 characters' })
  @Matches(/[\p{L}\p{N}_]/u, { message: 'q must contain at least one letter or digit' })
  q?: string;

  @TimeParam('From (inclusive)')
  from?: string;

  @TimeParam('To (exclusive)')
  to?: string;

  @OneOf('stage', STAGES)
  stage?: string[];

  @Repeatable(
    'auditID',
    'Audit ID: every stage of one request',
    TEXT,
    'must be non-empty text',
    255,
  )
  auditID?: string[];

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: only events a detection rule fired on; false: only events none fired on',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'hasDetections must be true or false' })
  hasDetections?: 'true' | 'false';

  @Repeatable(
    'detectionRule',
    'Only events this detection rule fired on (its exact name)',
    TEXT,
    'must be non-empty text (a rule name)',
    200,
  )
  detectionRule?: string[];
}

/** `limit`: 1 to 500 items a page. */
export const PageLimit = () =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: 'limit must be a whole number' }),
    Min(1, { message: 'limit must be at least 1' }),
    Max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` }),
  );

/** `cursor`: the nextCursor of the previous page. */
export const PageCursor = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'The nextCursor of the previous page' }),
    IsOptional(),
    Matches(UUID, { message: 'cursor must be the nextCursor of a previous page' }),
  );

export class EventsQueryDto extends EventFiltersDto {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class ExportQueryDto extends EventFiltersDto {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'], { message: 'format must be ndjson or csv' })
  format?: 'ndjson' | 'csv';
}

export class EventIdDto {
  @Matches(UUID, { message: 'id must be an event id (a UUID)' })
  id!: string;
}

function resourceSelector(value: string): ResourceSelector {
  const [kind, subresource] = value.split('/');
  const dot = kind.indexOf('.');
  return {
    resource: dot < 0 ? kind : kind.slice(0, dot),
    ...(dot < 0 ? {} : { apiGroup: kind.slice(dot + 1) }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}

function codeSelector(value: string): CodeSelector {
  return value.endsWith('xx')
    ? { class: Number(value[0]) as 1 | 2 | 3 | 4 | 5 }
    : { exact: Number(value) };
}

/** Validated `from` / `to` as epoch ms; 400 when `from` is not before `to`. */
export function timeRange(
  from: string | undefined,
  to: string | undefined,
  nowMs: number,
  defaultFromMs?: number,
): { fromMs?: number; toMs?: number } {
  const fromMs = from !== undefined ? parseTime(from, nowMs) : defaultFromMs;
  const toMs = to !== undefined ? parseTime(to, nowMs) : undefined;
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
    throw new BadRequestException(['from must not be later than to']);
  }
  return { fromMs, toMs };
}

/**
 * Validated filters -> the search they mean. `defaultFromMs` applies when `from` is absent
 * (stats default to the last 24 hours); relative times count back from `nowMs`.
 */
export function toEventQuery(
  dto: EventFiltersDto,
  nowMs: number,
  defaultFromMs?: number,
): EventQuery {
  const { fromMs, toMs } = timeRange(dto.from, dto.to, nowMs, defaultFromMs);
  const query: EventQuery = {
    cluster: dto.cluster,
    user: dto.user,
    group: dto.group,
    verb: dto.verb,
    resource: dto.resource?.map(resourceSelector),
    apiGroup: dto.apiGroup,
    namespace: dto.namespace,
    name: dto.name,
    code: dto.code?.map(codeSelector),
    decision: dto.decision,
    sourceIP: dto.sourceIP,
    userAgent: dto.userAgent,
    q: dto.q,
    fromMs,
    toMs,
    stage: dto.stage,
    auditID: dto.auditID,
    hasDetections: dto.hasDetections === undefined ? undefined : dto.hasDetections === 'true',
    detectionRule: dto.detectionRule,
  };
  for (const key of Object.keys(query) as (keyof EventQuery)[]) {
    if (query[key] === undefined) delete query[key];
  }
  return query;
}
