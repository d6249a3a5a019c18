import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Global, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig, DatabaseConfig } from '../config/app-config';
import { buildEntitySchemas } from './schema';
import { SQL_DIALECT, SqlDialect, dialectFor } from './sql-dialect';

async function ensureMysqlDatabase(db: Extract<DatabaseConfig, { type: 'mysql' }>): Promise<void> {
  // A fresh server has no database yet; creating it saves every new user a manual step.
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
  } finally {
    await connection.end();
  }
}

export function dataSourceOptions(config: DatabaseConfig, dialect: SqlDialect): DataSourceOptions {
  const entities = buildEntitySchemas(dialect);
  if (config.type === 'mysql') {
    return {
      type: 'mysql',
      host: config.host,
      port: config.port,
      username: config.user,
      password: config.password,
      database: config.name,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      dateStrings: true,
      entities,
      synchronize: true,
      logging: false,
      poolSize: config.poolSize,
      // Ingest uses prepared statements; a small per-connection cache bounds what each connection
      // holds on the server (max_prepared_stmt_count is one limit for all of the server's clients).
      extra: { connectionLimit: config.poolSize, connectTimeout: 5000, maxPreparedStatements: 32 },
    };
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: config.path,
    entities,
    synchronize: true,
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

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        if (config.database.type === 'mysql') await ensureMysqlDatabase(config.database);
        return {
          ...dataSourceOptions(config.database, dialectFor(config.database.type)),
          retryAttempts: 3,
          retryDelay: 2000,
        };
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
