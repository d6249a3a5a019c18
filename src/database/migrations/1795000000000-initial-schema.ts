import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * The schema as the first release created it (with TypeORM's schema sync). Frozen: later
 * changes are later migrations. On a database that release created, every table exists and
 * this migration changes nothing, so an upgrade keeps every row.
 */
export class InitialSchema1795000000000 implements MigrationInterface {
  readonly name = 'InitialSchema1795000000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.driver.options.type !== 'better-sqlite3';
    const bytes16 = (primary = false): TableColumnOptions => ({
      name: '',
      type: mysql ? 'binary' : 'blob',
      length: mysql ? '16' : undefined,
      isPrimary: primary,
    });
    const time = (name: string): TableColumnOptions => ({
      name,
      type: mysql ? 'datetime' : 'text',
      precision: mysql ? 6 : undefined,
    });
    const varchar = (name: string, length: number, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const text = (name: string): TableColumnOptions => ({ name, type: 'text' });
    const longText = (name: string): TableColumnOptions => ({
      name,
      type: mysql ? 'longtext' : 'text',
    });

    await runner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { ...bytes16(true), name: 'id' },
          varchar('cluster', 63),
          { ...bytes16(), name: 'content_hash' },
          varchar('audit_id', 255),
          varchar('stage', 32),
          varchar('level', 32),
          varchar('verb', 64),
          varchar('username', 255),
          text('user_groups'),
          varchar('impersonated_user', 255, true),
          text('source_ips'),
          text('user_agent'),
          varchar('api_group', 253),
          varchar('api_version', 64),
          varchar('resource', 128),
          varchar('subresource', 128),
          varchar('namespace', 128),
          varchar('name', 253),
          { name: 'response_code', type: mysql ? 'int' : 'integer', isNullable: true },
          varchar('decision', 16, true),
          time('request_received_at'),
          time('stage_at'),
          text('request_uri'),
          longText('event'),
        ],
        uniques: [{ name: 'uq_events_cluster_hash', columnNames: ['cluster', 'content_hash'] }],
        indices: [
          { name: 'idx_events_audit_id', columnNames: ['audit_id'] },
          { name: 'idx_events_user', columnNames: ['username', 'id'] },
          { name: 'idx_events_object', columnNames: ['resource', 'namespace', 'name', 'id'] },
          { name: 'idx_events_cluster', columnNames: ['cluster', 'id'] },
        ],
      }),
      true,
    );
    await runner.createTable(
      new Table({
        name: 'audit_quarantine',
        columns: [
          { ...bytes16(true), name: 'id' },
          varchar('cluster', 63),
          { ...bytes16(), name: 'content_hash' },
          time('received_at'),
          varchar('reason', 512),
          longText('raw'),
        ],
        uniques: [{ name: 'uq_quarantine_cluster_hash', columnNames: ['cluster', 'content_hash'] }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('audit_quarantine', true);
    await runner.dropTable('audit_events', true);
  }
}
