import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/database.module';
import { EVENT_COLUMNS, eventParams } from '../../src/database/events-table';
import { dialectFor } from '../../src/database/sql-dialect';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { buildEventRecord, storedEventJson } from '../../src/ingest/event-record';
import * as v0 from '../fixtures/schema-v0/schema';
import { loadCorpus } from '../support/corpus';
import { MARIADB } from '../support/mariadb';
import { backends, freshDatabase, startTestAppOn, TestApp } from '../support/test-app';

type Item = { id: string; auditID: string; name: string; cluster: string };

async function createMysqlDatabase(database: DatabaseConfig): Promise<void> {
  if (database.type !== 'mysql') return;
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection(MARIADB);
  await connection.query(`CREATE DATABASE \`${database.name}\` CHARACTER SET utf8mb4`);
  await connection.end();
}

/** The corpus stored the way release 0.1.0 stored it: its schema (schema sync) and its rows. */
async function storeCorpusWithReleaseZero(database: DatabaseConfig): Promise<Set<string>> {
  const dialect = dialectFor(database.type);
  const dataSource = new DataSource({
    ...dataSourceOptions(database, dialect),
    entities: v0.buildEntitySchemas(dialect),
    synchronize: true,
    migrations: [],
  });
  await dataSource.initialize();
  const insert =
    dialect.insertIgnore(v0.EVENTS_TABLE, v0.EVENT_COLUMNS) +
    `(${v0.EVENT_COLUMNS.map(() => '?').join(',')})`;
  const stored = new Set<string>();
  for (const { raw } of await loadCorpus()) {
    const normalized = normalizeEvent(raw);
    if (!normalized.ok) continue;
    const json = storedEventJson(raw);
    const record = buildEventRecord('old', normalized.event, json, normalized.stageEpochMs);
    await dataSource.query(insert, eventParams(record));
    stored.add(`${record.auditID}/${record.contentHash.toString('hex')}`);
  }
  await dataSource.destroy();
  return stored;
}

async function readAll(app: TestApp, cluster: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `${app.url}/api/v1/events?cluster=${cluster}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await (await fetch(url)).json()) as { items: Item[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function pendingSchemaChanges(app: TestApp): Promise<string[]> {
  const log = await app.app.get(DataSource).driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}

describe.each(backends())('schema migrations (%s)', (backend) => {
  it('the release 0.1.0 row format is the current one', () => {
    expect(v0.EVENT_COLUMNS).toEqual(EVENT_COLUMNS);
  });

  it('upgrades a database created by release 0.1.0 in place, keeping every event', async () => {
    const { database, drop } = freshDatabase(backend);
    let app: TestApp | undefined;
    try {
      await createMysqlDatabase(database);
      const stored = await storeCorpusWithReleaseZero(database);
      expect(stored.size).toBeGreaterThan(100);

      app = await startTestAppOn(database);
      const items = await readAll(app, 'old');
      expect(items).toHaveLength(stored.size);
      expect(new Set(items.map((item) => item.id)).size).toBe(stored.size);
      const auditIDs = new Set([...stored].map((key) => key.split('/')[0]));
      expect(new Set(items.map((item) => item.auditID))).toEqual(auditIDs);

      // Full-text search covers the rows that were there before the index existed.
      const named = items.find((item) => /^[a-z][a-z0-9]{3,}/.test(item.name))!;
      const word = /^[a-z][a-z0-9]{3,}/.exec(named.name)![0];
      const found = (await (
        await fetch(`${app.url}/api/v1/events?cluster=old&q=${word}&limit=500`)
      ).json()) as { items: Item[] };
      expect(found.items.map((item) => item.id)).toContain(named.id);

      // Deleting an event deletes its text row too, found through the id map that the FTS
      // migration filled from the existing rows (SQLite; InnoDB maintains its own index).
      const dataSource = app.app.get(DataSource);
      await dataSource.query('DELETE FROM audit_events WHERE audit_id = ?', [named.auditID]);
      const afterDelete = (await (
        await fetch(`${app.url}/api/v1/events?cluster=old&q=${word}&limit=500`)
      ).json()) as { items: Item[] };
      expect(afterDelete.items.map((item) => item.id)).not.toContain(named.id);
      if (backend === 'sqlite') {
        const [left] = (await dataSource.query(
          'SELECT (SELECT COUNT(*) FROM audit_events) AS events, (SELECT COUNT(*) FROM audit_events_fts) AS texts, (SELECT COUNT(*) FROM audit_events_fts_ids) AS ids',
        )) as { events: number; texts: number; ids: number }[];
        expect(left.texts).toBe(left.events);
        expect(left.ids).toBe(left.events);
      }
      const deleted = items.filter((item) => item.auditID === named.auditID).length;

      expect(await pendingSchemaChanges(app)).toEqual([]);
      await app.close();
      // A second start finds nothing left to migrate and still serves every event.
      app = await startTestAppOn(database);
      expect(await readAll(app, 'old')).toHaveLength(stored.size - deleted);
    } finally {
      await app?.close();
      await drop();
    }
  });

  it('creates on an empty database exactly the schema the code describes', async () => {
    const { database, drop } = freshDatabase(backend);
    let app: TestApp | undefined;
    try {
      app = await startTestAppOn(database);
      expect(await pendingSchemaChanges(app)).toEqual([]);
      const migrations = (await app.app
        .get(DataSource)
        .query('SELECT name FROM audit_schema_migrations ORDER BY timestamp')) as {
        name: string;
      }[];
      expect(migrations.map((m) => m.name)).toEqual([
        'InitialSchema1795000000000',
        'QueryIndexes1796000000000',
        'Settings1797000000000',
        'AccessLog1797100000000',
        'ConsoleSessions1797200000000',
        'FtsEventIds1797500000000',
        'Detections1797600000000',
        'SourceCheckpoints1797700000000',
      ]);
    } finally {
      await app?.close();
      await drop();
    }
  });
});
