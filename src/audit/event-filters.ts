import { Brackets, SelectQueryBuilder, WhereExpressionBuilder } from 'typeorm';
import type { ClusterVisibility } from '../auth/identity';
import { columnOf, EventField, uuidToBuffer } from '../database/events-table';
import { DETECTIONS_TABLE } from '../database/schema';
import type { SqlDialect } from '../database/sql-dialect';
import type { CodeSelector, EventQuery, ResourceSelector } from './audit-query';
import { searchWords } from './text-search';

type Builder = SelectQueryBuilder<Record<string, unknown>>;

/**
 * Each filter of an EventQuery is one small clause with bound parameters: values never become
 * SQL text. Parameter names come from a counter, so clauses combine freely.
 */
export class FilterClauses {
  private next = 0;

  constructor(
    private readonly qb: Builder,
    private readonly dialect: SqlDialect,
    private readonly alias = 'e',
  ) {}

  private param(): string {
    return `f${this.next++}`;
  }

  private column(field: EventField): string {
    return `${this.alias}.${columnOf(field)}`;
  }

  /**
   * Only the clusters the caller may see. Applied once per statement (by the reader, to every
   * statement that reads events), so its parameter has a fixed name. Seeing no cluster gives no
   * row; the reader answers that case without a statement at all.
   */
  visibleTo(visibility: ClusterVisibility): this {
    if (visibility.all) return this;
    if (visibility.clusters.length === 0) {
      this.qb.andWhere('1 = 0');
      return this;
    }
    this.qb.andWhere(`${this.column('cluster')} IN (:...visibleClusters)`, {
      visibleClusters: visibility.clusters,
    });
    return this;
  }

  /** `field IN (...)` for a list of values. */
  oneOf(field: EventField, values: readonly (string | number)[] | undefined): this {
    if (!values || values.length === 0) return this;
    const p = this.param();
    this.qb.andWhere(`${this.column(field)} IN (:...${p})`, { [p]: values });
    return this;
  }

  /** The username or the impersonated user's name is one of `names`. */
  user(names: readonly string[] | undefined): this {
    if (!names || names.length === 0) return this;
    const p = this.param();
    this.qb.andWhere(
      `(${this.column('username')} IN (:...${p}) OR ${this.column('impersonatedUser')} IN (:...${p}))`,
      { [p]: names },
    );
    return this;
  }

  /** A JSON string list column contains one of `values` as an element. */
  listContains(field: 'groups' | 'sourceIPs', values: readonly string[] | undefined): this {
    if (!values || values.length === 0) return this;
    this.anyOf(values, (where, value) => {
      const p = this.param();
      // The column is JSON.stringify of a string array, so an element appears quoted.
      where.orWhere(`INSTR(${this.column(field)}, :${p}) > 0`, { [p]: JSON.stringify(value) });
    });
    return this;
  }

  resource(selectors: readonly ResourceSelector[] | undefined): this {
    if (!selectors || selectors.length === 0) return this;
    this.anyOf(selectors, (where, selector) => {
      const conditions: string[] = [];
      const params: Record<string, unknown> = {};
      const equals = (field: EventField, value: string | undefined) => {
        if (value === undefined) return;
        const p = this.param();
        conditions.push(`${this.column(field)} = :${p}`);
        params[p] = value;
      };
      equals('resource', selector.resource);
      equals('subresource', selector.subresource);
      equals('apiGroup', selector.apiGroup);
      where.orWhere(`(${conditions.join(' AND ')})`, params);
    });
    return this;
  }

  /** One of the codes or classes; `orNone`: an event without a response code also matches. */
  code(selectors: readonly CodeSelector[] | undefined, orNone = false): this {
    if (!selectors || selectors.length === 0) return this;
    this.anyOf(
      selectors,
      (where, selector) => {
        const p = this.param();
        if ('exact' in selector) {
          where.orWhere(`${this.column('responseCode')} = :${p}`, { [p]: selector.exact });
        } else {
          const q = this.param();
          where.orWhere(`${this.column('responseCode')} BETWEEN :${p} AND :${q}`, {
            [p]: selector.class * 100,
            [q]: selector.class * 100 + 99,
          });
        }
      },
      orNone ? `${this.column('responseCode')} IS NULL` : undefined,
    );
    return this;
  }

