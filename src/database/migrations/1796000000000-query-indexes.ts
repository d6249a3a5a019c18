import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const INDEXES = [
  new TableIndex({ name: 'idx_events_impersonated', columnNames: ['impersonated_user', 'id'] }),
  new TableIndex({ name: 'idx_events_namespace', columnNames: ['namespace', 'resource', 'id'] }),
  new TableIndex({ name: 'idx_events_code', columnNames: ['response_code', 'id'] }),
];

/**
 * Indexes for the query API: by impersonated user, by namespace (and kind), by response code,
 * and full-text search over name, namespace, username, request URI and user agent.
 *
 * MySQL/MariaDB: an InnoDB FULLTEXT index, created with the stopword list off (it is read when
 * the index is built) so words like "in" or "www" can be found. Adding it to a large table
 * rebuilds the table once.
 * SQLite: an FTS5 table holding the same text per event id, kept in step by a trigger and
 * filled from the existing rows here. It keys on the event id, not on SQLite's rowid, which
 * VACUUM may renumber on a table without an INTEGER PRIMARY KEY.
 */
export class QueryIndexes1796000000000 implements MigrationInterface {
  readonly name = 'QueryIndexes1796000000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const index of INDEXES) await runner.createIndex('audit_events', index);
    if (runner.connection.driver.options.type !== 'better-sqlite3') {
      await runner.query('SET SESSION innodb_ft_enable_stopword = OFF');
      await runner.query(
        'CREATE FULLTEXT INDEX ft_events_text ON audit_events (name, namespace, username, request_uri, user_agent)',
      );
      return;
    }
    // Underscore is a word character, as in InnoDB's full-text parser.
    await runner.query(
      `CREATE VIRTUAL TABLE audit_events_fts USING fts5(event_id UNINDEXED, name, namespace, username, request_uri, user_agent, tokenize = "unicode61 tokenchars '_'")`,
    );
    await runner.query(
      `CREATE TRIGGER audit_events_fts_insert AFTER INSERT ON audit_events BEGIN
         INSERT INTO audit_events_fts (event_id, name, namespace, username, request_uri, user_agent)
         VALUES (new.id, new.name, new.namespace, new.username, new.request_uri, new.user_agent);
       END`,
    );
    await runner.query(
      `CREATE TRIGGER audit_events_fts_delete AFTER DELETE ON audit_events BEGIN
         DELETE FROM audit_events_fts WHERE event_id = old.id;
       END`,
    );
    await runner.query(
      `INSERT INTO audit_events_fts (event_id, name, namespace, username, request_uri, user_agent)
       SELECT id, name, namespace, username, request_uri, user_agent FROM audit_events`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'better-sqlite3') {
      await runner.query('DROP INDEX ft_events_text ON audit_events');
    } else {
      await runner.query('DROP TRIGGER IF EXISTS audit_events_fts_insert');
      await runner.query('DROP TRIGGER IF EXISTS audit_events_fts_delete');
      await runner.query('DROP TABLE IF EXISTS audit_events_fts');
    }
    for (const index of INDEXES) await runner.dropIndex('audit_events', index.name ?? index);
  }
}
