import { DataSource } from 'typeorm';
import type { SqlDialect } from './sql-dialect';

/** A lock one replica holds while it does a job no other replica may do at the same time. */
export interface DatabaseLease {
  /** Still held? False once the lock's connection failed or the lock went to another session. */
  alive(): Promise<boolean>;
  release(): Promise<void>;
}

/** MySQL limits lock names to 64 characters. */
const LOCK_NAME_LENGTH = 64;
/** A lock check (or the lock's connection) that does not answer by then counts as lost. */
const LEASE_CHECK_MS = 5000;

/** The mysql2/promise connection the lock lives on (outside the pool). */
interface LockConnection {
  query(sql: string, params?: unknown[]): Promise<[unknown, unknown]>;
  end(): Promise<void>;
  destroy(): void;
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** SQLite: one process owns the file, so the leases are names held in this process. */
const sqliteHeld = new WeakMap<DataSource, Set<string>>();

/**
 * Takes the lease `name` (per database) without waiting; undefined when another holds it.
 *
 * MySQL/MariaDB: `GET_LOCK` on a connection of its own outside the pool, held as long as the job
 * runs (a pooled one would be taken from ingest for good); the lock's name carries the database's
 * name, so two installations sharing a server do not exclude each other. The lock is freed when
 * that connection closes, so a killed replica's lease passes to another at once.
 * SQLite: an in-process flag per data source.
 */
export async function acquireDatabaseLease(
  dataSource: DataSource,
  dialect: SqlDialect,
  name: string,
): Promise<DatabaseLease | undefined> {
  if (dialect.name === 'sqlite') {
    let held = sqliteHeld.get(dataSource);
    if (!held) sqliteHeld.set(dataSource, (held = new Set()));
    if (held.has(name)) return undefined;
    held.add(name);
    let mine = true;
    return {
      alive: async () => mine,
      release: async () => {
        if (mine) held.delete(name);
        mine = false;
      },
    };
  }
  const mysql = await import('mysql2/promise');
  const options = dataSource.options as {
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
  };
  const connection = (await mysql.createConnection({
    host: options.host,
    port: options.port,
    user: options.username,
    password: options.password,
    database: options.database,
    connectTimeout: 5000,
  })) as unknown as LockConnection;
  try {
    const [rows] = (await within(LEASE_CHECK_MS, connection.query('SELECT DATABASE() AS db'))) as [
      { db: string }[],
      unknown,
    ];
    const lock = `${name}:${rows[0]?.db ?? ''}`.slice(0, LOCK_NAME_LENGTH);
    const [locked] = (await within(
      LEASE_CHECK_MS,
      connection.query('SELECT GET_LOCK(?, 0) AS locked', [lock]),
    )) as [{ locked: number | string | null }[], unknown];
    if (Number(locked[0]?.locked) !== 1) {
      await connection.end().catch(() => connection.destroy());
      return undefined;
    }
    let lost = false;
    return {
      alive: async () => {
        if (lost) return false;
        try {
          const [mine] = (await within(
            LEASE_CHECK_MS,
            connection.query('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', [lock]),
          )) as [{ mine: number | string | null }[], unknown];
          lost = Number(mine[0]?.mine) !== 1;
        } catch {
          lost = true;
        }
        if (lost) connection.destroy();
        return !lost;
      },
      release: async () => {
        if (lost) return;
        lost = true;
        // Closing the connection frees the lock too; RELEASE_LOCK first says it plainly.
        await within(LEASE_CHECK_MS, connection.query('SELECT RELEASE_LOCK(?)', [lock])).catch(
          () => undefined,
        );
        await connection.end().catch(() => connection.destroy());
      },
    };
  } catch (error) {
    connection.destroy();
    throw error;
  }
}
