/**
 * Disk per stored event, and how fast retention deletes, on MariaDB and SQLite.
 *
 *   npx ts-node --transpile-only bench/storage.bench.ts [--events 100000] [--backend both|mariadb|sqlite]
 *
 * Stores `events` realistic events (bench/lib/workload.ts: corpus templates, 85% Metadata
 * ~1 KB, 15% RequestResponse) through the real IngestService and writer, measures the
 * database's size, then deletes them all through RetentionService (the job's code) and times
 * it. MariaDB: the InnoDB tablespaces of the database (table, indexes and the FULLTEXT index's
 * auxiliary tables); SQLite: the file's pages after a WAL checkpoint. Figures for docs/retention.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import type { AppConfig, DatabaseConfig } from '../src/config/app-config';
import { parseEnvironment } from '../src/config/environment';
import { IngestService } from '../src/ingest/ingest.service';
import { EVENT_PURGER, EventPurger, PurgeSession } from '../src/retention/event-purger.repository';
import { RetentionService } from '../src/retention/retention.service';
import { parseArgs } from './lib/args';
import { benchDatabaseName, dropDatabase, MARIADB, serverVersion } from './lib/mariadb';
import { fmt } from './lib/stats';
import { Workload } from './lib/workload';

const options = parseArgs(process.argv.slice(2), { events: 100_000, backend: 'both', batch: 1000 });

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function databaseBytes(dataSource: DataSource, config: DatabaseConfig): Promise<number> {
  if (config.type === 'sqlite') {
    await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    const [{ page_count: pages }] = (await dataSource.query('PRAGMA page_count')) as {
      page_count: number;
    }[];
    const [{ freelist_count: free }] = (await dataSource.query('PRAGMA freelist_count')) as {
      freelist_count: number;
    }[];
    const [{ page_size: size }] = (await dataSource.query('PRAGMA page_size')) as {
      page_size: number;
    }[];
    return (pages - free) * size;
  }
  // The FULLTEXT index lives in auxiliary tablespaces (FTS_...) that information_schema.TABLES
  // does not count under the table; the tablespaces of the database are all of it.
  const rows = (await dataSource.query(
    'SELECT SUM(ALLOCATED_SIZE) AS bytes FROM information_schema.INNODB_SYS_TABLESPACES WHERE NAME LIKE ?',
    [`${config.name}/%`],
  )) as { bytes: string | number }[];
  return Number(rows[0]?.bytes ?? 0);
}

async function measure(backend: 'mariadb' | 'sqlite', workload: Workload): Promise<void> {
  const dir = backend === 'sqlite' ? mkdtempSync(join(tmpdir(), 'audit-storage-')) : '';
  const database: DatabaseConfig =
    backend === 'sqlite'
      ? { type: 'sqlite', path: join(dir, 'audit.db') }
      : { type: 'mysql', ...MARIADB, name: benchDatabaseName(), poolSize: 4 };
  const config: AppConfig = {
    ...parseEnvironment({ HTTP_PORT: '1', RETENTION_DAYS: '0' }),
    database,
  };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    const dataSource = app.get(DataSource);
    const ingest = app.get(IngestService);
    const empty = await databaseBytes(dataSource, database);
    let jsonBytes = 0;
    const started = Date.now();
    for (let stored = 0; stored < options.events; stored += options.batch) {
      const items = Array.from({ length: Math.min(options.batch, options.events - stored) }, () => {
        const json = workload.nextEvent();
        jsonBytes += json.length;
        return JSON.parse(json) as unknown;
      });
      await ingest.ingestBatch('bench', items);
    }
    const ingestSeconds = (Date.now() - started) / 1000;
    if (backend === 'mariadb') await dataSource.query('ANALYZE TABLE audit_events');
    const full = await databaseBytes(dataSource, database);
    const perEvent = (full - empty) / options.events;
    log(
      `${backend}: ${fmt(options.events)} events (JSON avg ${fmt(jsonBytes / options.events)} B) ` +
        `stored in ${fmt(ingestSeconds)} s; database ${fmt((full - empty) / 2 ** 20)} MiB over empty ` +
        `=> ${fmt(perEvent)} B per event`,
    );

    // Time each chunk's statements (what holds a connection, or SQLite's event loop).
    const purger = app.get<EventPurger>(EVENT_PURGER);
    const chunkMs: number[] = [];
    const withLock = purger.withLock.bind(purger);
    purger.withLock = <T>(work: (session: PurgeSession) => Promise<T>) =>
      withLock((session) =>
        work({
          count: (table, scope) => session.count(table, scope),
          deleteChunk: async (table, scope, limit) => {
            const started = process.hrtime.bigint();
            const result = await session.deleteChunk(table, scope, limit);
            if (result.deleted > 0) chunkMs.push(Number(process.hrtime.bigint() - started) / 1e6);
            return result;
          },
        }),
      );
    const purgeStart = Date.now();
    const outcome = await app
      .get(RetentionService)
      .purge({ beforeMs: Date.now() + 3_600_000 * 24 * 365 });
    const purgeSeconds = (Date.now() - purgeStart) / 1000;
    const deleted = outcome.ran ? outcome.result.events : 0;
    const chunkRows = purger.chunkRows;
    const chunks = chunkMs.length;
    const holdMs = chunkMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, chunks);
    const maxMs = Math.max(...chunkMs);
    const after = await databaseBytes(dataSource, database);
    log(
      `${backend}: retention deleted ${fmt(deleted)} events in ${fmt(purgeSeconds, 1)} s ` +
        `(${fmt(deleted / purgeSeconds)} events/s with its pauses; ${chunks} chunks of ${chunkRows}, ` +
        `${fmt(holdMs)} ms each on average, ${fmt(maxMs)} ms at most); database afterwards ` +
        `${fmt((after - empty) / 2 ** 20)} MiB over empty (space is reused, not returned)`,
    );
    log('');
    log(`| events/s | GB/day | GB for 365 days |  (${backend}, ${fmt(perEvent)} B/event)`);
    log('|---:|---:|---:|');
    for (const rate of [50, 200, 1000, 5000]) {
      const perDay = (rate * 86_400 * perEvent) / 1e9;
      log(`| ${rate} | ${perDay.toFixed(1)} | ${fmt(perDay * 365)} |`);
    }
    log('');
  } finally {
    await app.close();
    if (database.type === 'mysql') await dropDatabase(database.name);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const workload = await Workload.create({ batch: options.batch });
  const shape = workload.describe();
  log(`# storage benchmark ${new Date().toISOString()}`);
  log(
    `workload: events avg ${fmt(shape.meanBytes)} B (Metadata ${fmt(shape.metadataMean)} B, ` +
      `RequestResponse ${fmt(shape.rrMean)} B, ${fmt(shape.rrShare * 100)}% of events)`,
  );
  if (options.backend !== 'sqlite') {
    log(`MariaDB ${await serverVersion()}`);
    await measure('mariadb', workload);
  }
  if (options.backend !== 'mariadb') await measure('sqlite', workload);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
