import Database from 'better-sqlite3';
import type { DatabaseConfig } from '../../src/config/app-config';
import { MARIADB } from './mariadb';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it gives something other than `undefined` or `false`, and returns that;
 * throws `timed out waiting for <what>` after `within` ms. A boolean probe waits for `true`.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { within = 60_000, every = 200 }: { within?: number; every?: number } = {},
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + within;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

/**
 * A query straight on the test's database (its SQLite file or MariaDB database), never through
 * the application. SQLite is opened read-only unless `write` is set; with `write`, a statement
 * other than SELECT is run as a script (its params unused) and gives no rows.
 */
export async function queryDatabase<T = Record<string, unknown>>(
  database: DatabaseConfig,
  query: string,
  params: unknown[] = [],
  { write = false }: { write?: boolean } = {},
): Promise<T[]> {
  if (database.type === 'sqlite') {
    if (!write) {
      const db = new Database(database.path, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(query).all(...params) as T[];
      } finally {
        db.close();
      }
    }
    const db = new Database(database.path);
    try {
      return query.trim().toUpperCase().startsWith('SELECT')
        ? (db.prepare(query).all(...params) as T[])
        : (db.exec(query), []);
    } finally {
      db.close();
    }
  }
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({ ...MARIADB, database: database.name });
  try {
    const [rows] = await connection.query(query, params);
    return rows as T[];
  } finally {
    await connection.end();
  }
}
