import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Console login sessions, kept server-side so logout revokes a session on every replica. The
 * cookie carries a random id; the table holds only its SHA-256 (a leaked table opens nothing).
 * Expiry is epoch milliseconds, compared the same way on MySQL and SQLite.
 */
export class ConsoleSessions1797200000000 implements MigrationInterface {
  readonly name = 'ConsoleSessions1797200000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.driver.options.type !== 'better-sqlite3';
    await runner.createTable(
      new Table({
        name: 'console_sessions',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'username', type: 'varchar', length: '255' },
          { name: 'via', type: 'varchar', length: '16' },
          { name: 'user_groups', type: 'text' },
          { name: 'created_at', type: mysql ? 'bigint' : 'integer' },
          { name: 'expires_at', type: mysql ? 'bigint' : 'integer' },
        ],
        indices: [{ name: 'idx_sessions_expires', columnNames: ['expires_at'] }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('console_sessions', true);
  }
}