  /** Case-insensitive "contains", with the needle bound (no LIKE wildcards to escape). */
  contains(field: EventField, needle: string | undefined): this {
    if (needle === undefined || needle === '') return this;
    const p = this.param();
    this.qb.andWhere(`INSTR(LOWER(${this.column(field)}), :${p}) > 0`, {
      [p]: needle.toLowerCase(),
    });
    return this;
  }

  /** `q` through the full-text index, or (`scan`) checked row by row where the dialect can. */
  text(q: string | undefined, scan = false): this {
    const words = q === undefined ? [] : searchWords(q);
    if (words.length === 0) return this;
    const param = () => this.param();
    const condition =
      scan && this.dialect.textScan
        ? this.dialect.textScan(this.alias, words, param)
        : this.dialect.textSearch(this.alias, words, param);
    this.qb.andWhere(condition.sql, condition.params);
    return this;
  }

  /**
   * Whether a rule fired on the event (`has`), or one of `rules` did: `EXISTS` on the
   * detections of the event, answered by the unique index `(event_id, rule)`. The detections
   * are of the event's own cluster, so the visibility of the event covers them.
   */
  detections(has: boolean | undefined, rules: readonly string[] | undefined): this {
    const ruled = rules !== undefined && rules.length > 0;
    if (has === undefined && !ruled) return this;
    // No rule fired, and one of `rules` did: nothing matches.
    if (has === false && ruled) {
      this.qb.andWhere('1 = 0');
      return this;
    }
    const p = ruled ? this.param() : undefined;
    const ofRules = p ? ` AND det.rule IN (:...${p})` : '';
    this.qb.andWhere(
      `${has === false ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${DETECTIONS_TABLE} det WHERE det.event_id = ${this.column('id')}${ofRules})`,
      p ? { [p]: rules } : {},
    );
    return this;
  }

  /** Stage time range as an id range: ids are UUIDv7 whose time part is the stage time. */
  timeRange(fromMs: number | undefined, toMs: number | undefined): this {
    if (fromMs !== undefined) this.idAtLeast(lowestIdAt(fromMs));
    if (toMs !== undefined) this.idBelow(lowestIdAt(toMs));
    return this;
  }

  idBelow(id: Buffer | string | undefined): this {
    if (id === undefined) return this;
    const p = this.param();
    this.qb.andWhere(`${this.column('id')} < :${p}`, { [p]: asBuffer(id) });
    return this;
  }

  idAbove(id: Buffer | string | undefined): this {
    if (id === undefined) return this;
    const p = this.param();
    this.qb.andWhere(`${this.column('id')} > :${p}`, { [p]: asBuffer(id) });
    return this;
  }

  idAtLeast(id: Buffer): this {
    const p = this.param();
    this.qb.andWhere(`${this.column('id')} >= :${p}`, { [p]: id });
    return this;
  }

  /**
   * Every condition of an EventQuery. `textScan`: check `q` row by row instead of through the
   * full-text index.
   */
  query(query: EventQuery, textScan = false): this {
    return this.oneOf('cluster', query.cluster)
      .user(query.user)
      .listContains('groups', query.group)
      .oneOf('verb', query.verb)
      .resource(query.resource)
      .oneOf('apiGroup', query.apiGroup)
      .oneOf('namespace', query.namespace)
      .oneOf('name', query.name)
      .code(query.code)
      .oneOf('decision', query.decision)
      .listContains('sourceIPs', query.sourceIP)
      .contains('userAgent', query.userAgent)
      .text(query.q, textScan)
      .timeRange(query.fromMs, query.toMs)
      .oneOf('stage', query.stage)
      .oneOf('auditID', query.auditID)
      .detections(query.hasDetections, query.detectionRule);
  }

  private anyOf<T>(
    values: readonly T[],
    add: (where: WhereExpressionBuilder, value: T) => void,
    orAlso?: string,
  ) {
    this.qb.andWhere(
      new Brackets((where) => {
        values.forEach((value) => add(where, value));
        if (orAlso) where.orWhere(orAlso);
      }),
    );
  }
}

function asBuffer(id: Buffer | string): Buffer {
  return typeof id === 'string' ? uuidToBuffer(id) : id;
}

/** The smallest UUIDv7 of a millisecond: every event stamped at or after it sorts at or above. */
export function lowestIdAt(epochMs: number): Buffer {
  const id = Buffer.alloc(16);
  id.writeUIntBE(Math.min(Math.max(0, Math.floor(epochMs)), 2 ** 48 - 1), 0, 6);
  return id;
}
