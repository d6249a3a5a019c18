import { Inject, Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { lowestIdAt } from '../../audit/event-filters';
import { ReadDeadline } from '../../audit/query-deadline';
import type { ClusterVisibility } from '../../auth/identity';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { bufferToUuid, uuidToBuffer } from '../../database/events-table';
import { DETECTIONS_TABLE } from '../../database/schema';
import {
  DetectionField,
  DetectionPriority,
  DetectionSummary,
  PRIORITIES,
  StoredDetection,
} from '../detection';
import type { DetectionFilter, DetectionReader, RuleSummary } from './detection-reader.repository';

type Builder = SelectQueryBuilder<Record<string, unknown>>;
type Row = Record<string, unknown>;

const SUMMARY_COLUMNS = ['rule', 'priority', 'severity', 'output', 'tags'] as const;
const STORED_COLUMNS = [
  'id',
  'event_id',
  'cluster',
  ...SUMMARY_COLUMNS,
  'fields',
  'grouped_into',
  'repeats',
  'detected_at_ms',
] as const;

/** Most event ids one `IN (...)` carries: a page is at most 500 events. */
const MAX_EVENT_IDS = 1000;

function seesNothing(visibility: ClusterVisibility): boolean {
  return !visibility.all && visibility.clusters.length === 0;
}

/** The stored priority as one of Falco's names; the numeric severity decides when it is not. */
export function priorityOf(priority: unknown, severity: unknown): DetectionPriority {
  const name = typeof priority === 'string' ? priority.toUpperCase() : '';
  if ((PRIORITIES as readonly string[]).includes(name)) return name as DetectionPriority;
  if (name === 'INFO') return 'INFORMATIONAL';
  const index = Number(severity);
  return PRIORITIES[Number.isInteger(index) && index >= 0 && index < 8 ? index : 6];
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `tags` column (a JSON array of strings); anything else reads as no tags. */
export function readTags(text: unknown): string[] {
  const parsed = parseJson(text);
  return Array.isArray(parsed)
    ? parsed.filter((tag): tag is string => typeof tag === 'string')
    : [];
}

/** The `fields` column (a JSON array of `{ field, value }`); malformed entries are skipped. */
export function readFields(text: unknown): DetectionField[] {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { field, value } = entry as { field?: unknown; value?: unknown };
    return typeof field === 'string' ? [{ field, value: value ?? null }] : [];
  });
}

function readSummary(row: Row): DetectionSummary {
  return {
    rule: String(row.rule),
    priority: priorityOf(row.priority, row.severity),
    output: typeof row.output === 'string' ? row.output : '',
    tags: readTags(row.tags),
  };
}

