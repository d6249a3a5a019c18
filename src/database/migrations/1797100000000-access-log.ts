import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * "Who looked": the console's and the API's own reads and the logins, one row each
 * (src/access-log). The id is a UUIDv7 of the time of the access, so the newest-first list
 * and its time range read the primary key; `at_ms` keeps the time readable as a number.
 */
export class AccessLog1797100000000 implements MigrationInterface {
  readonly name = 'AccessLog1797100000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.driver.options.type !== 'better-sqlite3';
    const varchar = (name: string, length: number) => ({
      name,
      type: 'varchar',
      length: String(length),
    });
    await runner.createTable(
      new Table({
        name: 'access_log',
        columns: [
          {
            name: 'id',
            type: mysql ? 'binary' : 'blob',
            length: mysql ? '16' : undefined,
            isPrimary: true,
          },
          { name: 'at_ms', type: mysql ? 'bigint' : 'integer' },
          varchar('username', 255),
          varchar('via', 16),
          varchar('action', 32),
          varchar('target', 2048),
          varchar('client_address', 64),
          varchar('user_agent', 512),
        ],
        indices: [
          { name: 'idx_access_log_user', columnNames: ['username', 'id'] },
          { name: 'idx_access_log_action', columnNames: ['action', 'id'] },
        ],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('access_log', true);
  }
}
