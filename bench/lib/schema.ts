import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../src/database/database.module';
import { dialectFor } from '../../src/database/sql-dialect';
import { adminQuery, MARIADB } from './mariadb';

/** Creates `database` with the service's own schema (its migrations, as the app runs them at boot). */
export async function createServiceSchema(database: string): Promise<void> {
  await adminQuery(
    `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  const dataSource = new DataSource(
    dataSourceOptions(
      { type: 'mysql', ...MARIADB, name: database, poolSize: 1 },
      dialectFor('mysql'),
      'mariadb',
    ),
  );
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();
}
