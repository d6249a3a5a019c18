import { Inject, Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { FilterClauses } from '../audit/event-filters';
import { seesNothing } from '../audit/event-reader.repository';
import { ReadDeadline } from '../audit/query-deadline';
import type { ClusterVisibility } from '../auth/identity';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { bufferToUuid, columnOf, EVENTS_TABLE } from '../database/events-table';
import { SQL_DIALECT, SqlDialect } from '../database/sql-dialect';
import { AccessObservation, ImpersonatedIdentity, Seen, uuidV7Ms } from './rbac-observation';
import { IdentityRange, RbacReader } from './rbac-reader.repository';

type Builder = SelectQueryBuilder<Record<string, unknown>>;
type Row = Record<string, unknown>;

/** A request's answer stages; RequestReceived repeats the request without its outcome. */
const ANSWER_STAGES = ['ResponseStarted', 'ResponseComplete'];
const col = (field: Parameters<typeof columnOf>[0]) => `e.${columnOf(field)}`;

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function seenOf(row: Row): Seen {
  const firstEventId = bufferToUuid(row.first_id as Buffer);
  const lastEventId = bufferToUuid(row.last_id as Buffer);
  return {
    requests: Number(row.requests),
    firstEventId,
    lastEventId,
    firstSeenMs: uuidV7Ms(firstEventId),
    lastSeenMs: uuidV7Ms(lastEventId),
  };
}

interface ImpersonatedInfo {
  groups?: unknown;
  extra?: unknown;
  uid?: unknown;
}

function parseInfo(json: unknown): ImpersonatedInfo {
  if (typeof json !== 'string') return {};
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' ? (value as ImpersonatedInfo) : {};
  } catch {
    return {};
  }
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];

/**
 * The only place the RBAC suggestion's SQL lives: three aggregate statements over audit_events,
 * each bound to the caller's clusters and stopped at QUERY_TIMEOUT_MS (the query side's
 * FilterClauses and ReadDeadline), every value a bound parameter.
 */
@Injectable()
export class SqlRbacReader implements RbacReader {
  private readonly deadline: ReadDeadline;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.deadline = new ReadDeadline(dataSource, config.queryTimeoutMs);
  }

  /** A statement's builder: the deadline's condition first, then only the caller's clusters. */
  private from(visibility: ClusterVisibility): { qb: Builder; clauses: FilterClauses } {
    const qb = this.deadline.bound(
      this.dataSource.createQueryBuilder().from(EVENTS_TABLE, 'e') as Builder,
      'e',
    );
    new FilterClauses(qb, this.dialect).visibleTo(visibility);
    return { qb, clauses: new FilterClauses(qb, this.dialect) };
  }

  private ranged(clauses: FilterClauses, range: IdentityRange): void {
    clauses
      .oneOf('cluster', range.cluster === undefined ? undefined : [range.cluster])
      .timeRange(range.fromMs, range.toMs)
      .oneOf('stage', ANSWER_STAGES);
  }

  async clusters(visibility: ClusterVisibility, range: IdentityRange): Promise<string[]> {
    if (seesNothing(visibility)) return [];
    const { qb, clauses } = this.from(visibility);
    this.ranged(clauses, range);
    qb.andWhere(`(${col('impersonatedUser')} = :who OR ${col('username')} = :who)`, {
      who: range.username,
    });
    const rows = await this.deadline.rawMany<Row>(
      qb
        .select(col('cluster'), 'cluster')
        .groupBy(col('cluster'))
        .orderBy(col('cluster'), 'ASC')
        .limit(100),
    );
    return rows.map((row) => text(row.cluster));
  }

  async access(
    visibility: ClusterVisibility,
    range: IdentityRange & { cluster: string },
    limit: number,
  ): Promise<AccessObservation[]> {
    if (seesNothing(visibility)) return [];
    const { qb, clauses } = this.from(visibility);
    this.ranged(clauses, range);
    qb.andWhere(
      `(${col('impersonatedUser')} = :who OR (${col('username')} = :who AND ${col('impersonatedUser')} IS NULL))`,
      { who: range.username },
    )
      .andWhere(`${col('responseCode')} < :firstFailure`, { firstFailure: 400 })
      .andWhere(`(${col('decision')} IS NULL OR ${col('decision')} = :allow)`, { allow: 'allow' });
    const shape = ['verb', 'apiGroup', 'resource', 'subresource', 'namespace'] as const;
    qb.select(col('verb'), 'verb');
    for (const field of shape.slice(1)) qb.addSelect(col(field), columnOf(field));
    qb.addSelect(
      `CASE WHEN ${col('resource')} = '' THEN ${col('requestURI')} ELSE '' END`,
      'request_path',
    )
      .addSelect(`COUNT(DISTINCT ${col('auditID')})`, 'requests')
      .addSelect(`COUNT(DISTINCT ${col('name')})`, 'names')
      .addSelect(`MIN(${col('name')})`, 'some_name')
      .addSelect(`MIN(${col('id')})`, 'first_id')
      .addSelect(`MAX(${col('id')})`, 'last_id');
    for (const field of shape) qb.addGroupBy(col(field));
    qb.addGroupBy('request_path').limit(limit);
    const rows = await this.deadline.rawMany<Row>(qb);
    return rows.map((row) => {
      const name = text(row.some_name);
      const onlyName = Number(row.names) === 1 && name !== '' ? name : undefined;
      return {
        verb: text(row.verb),
        apiGroup: text(row.api_group),
        resource: text(row.resource),
        subresource: text(row.subresource),
        namespace: text(row.namespace),
        path: text(row.request_path),
        ...(onlyName === undefined ? {} : { onlyName }),
        ...seenOf(row),
      };
    });
  }

  async impersonation(
    visibility: ClusterVisibility,
    range: IdentityRange & { cluster: string },
    limit: number,
  ): Promise<ImpersonatedIdentity[]> {
    if (seesNothing(visibility)) return [];
    const { qb, clauses } = this.from(visibility);
    this.ranged(clauses, range);
    // JSON_EXTRACT reads the same in MariaDB, MySQL and SQLite for an object (its JSON text).
    qb.andWhere(`${col('username')} = :who AND ${col('impersonatedUser')} IS NOT NULL`, {
      who: range.username,
    })
      .select(col('impersonatedUser'), 'impersonated')
      .addSelect(`JSON_EXTRACT(${col('event')}, '$.impersonatedUser')`, 'info')
      .addSelect(`COUNT(DISTINCT ${col('auditID')})`, 'requests')
      .addSelect(`MIN(${col('id')})`, 'first_id')
      .addSelect(`MAX(${col('id')})`, 'last_id')
      .groupBy(col('impersonatedUser'))
      .addGroupBy('info')
      .limit(limit);
    const rows = await this.deadline.rawMany<Row>(qb);
    return rows.map((row) => {
      const info = parseInfo(row.info);
      const extra: Record<string, string[]> = {};
      if (info.extra !== null && typeof info.extra === 'object' && !Array.isArray(info.extra)) {
        for (const [key, values] of Object.entries(info.extra as Record<string, unknown>)) {
          extra[key] = strings(values);
        }
      }
      return {
        username: text(row.impersonated),
        groups: strings(info.groups),
        extra,
        ...(typeof info.uid === 'string' && info.uid !== '' ? { uid: info.uid } : {}),
        ...seenOf(row),
      };
    });
  }
}
