import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Global, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig, DatabaseConfig } from '../config/app-config';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations';
import { buildEntitySchemas } from './schema';
import { SQL_DIALECT, SqlDialect, dialectFor } from './sql-dialect';

/** MySQL or MariaDB: TypeORM reads their catalogues differently (MariaDB quotes defaults). */
export type MysqlFlavor = 'mysql' | 'mariadb';

/**
 * Creates the database when missing (a fresh server has none yet; this saves every new user a
 * manual step) and tells which server it is.
 */
async function prepareMysqlServer(
  db: Extract<DatabaseConfig, { type: 'mysql' }>,
): Promise<MysqlFlavor> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
  });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    const [rows] = await connection.query('SELECT VERSION() AS version');
    const version = String((rows as { version?: unknown }[])[0]?.version ?? '');
    return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  } finally {
    await connection.end();
  }
}

/**
 * Creates the SQLite file's directory and checks that it can be written: SQLite writes the
 * database, its -wal and its -shm file there, and on a read-only mount it only says "unable to
 * open database file", naming neither the file nor the reason.
 */
function prepareSqliteDirectory(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  for (const target of existsSync(path) ? [dir, path] : [dir]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      throw new Error(
        `SQLite database ${path}: ${target} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}); ` +
          'SQLite writes the database and its -wal and -shm files there (DB_PATH)',
      );
    }
  }
}

export function dataSourceOptions(
  config: DatabaseConfig,
  dialect: SqlDialect,
  flavor: MysqlFlavor = 'mysql',
): DataSourceOptions {
  const entities = buildEntitySchemas(dialect);
  if (config.type === 'mysql') {
    return {
      type: flavor,
      host: config.host,
      port: config.port,
      username: config.user,
      password: config.password,
      database: config.name,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      dateStrings: true,
      entities,
      synchronize: false,
      migrations: MIGRATIONS,
      migrationsTableName: MIGRATIONS_TABLE,
      logging: false,
      poolSize: config.poolSize,
      // Ingest uses prepared statements; a small per-connection cache bounds what each connection
      // holds on the server (max_prepared_stmt_count is one limit for all of the server's clients).
      extra: { connectionLimit: config.poolSize, connectTimeout: 5000, maxPreparedStatements: 32 },
    };
  }
  if (config.path !== ':memory:') prepareSqliteDirectory(config.path);
  return {
    type: 'better-sqlite3',
    database: config.path,
    entities,
    synchronize: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    logging: false,
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // WAL with FULL sync: an acknowledged batch survives power loss, and readers never block
      // the writer. busy_timeout covers the importer writing while the server runs.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
    },
  };
}

/**
 * Brings the schema up to date before anything reads or writes. Replicas that start together
 * take turns through a named server lock (MySQL's DDL is not transactional, so two replicas
 * creating the same index would fail); on SQLite the single connection already serializes.
 * TypeORM's `migrationsRun` would run them without that lock.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    const [row] = (await runner.query(
      "SELECT GET_LOCK('k8s_audit_migrations', 600) AS locked",
    )) as {
      locked: number | string | null;
    }[];
    if (Number(row?.locked) !== 1)
      throw new Error('timed out waiting for another replica to migrate the schema');
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query("SELECT RELEASE_LOCK('k8s_audit_migrations')").catch(() => undefined);
    await runner.release();
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const flavor =
          config.database.type === 'mysql' ? await prepareMysqlServer(config.database) : undefined;
        return {
          ...dataSourceOptions(config.database, dialectFor(config.database.type), flavor),
          retryAttempts: 3,
          retryDelay: 2000,
        };
      },
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options as DataSourceOptions).initialize();
        await runMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [
    {
      provide: SQL_DIALECT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dialectFor(config.database.type),
    },
  ],
  exports: [SQL_DIALECT],
})
export class DatabaseModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dialect.prepare(this.dataSource);
    const db = this.config.database;
    this.logger.log(
      db.type === 'mysql'
        ? `storing events in MySQL/MariaDB ${db.host}:${db.port}/${db.name}`
        : `storing events in SQLite ${db.path}`,
    );
  }
}
