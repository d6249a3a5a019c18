import { Inject, Injectable } from '@nestjs/common';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import type { ClusterVisibility } from '../auth/identity';
import {
  bufferToUuid,
  columnOf,
  EVENTS_TABLE,
  LISTED_COLUMNS,
  readStoredEvent,
  uuidToBuffer,
} from '../database/events-table';
import { SQL_DIALECT, SqlDialect } from '../database/sql-dialect';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { Count, EventQuery, ObjectRef } from './audit-query';
import { FilterClauses } from './event-filters';
import { ReadDeadline } from './query-deadline';
import {
  BucketCount,
  CountDimension,
  EventReader,
  seesNothing,
  StoredEventWithJson,
} from './event-reader.repository';

type Builder = SelectQueryBuilder<Record<string, unknown>>;
type Row = Record<string, unknown>;

const LEVELS_WITH_BODY = ['Request', 'RequestResponse'];
/** Rows a text search checks one by one before it asks the full-text index. */
export const TEXT_SCAN_ROWS = 20_000;
/** Most rows the second window of a text search may check. */
const MAX_SCAN_ROWS = 40_000;
/** Denied or failed: the errors of the histogram. */
const ERROR_CONDITION =
  "(e.response_code IN (401, 403) OR e.response_code >= 500 OR e.decision = 'forbid')";

const DIMENSION_COLUMNS: Record<CountDimension, string[]> = {
  verb: ['verb'],
  username: ['username'],
  resource: ['resource', 'subresource'],
  namespace: ['namespace'],
  cluster: ['cluster'],
  responseCode: ['response_code'],
};

function toEvent(row: Row): StoredEventWithJson {
  return { event: readStoredEvent(row), json: typeof row.event === 'string' ? row.event : '{}' };
}

