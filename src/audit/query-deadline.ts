import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { SQLITE_READ_DEADLINE, sqliteDeadlineCheck } from '../database/sql-dialect';

/** A read stopped at QUERY_TIMEOUT_MS: answered 503 with what the reader can do about it. */
export class QueryTimeoutError extends ServiceUnavailableException {
  constructor(readonly timeoutMs: number) {
    super(
      `the query took longer than ${timeoutMs / 1000} s (QUERY_TIMEOUT_MS) and was stopped; ` +
        'narrow it: add filters (cluster, user, resource, namespace) or shorten the time range (from/to)',
    );
  }
}

/** MariaDB ER_STATEMENT_TIMEOUT, MySQL ER_QUERY_TIMEOUT (MAX_EXECUTION_TIME exceeded). */
const SERVER_TIMEOUT_ERRNOS = new Set([1969, 3024]);

class SqliteDeadlinePassed extends Error {}

interface BetterSqliteHandle {
  function(
    name: string,
    options: { deterministic: boolean },
    fn: (deadline: number) => number,
  ): void;
}

const registered = new WeakSet<object>();

/**
 * Bounds every statement of the query side by QUERY_TIMEOUT_MS, so that one heavy search cannot
 * hold connections (MySQL) or the event loop (SQLite) that ingest needs.
 *
 * - MariaDB: `SET STATEMENT max_statement_time=<s> FOR SELECT ...`: the server stops the
 *   statement; the setting lasts for that statement only, so ingest on the same pool is not
 *   limited.
 * - MySQL 8: the `MAX_EXECUTION_TIME(<ms>)` optimizer hint, for SELECTs only (which is what
 *   this bounds).
 * - SQLite (better-sqlite3 is synchronous and exposes neither sqlite3_interrupt nor a progress
 *   handler): a JavaScript function in the WHERE clause, checked on one row in 1024 and first
 *   among the conditions so every row scanned counts (and on the rows of a full-text MATCH,
 *   see sql-dialect.ts), throws when the deadline passes, which aborts the statement. What it
 *   cannot stop: work before the first row is examined, and sorting after the scan.
 *   While a statement runs the event loop waits (also the webhook), up to about the timeout.
 */
export class ReadDeadline {
  private readonly logger = new Logger('QueryTimeout');

  constructor(
    private readonly dataSource: DataSource,
    readonly timeoutMs: number,
  ) {}

  /** The server, as database.module.ts detected it (it passes `mariadb` or `mysql` as the type). */
  private get flavor(): 'mariadb' | 'mysql' | 'sqlite' {
    const type = this.dataSource.options.type;
    return type === 'mariadb' ? 'mariadb' : type === 'mysql' ? 'mysql' : 'sqlite';
  }

  /**
   * The builder of one statement, created right before it runs; on SQLite with the deadline
   * check as its first condition (later `andWhere`s keep it first; `where` would drop it).
   */
  bound<T extends SelectQueryBuilder<Record<string, unknown>>>(qb: T, alias: string): T {
    if (this.flavor !== 'sqlite') return qb;
    this.registerSqliteCheck();
    qb.where(sqliteDeadlineCheck(alias), {
      [SQLITE_READ_DEADLINE.param]: Date.now() + this.timeoutMs,
    });
    return qb;
  }

  /** Runs the builder's SELECT within the timeout; QueryTimeoutError when it was stopped. */
  async rawMany<R>(qb: SelectQueryBuilder<Record<string, unknown>>): Promise<R[]> {
    const [sql, params] = qb.getQueryAndParameters();
    const started = Date.now();
    try {
      return (await this.dataSource.query(this.limited(sql), params)) as R[];
    } catch (error) {
      // The server's limit does not always end a statement with its own code: a full-text read
      // interrupted inside InnoDB was seen to fail otherwise now and then (500 in a test that
      // expects 503). A failure once the limit has passed is the limit; its code is logged.
      const pastLimit = this.flavor !== 'sqlite' && Date.now() - started >= this.timeoutMs;
      if (!this.isTimeout(error) && !pastLimit) throw error;
      if (!this.isTimeout(error)) {
        const errno = (error as { driverError?: { errno?: unknown } }).driverError?.errno;
        this.logger.warn(
          `a read failed past the limit with errno ${String(errno)}: ${String(error)}`,
        );
      }
      this.logger.warn(`a read query ran past ${this.timeoutMs} ms and was stopped`);
      throw new QueryTimeoutError(this.timeoutMs);
    }
  }

  async rawOne<R>(qb: SelectQueryBuilder<Record<string, unknown>>): Promise<R | undefined> {
    const [row] = await this.rawMany<R>(qb);
    return row;
  }

  private limited(sql: string): string {
    if (this.flavor === 'mariadb') {
      return `SET STATEMENT max_statement_time=${(this.timeoutMs / 1000).toFixed(3)} FOR ${sql}`;
    }
    if (this.flavor === 'mysql') {
      return sql.replace(/^\s*SELECT\b/i, `SELECT /*+ MAX_EXECUTION_TIME(${this.timeoutMs}) */`);
    }
    return sql;
  }

  private isTimeout(error: unknown): boolean {
    const cause = (error as { driverError?: unknown }).driverError ?? error;
    if (cause instanceof SqliteDeadlinePassed) return true;
    const errno = (cause as { errno?: unknown }).errno;
    return typeof errno === 'number' && SERVER_TIMEOUT_ERRNOS.has(errno);
  }

  private registerSqliteCheck(): void {
    const handle = (this.dataSource.driver as unknown as { databaseConnection: BetterSqliteHandle })
      .databaseConnection;
    if (registered.has(handle)) return;
    // Not deterministic: SQLite must call it for each row, not once per statement.
    handle.function(SQLITE_READ_DEADLINE.fn, { deterministic: false }, (deadline: number) => {
      if (Date.now() > deadline) throw new SqliteDeadlinePassed('read deadline passed');
      return 1;
    });
    registered.add(handle);
  }
}
