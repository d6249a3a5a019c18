import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Settings every replica must share, by name: first the key of the redaction markers, made
 * once and kept so every replica and every restart marks a value the same way
 * (src/ingest/redaction-key.repository.ts).
 */
export class Settings1797000000000 implements MigrationInterface {
  readonly name = 'Settings1797000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'audit_settings',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'value', type: 'text' },
        ],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('audit_settings', true);
  }
}