/** The only place the query side's SQL lives; every value is a bound parameter. */
@Injectable()
export class SqlEventReader implements EventReader {
  /** Changed only by tests, to reach the full-text fallback with a small table. */
  textScanRows = TEXT_SCAN_ROWS;
  /** Every statement below is stopped at QUERY_TIMEOUT_MS (answered 503). */
  private readonly deadline: ReadDeadline;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.deadline = new ReadDeadline(dataSource, config.queryTimeoutMs);
  }

  /**
   * A statement's builder, created right before it runs (its deadline starts now): the
   * deadline's condition first, then only the caller's clusters.
   */
  private from(visibility: ClusterVisibility): Builder {
    const qb = this.deadline.bound(
      this.dataSource.createQueryBuilder().from(EVENTS_TABLE, 'e') as Builder,
      'e',
    );
    new FilterClauses(qb, this.dialect).visibleTo(visibility);
    return qb;
  }

  /** Ids only, of every cluster: window bounds of a text search, the live tail's poll. */
  private ids(): Builder {
    return this.deadline.bound(
      this.dataSource.createQueryBuilder().from(EVENTS_TABLE, 'e').select('e.id', 'id') as Builder,
      'e',
    );
  }

  private selectEvents(visibility: ClusterVisibility): Builder {
    const qb = this.from(visibility);
    for (const column of [...LISTED_COLUMNS, 'event']) qb.addSelect(`e.${column}`, column);
    return qb;
  }

  private filtered(qb: Builder, query: EventQuery): FilterClauses {
    return new FilterClauses(qb, this.dialect).query(query);
  }

  /**
   * Newest first. Two shapes of search would make MariaDB gather every match before it sorts
   * to keep a page, and both are answered differently (figures in docs/benchmarks.md):
   * - `user` (the username or the impersonated user): one index-ordered read per column,
   *   merged here, instead of an OR that the server answers by union and sort;
   * - `q`: first checked row by row over the newest rows below the cursor; only when those
   *   hold fewer than a page of matches does the full-text index answer (a rare word).
   */
  async list(
    visibility: ClusterVisibility,
    query: EventQuery,
    page: { limit: number; before?: string },
  ): Promise<StoredEventWithJson[]> {
    if (seesNothing(visibility)) return [];
    if (query.user && query.user.length > 0) {
      const { user, ...rest } = query;
      const [byName, byImpersonated] = await Promise.all([
        this.listText(visibility, rest, page, (c) => c.oneOf('username', user)),
        this.listText(visibility, rest, page, (c) => c.oneOf('impersonatedUser', user)),
      ]);
      const merged = new Map<string, StoredEventWithJson>();
      for (const row of [...byName, ...byImpersonated]) merged.set(row.event.id, row);
      return [...merged.values()]
        .sort((a, b) => (a.event.id < b.event.id ? 1 : -1))
        .slice(0, page.limit);
    }
    return this.listText(visibility, query, page);
  }

  private async listText(
    visibility: ClusterVisibility,
    query: EventQuery,
    page: { limit: number; before?: string },
    extra?: (clauses: FilterClauses) => void,
  ): Promise<StoredEventWithJson[]> {
    if (query.q === undefined || !this.dialect.textScan) {
      return this.listPage(visibility, query, page, extra);
    }
    const found: StoredEventWithJson[] = [];
    let upper = page.before === undefined ? undefined : uuidToBuffer(page.before);
    let depth = this.textScanRows;
    // At most two windows: the newest rows, then (when matches were seen but too few) as many
    // older rows as their density says are needed for the rest of the page, twice over, and
    // no fewer than the first window.
    for (let window = 0; window < 2; window++) {
      const lower = await this.idAtDepth(upper, depth);
      const matches = await this.listPage(
        visibility,
        query,
        { limit: page.limit - found.length, before: upper && bufferToUuid(upper) },
        (clauses) => {
          extra?.(clauses);
          if (lower) clauses.idAtLeast(lower);
        },
        true,
      );
      found.push(...matches);
      // Every match in the window is in `matches`: a full page, or a window reaching the
      // oldest row, is the answer.
      if (!lower || found.length >= page.limit) return found;
      if (
        matches.length === 0 ||
        depth * 2 * (page.limit - found.length) > MAX_SCAN_ROWS * matches.length
      )
        break;
      // Matches come in bursts (a person's session), so the estimate is a floor, not a size.
      depth = Math.max(
        this.textScanRows,
        Math.ceil((depth * 2 * (page.limit - found.length)) / matches.length),
      );
      upper = lower;
    }
    // A word rare among recent rows: the full-text index is fast when matches are few.
    return this.listPage(visibility, query, page, extra);
  }

  private async listPage(
    visibility: ClusterVisibility,
    query: EventQuery,
    page: { limit: number; before?: string },
    extra?: (clauses: FilterClauses) => void,
    textScan = false,
  ): Promise<StoredEventWithJson[]> {
    const qb = this.selectEvents(visibility);
    const clauses = new FilterClauses(qb, this.dialect).query(query, textScan).idBelow(page.before);
    extra?.(clauses);
    const rows = await this.deadline.rawMany<Row>(qb.orderBy('e.id', 'DESC').limit(page.limit));
    return rows.map(toEvent);
  }

  /** The id `depth` rows below `before` (or below the newest), undefined when there are fewer. */
  private async idAtDepth(before: Buffer | undefined, depth: number): Promise<Buffer | undefined> {
    const qb = this.ids();
    new FilterClauses(qb, this.dialect).idBelow(before);
    const row = await this.deadline.rawOne<{ id: Buffer }>(
      qb.orderBy('e.id', 'DESC').offset(depth).limit(1),
    );
    return row?.id;
  }

  async get(visibility: ClusterVisibility, id: string): Promise<StoredEventWithJson | undefined> {
    const [found] = await this.getMany(visibility, [id]);
    return found;
  }

  async getMany(
    visibility: ClusterVisibility,
    ids: readonly string[],
  ): Promise<StoredEventWithJson[]> {
    if (ids.length === 0 || seesNothing(visibility)) return [];
    const rows = await this.deadline.rawMany<Row>(
      this.selectEvents(visibility)
        .andWhere('e.id IN (:...ids)', { ids: ids.map(uuidToBuffer) })
        .orderBy('e.id', 'DESC'),
    );
    return rows.map(toEvent);
  }

  private onObject(qb: Builder, ref: ObjectRef): FilterClauses {
    return new FilterClauses(qb, this.dialect)
      .oneOf('cluster', [ref.cluster])
      .oneOf('resource', [ref.resource])
      .oneOf('namespace', [ref.namespace])
      .oneOf('name', [ref.name])
      .oneOf('apiGroup', ref.apiGroup === undefined ? undefined : [ref.apiGroup]);
  }

  async objectEvents(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    page: { limit: number; after?: string },
  ): Promise<StoredEventWithJson[]> {
    if (seesNothing(visibility)) return [];
    const qb = this.selectEvents(visibility);
    this.onObject(qb, ref).idAbove(page.after);
    const rows = await this.deadline.rawMany<Row>(qb.orderBy('e.id', 'ASC').limit(page.limit));
    return rows.map(toEvent);
  }

  async lastStateChange(
    visibility: ClusterVisibility,
    ref: ObjectRef,
    beforeId: string,
  ): Promise<StoredEventWithJson | undefined> {
    if (seesNothing(visibility)) return undefined;
    const qb = this.selectEvents(visibility);
    this.onObject(qb, ref)
      .idBelow(beforeId)
      .oneOf('stage', ['ResponseComplete'])
      .oneOf('subresource', ['', 'status', 'scale'])
      .code([{ class: 2 }], true);
    qb.andWhere(
      new Brackets((where) =>
        where
          .where('(e.verb IN (:...bodyVerbs) AND e.level IN (:...bodyLevels))', {
            bodyVerbs: ['create', 'update'],
            bodyLevels: LEVELS_WITH_BODY,
          })
          .orWhere('(e.verb = :patch AND e.level = :responseLevel)', {
            patch: 'patch',
            responseLevel: 'RequestResponse',
          })
          .orWhere('(e.verb = :deleteVerb AND e.subresource = :none)', {
            deleteVerb: 'delete',
            none: '',
          }),
      ),
    );
    const rows = await this.deadline.rawMany<Row>(qb.orderBy('e.id', 'DESC').limit(1));
    return rows.map(toEvent)[0];
  }

  async count(visibility: ClusterVisibility, query: EventQuery): Promise<number> {
    if (seesNothing(visibility)) return 0;
    const qb = this.from(visibility).select('COUNT(*)', 'n');
    this.filtered(qb, query);
    const row = await this.deadline.rawOne<{ n: number | string }>(qb);
    return Number(row?.n ?? 0);
  }

  async countBy(
    visibility: ClusterVisibility,
    query: EventQuery,
    dimension: CountDimension,
    limit: number,
  ): Promise<Count[]> {
    if (seesNothing(visibility)) return [];
    const columns = DIMENSION_COLUMNS[dimension];
    const qb = this.from(visibility).select('COUNT(*)', 'n');
    columns.forEach((column, i) => qb.addSelect(`e.${column}`, `k${i}`).addGroupBy(`e.${column}`));
    this.filtered(qb, query);
    const rows = await this.deadline.rawMany<Row>(qb.orderBy('n', 'DESC').limit(limit));
    return rows.map((row) => ({
      key: columns
        .map((_, i) => (row[`k${i}`] === null ? '' : String(row[`k${i}`])))
        .filter((part, i) => i === 0 || part !== '')
        .join('/'),
      count: Number(row.n),
    }));
  }

  async histogram(
    visibility: ClusterVisibility,
    query: EventQuery,
    bucketSeconds: number,
  ): Promise<BucketCount[]> {
    if (seesNothing(visibility)) return [];
    const bucket = this.dialect.timeBucket(`e.${columnOf('stageTimestamp')}`, 'bucketSeconds');
    const qb = this.from(visibility)
      .select(bucket, 'bucket')
      .addSelect('COUNT(*)', 'n')
      .addSelect(`SUM(CASE WHEN ${ERROR_CONDITION} THEN 1 ELSE 0 END)`, 'errors')
      .setParameter('bucketSeconds', bucketSeconds);
    this.filtered(qb, query);
    const rows = await this.deadline.rawMany<Row>(qb.groupBy('bucket').orderBy('bucket', 'ASC'));
    return rows.map((row) => ({
      bucket: Number(row.bucket),
      count: Number(row.n),
      errors: Number(row.errors ?? 0),
    }));
  }

  async idsSince(fromMs: number, limit: number): Promise<string[]> {
    const qb = this.ids();
    new FilterClauses(qb, this.dialect).timeRange(fromMs, undefined);
    const rows = await this.deadline.rawMany<{ id: Buffer }>(
      qb.orderBy('e.id', 'DESC').limit(limit),
    );
    return rows.map((row) => bufferToUuid(row.id));
  }

  async clusters(visibility: ClusterVisibility): Promise<string[]> {
    if (seesNothing(visibility)) return [];
    const rows = await this.deadline.rawMany<{ cluster: string }>(
      this.from(visibility)
        .select('e.cluster', 'cluster')
        .groupBy('e.cluster')
        .orderBy('e.cluster', 'ASC')
        .limit(1000),
    );
    return rows.map((row) => row.cluster);
  }

  async newestId(visibility: ClusterVisibility, cluster: string): Promise<string | undefined> {
    if (seesNothing(visibility)) return undefined;
    const rows = await this.deadline.rawMany<{ id: Buffer }>(
      this.from(visibility)
        .select('e.id', 'id')
        .andWhere('e.cluster = :newestOf', { newestOf: cluster })
        .orderBy('e.id', 'DESC')
        .limit(1),
    );
    return rows[0] ? bufferToUuid(rows[0].id) : undefined;
  }
}
