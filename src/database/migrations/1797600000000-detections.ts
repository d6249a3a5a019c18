import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Detections (src/detection): the rules' findings, the state of windowed rules, and the order in
 * which events were stored, which the detector follows so a restart resumes where it stopped.
 *
 * Store order: event ids are UUIDv7 of the event's own time, so a late event (an apiserver
 * retrying after an outage, an import of old files) gets an old id; the detector must follow the
 * order of storing instead.
 * - MySQL/MariaDB: `audit_events.ingest_seq`, an AUTO_INCREMENT column with its own unique index
 *   (appends at the right edge of a small B-tree on insert). Adding a column rebuilds the table
 *   once (ALGORITHM=COPY: the upgrade of a large table takes a while, with writes waiting).
 *   Sequence numbers are given at insert, not at commit, so two concurrent batches may commit
 *   out of order; the detector reads behind a settling delay for that (see SqlDetectionStore).
 * - SQLite: one writer at a time, so insert order is commit order. The events table's rowid
 *   cannot serve (VACUUM may renumber it: no INTEGER PRIMARY KEY), so a trigger appends each
 *   stored event's id to `detection_feed`, whose AUTOINCREMENT key never goes back or repeats.
 *   The detector deletes the rows it has passed.
 */
export class Detections1797600000000 implements MigrationInterface {
  readonly name = 'Detections1797600000000';

  async up(runner: QueryRunner): Promise<void> {
    const mysql = runner.connection.driver.options.type !== 'better-sqlite3';
    const bytes16 = (name: string, isPrimary = false, isNullable = false) => ({
      name,
      type: mysql ? 'binary' : 'blob',
      length: mysql ? '16' : undefined,
      isPrimary,
      isNullable,
    });
    const varchar = (name: string, length: number) => ({
      name,
      type: 'varchar',
      length: String(length),
    });
    const bigint = (name: string) => ({ name, type: mysql ? 'bigint' : 'integer' });

    if (mysql) {
      const columns = (await runner.query(
        "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_events' AND COLUMN_NAME = 'ingest_seq'",
      )) as { n: number | string }[];
      if (Number(columns[0]?.n ?? 0) === 0) {
        await runner.query(
          'ALTER TABLE audit_events ADD COLUMN ingest_seq BIGINT NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY uq_events_ingest_seq (ingest_seq)',
        );
      }
    } else {
      await runner.query(
        'CREATE TABLE IF NOT EXISTS "detection_feed" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "event_id" blob NOT NULL)',
      );
      await runner.query(
        `CREATE TRIGGER IF NOT EXISTS detection_feed_insert AFTER INSERT ON audit_events BEGIN
           INSERT INTO detection_feed (event_id) VALUES (new.id);
         END`,
      );
    }

    await runner.createTable(
      new Table({
        name: 'detections',
        columns: [
          // UUIDv7 whose time part is the event's stage time: time ranges and retention by id.
          bytes16('id', true),
          bytes16('event_id'),
          varchar('cluster', 63),
          varchar('rule', 200),
          varchar('priority', 16),
          // Falco's numeric priority: 0 Emergency ... 7 Debug ("at least Warning" is <= 4).
          { name: 'severity', type: mysql ? 'int' : 'integer' },
          { name: 'output', type: 'text' },
          // JSON array of strings.
          { name: 'tags', type: 'text' },
          // JSON array of { field, value }: why it fired (the fields its condition and output read).
          { name: 'fields', type: 'text' },
          // Hash of the rule and its grouping values (user, object by default).
          bytes16('group_key'),
          // The first detection of the group's window, when this one was grouped into it; NULL on
          // the detection that raised the alert.
          bytes16('grouped_into', false, true),
          // On an alert: how many later detections were grouped into it.
          { name: 'repeats', type: mysql ? 'int' : 'integer', default: 0 },
          bigint('detected_at_ms'),
        ],
        uniques: [{ name: 'uq_detections_event_rule', columnNames: ['event_id', 'rule'] }],
        indices: [
          { name: 'idx_detections_rule', columnNames: ['rule', 'id'] },
          { name: 'idx_detections_cluster', columnNames: ['cluster', 'id'] },
          { name: 'idx_detections_group', columnNames: ['group_key', 'id'] },
        ],
      }),
      true,
    );

    // Windowed rules (bursts, first seen) count over this, not over memory: it survives restarts
    // and is shared by replicas.
    await runner.createTable(
      new Table({
        name: 'detection_signals',
        columns: [
          { ...varchar('rule', 200), isPrimary: true },
          // Hash of the rule's `by` values (one identity, one address, ...).
          { ...bytes16('key_hash'), isPrimary: true },
          { ...bytes16('event_id'), isPrimary: true },
          // Hash of the `distinct` value (a Secret's name, ...), or of the event id.
          bytes16('value_hash'),
          // The event's stage time: windows are in event time, so a backfill gives the same answer.
          bigint('at_ms'),
        ],
        indices: [{ name: 'idx_signals_window', columnNames: ['rule', 'key_hash', 'at_ms'] }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('detection_signals', true);
    await runner.dropTable('detections', true);
    if (runner.connection.driver.options.type !== 'better-sqlite3') {
      await runner.query('ALTER TABLE audit_events DROP COLUMN ingest_seq');
    } else {
      await runner.query('DROP TRIGGER IF EXISTS detection_feed_insert');
      await runner.query('DROP TABLE IF EXISTS detection_feed');
    }
  }
}
