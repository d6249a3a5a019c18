import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, CreateAppOptions } from '../../src/app';
import type { AppConfig, DatabaseConfig } from '../../src/config/app-config';
import { parseEnvironment } from '../../src/config/environment';
import { mariadbAvailable, MARIADB } from './mariadb';

export type Backend = 'sqlite' | 'mariadb';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

export interface TestDatabase {
  database: DatabaseConfig;
  drop(): Promise<void>;
}

/** A new SQLite file, or a new MariaDB database; `drop` removes it again. */
export function freshDatabase(backend: Backend): TestDatabase {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
    return {
      database: { type: 'sqlite', path: join(dir, 'audit.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `audit_test_${randomBytes(4).toString('hex')}`;
  return {
    database: { type: 'mysql', ...MARIADB, name, poolSize: 4 },
    drop: async () => {
      const mysql = await import('mysql2/promise');
      const connection = await mysql.createConnection(MARIADB);
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}

/**
 * A real server on a random loopback port with a fresh database: a new SQLite file, or a new
 * MariaDB database that is dropped again on close.
 */
export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const fresh = freshDatabase(backend);
  const test = await startTestAppOn(fresh.database, env, options);
  return {
    ...test,
    close: async () => {
      await test.close();
      await fresh.drop();
    },
  };
}

/** A real server on an existing database (kept on close). */
export async function startTestAppOn(
  database: DatabaseConfig,
  env: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  // Retention off unless a test asks for it: the corpus events are years old, and the job
  // deleting them a minute into a long suite would fail tests that have nothing to do with it.
  // The detector too (test/detection turns it on): it adds detections to items between two
  // reads of a test that compares them, and its CPU to every suite.
  const config = {
    ...parseEnvironment({ HTTP_PORT: '1', RETENTION_DAYS: '0', DETECTIONS: 'false', ...env }),
    database,
  };
  const app = await createApp(config, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `${options.https ? 'https' : 'http'}://127.0.0.1:${port}`,
    config,
    close: () => app.close(),
  };
}

/** The variables a server process (or `npm run import`/`purge`) needs to use `database`. */
export function databaseEnv(database: DatabaseConfig): Record<string, string> {
  if (database.type === 'sqlite') return { DB_PATH: database.path };
  return {
    DB_HOST: database.host,
    DB_PORT: String(database.port),
    DB_USER: database.user,
    DB_PASSWORD: database.password,
    DB_NAME: database.name,
  };
}

/** The backends this machine can run; MariaDB is required in CI and skipped loudly elsewhere. */
export function backends(): Backend[] {
  return mariadbAvailable() ? ['sqlite', 'mariadb'] : ['sqlite'];
}
