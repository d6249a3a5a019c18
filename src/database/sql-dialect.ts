import type { DataSource } from 'typeorm';

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
  /** Most `?` placeholders one statement may carry. */
  readonly maxParams: number;
  /** Statement size (bytes) to stay under: MySQL's max_allowed_packet, read at startup. */
  maxStatementBytes: number;
  /** Runs once after the connection is up (read server limits, set pragmas). */
  prepare(dataSource: DataSource): Promise<void>;
}

class MysqlDialect implements SqlDialect {
  readonly name = 'mysql' as const;
  readonly types = { binary16: 'binary', longText: 'longtext', microTime: 'datetime' } as const;
  readonly maxParams = 60_000;
  maxStatementBytes = 4 * 1024 * 1024;

  insertIgnore(table: string, columns: readonly string[]): string {
    return `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES `;
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

  async prepare(): Promise<void> {
    // Pragmas are set in prepareDatabase (database.module.ts), before TypeORM's first query.
  }
}

export function dialectFor(type: 'mysql' | 'sqlite'): SqlDialect {
  return type === 'mysql' ? new MysqlDialect() : new SqliteDialect();
}

export const SQL_DIALECT = Symbol('SQL_DIALECT');
