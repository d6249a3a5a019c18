import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SQLite only: the FTS5 row of each event found through an index, so deleting events (retention)
 * deletes their text rows without a scan. FTS5 indexes nothing but its text and rowid, so the old
 * delete trigger (`WHERE event_id = old.id`) read the whole text table once per deleted row:
 * 500 deletes took 7.8 s at 50,000 events, growing with the table (docs/retention.md). The map
 * from event id to FTS rowid makes it a lookup (6 ms for the same 500). Its cost is one small
 * B-tree row per event at ingest.
 *
 * It maps to the FTS rowid (assigned by FTS5 on insert, never renumbered) rather than keying the
 * text rows by the events table's rowid, which VACUUM may renumber (no INTEGER PRIMARY KEY).
 * MySQL/MariaDB: nothing to do; InnoDB maintains its FULLTEXT index on delete.
 */
export class FtsEventIds1797500000000 implements MigrationInterface {
  readonly name = 'FtsEventIds1797500000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'better-sqlite3') return;
    await runner.query(
      'CREATE TABLE audit_events_fts_ids (event_id BLOB PRIMARY KEY, fts_rowid INTEGER NOT NULL) WITHOUT ROWID',
    );
    await runner.query(
      'INSERT INTO audit_events_fts_ids (event_id, fts_rowid) SELECT event_id, rowid FROM audit_events_fts',
    );
    await runner.query('DROP TRIGGER audit_events_fts_insert');
    await runner.query('DROP TRIGGER audit_events_fts_delete');
    // Inside a trigger, last_insert_rowid() is the rowid the trigger's own INSERT just assigned.
    await runner.query(
      `CREATE TRIGGER audit_events_fts_insert AFTER INSERT ON audit_events BEGIN
         INSERT INTO audit_events_fts (event_id, name, namespace, username, request_uri, user_agent)
         VALUES (new.id, new.name, new.namespace, new.username, new.request_uri, new.user_agent);
         INSERT INTO audit_events_fts_ids (event_id, fts_rowid) VALUES (new.id, last_insert_rowid());
       END`,
    );
    await runner.query(
      `CREATE TRIGGER audit_events_fts_delete AFTER DELETE ON audit_events BEGIN
         DELETE FROM audit_events_fts
          WHERE rowid = (SELECT fts_rowid FROM audit_events_fts_ids WHERE event_id = old.id);
         DELETE FROM audit_events_fts_ids WHERE event_id = old.id;
       END`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'better-sqlite3') return;
    await runner.query('DROP TRIGGER audit_events_fts_insert');
    await runner.query('DROP TRIGGER audit_events_fts_delete');
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
    await runner.query('DROP TABLE audit_events_fts_ids');
  }
}
