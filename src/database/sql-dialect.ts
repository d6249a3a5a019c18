import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Everything that differs between MySQL/MariaDB and SQLite, in one place. Repositories write
 * portable SQL with `?` placeholders and ask the dialect for the rest.
 */
export interface SqlDialect {
  readonly name: 'mysql' | 'sqlite';
  /** Column types for the schema. */
  readonly types: {
    binary16: 'binary' | 'blob';
    longText: 'longtext' | 'text';
    microTime: 'datetime' | 'text';
  };
  /** `INSERT IGNORE` (MySQL) or `INSERT OR IGNORE` (SQLite): the idempotent insert. */
  insertIgnore(table: string, columns: readonly string[]): string;
  /** Runs one multi-row insert on the runner's connection; returns the rows it inserted. */
  insertRows(runner: QueryRunner, sql: string, params: unknown[]): Promise<number>;
  /** Most `?` placeholders one statement may carry. */
  readonly maxParams: number;
  /** Statement size (bytes) to stay under: MySQL's max_allowed_packet, read at startup. */
  maxStatementBytes: number;
  /** Runs once after the connection is up (read server limits, set pragmas). */
  prepare(dataSource: DataSource): Promise<void>;
}

/** The callback-style mysql2 connection under TypeORM's MySQL query runner. */
interface PreparedStatementConnection {
  execute(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

class MysqlDialect implements SqlDialect {
  readonly name = 'mysql' as const;
  readonly types = { binary16: 'binary', longText: 'longtext', microTime: 'datetime' } as const;
  readonly maxParams = 60_000;
  maxStatementBytes = 4 * 1024 * 1024;

  insertIgnore(table: string, columns: readonly string[]): string {
    return `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES `;
  }

  /**
   * A prepared statement: values travel as length-prefixed binary, not escaped into a ~1 MB SQL
   * text that the server parses again (that escaping was the largest CPU cost of ingest).
   * Values must not be `undefined`. mysql2 caches the statement per connection (see
   * maxPreparedStatements in database.module.ts).
   */
  async insertRows(runner: QueryRunner, sql: string, params: unknown[]): Promise<number> {
    const connection = (await runner.connect()) as PreparedStatementConnection;
    return new Promise((resolve, reject) => {
      connection.execute(sql, params, (error, result) => {
        if (error) reject(error);
        else resolve((result as { affectedRows?: number }).affectedRows ?? 0);
      });
    });
  }

  async prepare(dataSource: DataSource): Promise<void> {
    const rows = (await dataSource.query('SELECT @@max_allowed_packet AS maxPacket')) as {
      maxPacket: number | string;
    }[];
    const maxPacket = Number(rows[0]?.maxPacket ?? 4 * 1024 * 1024);
    // Leave room for the statement text and escaping (hex doubles binary values).
    this.maxStatementBytes = Math.max(64 * 1024, Math.floor(maxPacket * 0.45));
  }
}

class SqliteDialect implements SqlDialect {
  readonly name = 'sqlite' as const;
  readonly types = { binary16: 'blob', longText: 'text', microTime: 'text' } as const;
  readonly maxParams = 32_000;
  maxStatementBytes = 256 * 1024 * 1024;

  insertIgnore(table: string, columns: readonly string[]): string {
    return `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES `;
  }

  async insertRows(runner: QueryRunner, sql: string, params: unknown[]): Promise<number> {
    const result = await runner.query(sql, params, true);
    return result.affected ?? 0;
  }

  async prepare(): Promise<void> {
    // Pragmas are set in prepareDatabase (database.module.ts), before TypeORM's first query.
  }
}

export function dialectFor(type: 'mysql' | 'sqlite'): SqlDialect {
  return type === 'mysql' ? new MysqlDialect() : new SqliteDialect();
}

export const SQL_DIALECT = Symbol('SQL_DIALECT');
