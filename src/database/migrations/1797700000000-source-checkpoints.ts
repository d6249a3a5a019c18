import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Where each managed-cluster source (src/sources) stands: its position in the cloud's log
 * (opaque to the database; MEDIUMTEXT on MySQL because a storage account's position names the
 * blobs still growing), written in the same transaction as the events read up to it, so a crash
 * re-reads only what was not committed. `last_event_ms` is the newest event time committed,
 * `updated_at_ms` the commit time: the console's cluster list and the lag come from them.
 */
export class SourceCheckpoints1797700000000 implements MigrationInterface {
  readonly name = 'SourceCheckpoints1797700000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.driver.options.type !== 'better-sqlite3';
    const epochMs = mysql ? 'bigint' : 'integer';
    await runner.createTable(
      new Table({
        name: 'source_checkpoints',
        columns: [
          { name: 'source', type: 'varchar', length: '64', isPrimary: true },
          { name: 'position', type: mysql ? 'mediumtext' : 'text', isNullable: true },
          { name: 'last_event_ms', type: epochMs, isNullable: true },
          { name: 'updated_at_ms', type: epochMs },
        ],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('source_checkpoints', true);
  }
}
