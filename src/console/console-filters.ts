import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { EventQuery } from '../audit/audit-query';
import { EventsQueryDto, toEventQuery } from '../audit/events-query.dto';

/** Every filter of the query API, in the order the filter bar shows them. */
export const FILTER_FIELDS = [
  'cluster',
  'user',
  'group',
  'verb',
  'resource',
  'apiGroup',
  'namespace',
  'name',
  'code',
  'decision',
  'sourceIP',
  'userAgent',
  'q',
  'stage',
  'auditID',
  'detectionRule',
  'hasDetections',
  'from',
  'to',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** Fields that take one value: a new value replaces the old one instead of adding to it. */
const SINGLE_VALUED: ReadonlySet<FilterField> = new Set([
  'userAgent',
  'q',
  'from',
  'to',
  'hasDetections',
]);

/** The filters of a console URL, as the person typed them (the URL is the state). */
export type Filters = Partial<Record<FilterField, string[]>>;

/** The URL's filters, checked by the API's own DTO, and the search they mean. */
export interface ParsedFilters {
  filters: Filters;
  query: EventQuery;
  cursor?: string;
}

/**
 * Reads a console query string with exactly the rules of `GET /api/v1/events`: the same DTO and
 * the same `toEventQuery`, so a console URL and an API URL accept the same filters. Empty
 * fields (an unfilled input of the filter form) are dropped first.
 */
export function parseFilters(raw: Record<string, unknown>, now = Date.now()): ParsedFilters {
  const plain = filledFields(raw);
  const dto = validated(EventsQueryDto, plain);
  const filters: Filters = {};
  for (const field of FILTER_FIELDS) {
    const value = plain[field];
    if (value !== undefined) filters[field] = Array.isArray(value) ? value : [value];
  }
  const cursor = typeof plain.cursor === 'string' ? plain.cursor : undefined;
  return { filters, query: toEventQuery(dto, now), cursor };
}

/** A console query string without its empty fields (the unfilled inputs of its form). */
export function filledFields(raw: Record<string, unknown>): Record<string, string | string[]> {
  const plain: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    const values = (Array.isArray(value) ? value : [value])
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length > 0) plain[key] = values.length === 1 ? values[0] : values;
  }
  return plain;
}

/** Those fields checked by an API DTO exactly as the API checks them (400 with every message). */
export function validated<T extends object>(
  dto: new () => T,
  plain: Record<string, string | string[]>,
): T {
  const instance = plainToInstance(dto, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new BadRequestException(errors.flatMap(constraintMessages));
  return instance;
}

function constraintMessages(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {});
  return [...own, ...(error.children ?? []).flatMap(constraintMessages)];
}

/** `path?filters`, with `extra` parameters (a cursor) after the filters. */
export function consoleHref(
  path: string,
  filters: Filters,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    for (const value of filters[field] ?? []) params.append(field, value);
  }
  for (const [key, value] of Object.entries(extra)) params.append(key, value);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** The filters plus one more value (clicking a cell); a no-op when it is already there. */
export function withFilter(filters: Filters, field: FilterField, value: string): Filters {
  const current = filters[field] ?? [];
  if (SINGLE_VALUED.has(field)) return { ...filters, [field]: [value] };
  return current.includes(value) ? filters : { ...filters, [field]: [...current, value] };
}

/** The filters less one value (the x on a filter chip). */
export function withoutFilter(filters: Filters, field: FilterField, value: string): Filters {
  const rest = (filters[field] ?? []).filter((v) => v !== value);
  const next = { ...filters };
  if (rest.length > 0) next[field] = rest;
  else delete next[field];
  return next;
}

/** The filters with a new time range (presets, histogram zoom). */
export function withRange(filters: Filters, from: string, to?: string): Filters {
  const next: Filters = { ...filters, from: [from] };
  if (to) next.to = [to];
  else delete next.to;
  return next;
}