/** Stage time (ms) of a UUIDv7. */
function idTimeMs(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

function readStored(row: Row): StoredDetection {
  const id = bufferToUuid(row.id as Buffer);
  const groupedInto = row.grouped_into ? bufferToUuid(row.grouped_into as Buffer) : undefined;
  return {
    id,
    eventId: bufferToUuid(row.event_id as Buffer),
    cluster: String(row.cluster),
    ...readSummary(row),
    time: new Date(idTimeMs(id)).toISOString(),
    detectedAt: new Date(Number(row.detected_at_ms)).toISOString(),
    fields: readFields(row.fields),
    ...(groupedInto ? { groupedInto } : {}),
    repeats: Number(row.repeats ?? 0),
  };
}

/** The only place the detections' read SQL lives; every value is a bound parameter. */
@Injectable()
export class SqlDetectionReader implements DetectionReader {
  private readonly deadline: ReadDeadline;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.deadline = new ReadDeadline(dataSource, config.queryTimeoutMs);
  }

  /** A statement's builder (its deadline starts now), reading only the caller's clusters. */
  private from(visibility: ClusterVisibility): Builder {
    const qb = this.deadline.bound(
      this.dataSource.createQueryBuilder().from(DETECTIONS_TABLE, 'd') as Builder,
      'd',
    );
    if (!visibility.all) {
      qb.andWhere('d.cluster IN (:...visibleClusters)', { visibleClusters: visibility.clusters });
    }
    return qb;
  }

  private select(visibility: ClusterVisibility, columns: readonly string[]): Builder {
    const qb = this.from(visibility);
    for (const column of columns) qb.addSelect(`d.${column}`, column);
    return qb;
  }

  async forEvents(
    visibility: ClusterVisibility,
    eventIds: readonly string[],
  ): Promise<Map<string, DetectionSummary[]>> {
    const found = new Map<string, DetectionSummary[]>();
    const ids = [...new Set(eventIds)].slice(0, MAX_EVENT_IDS);
    if (ids.length === 0 || seesNothing(visibility)) return found;
    const rows = await this.deadline.rawMany<Row>(
      this.select(visibility, ['event_id', ...SUMMARY_COLUMNS])
        .andWhere('d.event_id IN (:...eventIds)', { eventIds: ids.map(uuidToBuffer) })
        .orderBy('d.severity', 'ASC')
        .addOrderBy('d.rule', 'ASC'),
    );
    for (const row of rows) {
      const eventId = bufferToUuid(row.event_id as Buffer);
      const list = found.get(eventId) ?? [];
      list.push(readSummary(row));
      found.set(eventId, list);
    }
    return found;
  }

  async ofEvent(visibility: ClusterVisibility, eventId: string): Promise<StoredDetection[]> {
    if (seesNothing(visibility)) return [];
    const rows = await this.deadline.rawMany<Row>(
      this.select(visibility, STORED_COLUMNS)
        .andWhere('d.event_id = :eventId', { eventId: uuidToBuffer(eventId) })
        .orderBy('d.severity', 'ASC')
        .addOrderBy('d.rule', 'ASC'),
    );
    return rows.map(readStored);
  }

  private filtered(qb: Builder, filter: Omit<DetectionFilter, 'alertsOnly'>): Builder {
    if (filter.cluster?.length)
      qb.andWhere('d.cluster IN (:...cluster)', { cluster: filter.cluster });
    if (filter.rule?.length) qb.andWhere('d.rule IN (:...rule)', { rule: filter.rule });
    if (filter.eventId !== undefined) {
      qb.andWhere('d.event_id = :eventId', { eventId: uuidToBuffer(filter.eventId) });
    }
    if (filter.maxSeverity !== undefined) {
      qb.andWhere('d.severity <= :maxSeverity', { maxSeverity: filter.maxSeverity });
    }
    if (filter.fromMs !== undefined)
      qb.andWhere('d.id >= :fromId', { fromId: lowestIdAt(filter.fromMs) });
    if (filter.toMs !== undefined) qb.andWhere('d.id < :toId', { toId: lowestIdAt(filter.toMs) });
    return qb;
  }

  async list(
    visibility: ClusterVisibility,
    filter: DetectionFilter,
    page: { limit: number; before?: string },
  ): Promise<StoredDetection[]> {
    if (seesNothing(visibility)) return [];
    const qb = this.filtered(this.select(visibility, STORED_COLUMNS), filter);
    if (filter.alertsOnly) qb.andWhere('d.grouped_into IS NULL');
    if (page.before !== undefined) {
      qb.andWhere('d.id < :before', { before: uuidToBuffer(page.before) });
    }
    const rows = await this.deadline.rawMany<Row>(qb.orderBy('d.id', 'DESC').limit(page.limit));
    return rows.map(readStored);
  }

  async summary(
    visibility: ClusterVisibility,
    filter: Omit<DetectionFilter, 'alertsOnly'>,
    limit: number,
  ): Promise<RuleSummary[]> {
    if (seesNothing(visibility)) return [];
    const qb = this.filtered(
      this.from(visibility)
        .select('d.rule', 'rule')
        .addSelect('MIN(d.severity)', 'severity')
        .addSelect('COUNT(*)', 'detections')
        .addSelect('SUM(CASE WHEN d.grouped_into IS NULL THEN 1 ELSE 0 END)', 'alerts')
        .addSelect('MAX(d.id)', 'last_id'),
      filter,
    );
    const rows = await this.deadline.rawMany<Row>(
      qb
        .groupBy('d.rule')
        .orderBy('severity', 'ASC')
        .addOrderBy('detections', 'DESC')
        .addOrderBy('rule', 'ASC')
        .limit(limit),
    );
    return rows.map((row) => ({
      rule: String(row.rule),
      priority: priorityOf(undefined, row.severity),
      severity: Number(row.severity),
      alerts: Number(row.alerts ?? 0),
      detections: Number(row.detections),
      lastId: bufferToUuid(row.last_id as Buffer),
    }));
  }
}
