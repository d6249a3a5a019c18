/**
 * The prototype write paths must store exactly what src/ stores. Writes the same rows (the
 * benchmark workload plus hostile strings: tabs, newlines, NUL, backslashes, "\N", emoji, a
 * lone surrogate, NULLs) through INSERT (src's way), prepared INSERT and LOAD DATA into three
 * copies of the table, then compares every column of every row.
 *
 *   npx ts-node --transpile-only bench/prototypes/equivalence.check.ts
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/database.module';
import { EVENT_COLUMNS } from '../../src/database/schema';
import { dialectFor } from '../../src/database/sql-dialect';
import type { EventRow } from '../../src/ingest/event-row';
import { benchDatabaseName, dropDatabase, MARIADB } from '../lib/mariadb';
import { buildRowPool } from '../lib/raw-insert';
import { createServiceSchema } from '../lib/schema';
import { Workload } from '../lib/workload';
import { BatchStatements, StatementMode } from './sql-batch';

const HOSTILE = [
  'a\tb',
  'line\nbreak',
  'cr\r',
  'nul\0x',
  'back\\slash',
  '\\N',
  '\\',
  '',
  'émoji 🚀',
  'lone \ud800',
];

async function main(): Promise<void> {
  const database = benchDatabaseName();
  try {
    await createServiceSchema(database);
    const rows = buildRowPool(await Workload.create(), 1);
    rows.forEach((row, i) => {
      const text = HOSTILE[i % HOSTILE.length];
      row[7] = `user ${text}`;
      row[17] = `name ${text}`;
      row[23] = JSON.stringify({ ...JSON.parse(row[23] as string), hostile: text });
      if (i % 3 === 0) row[9] = null;
      if (i % 5 === 0) row[18] = null;
    });
    const dialect = dialectFor('mysql');
    const dataSource = new DataSource(
      dataSourceOptions({ type: 'mysql', ...MARIADB, name: database, poolSize: 2 }, dialect),
    );
    await dataSource.initialize();
    await dialect.prepare(dataSource);
    const modes: StatementMode[] = ['insert', 'execute', 'load-data'];
    const dumps: string[][] = [];
    for (const mode of modes) {
      await dataSource.query('TRUNCATE TABLE audit_events');
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const result = await new BatchStatements(dialect, mode).write(runner, rows as EventRow[], []);
      const again = await new BatchStatements(dialect, mode).write(runner, rows as EventRow[], []);
      await runner.commitTransaction();
      await runner.release();
      const cols = EVENT_COLUMNS.map((c) => `HEX(${c})`).join(', ');
      const dump = (await dataSource.query(
        `SELECT CONCAT_WS('|', ${cols}) AS r FROM audit_events ORDER BY id`,
      )) as {
        r: string;
      }[];
      dumps.push(dump.map((d) => d.r));
      process.stdout.write(
        `${mode}: inserted ${result.inserted} of ${rows.length}, re-send inserted ${again.inserted}, stored ${dump.length}\n`,
      );
    }
    await dataSource.destroy();
    for (let m = 1; m < modes.length; m++) {
      const diff = dumps[0].findIndex((r, i) => r !== dumps[m][i]);
      const same = diff === -1 && dumps[0].length === dumps[m].length;
      process.stdout.write(
        `${modes[m]} vs insert: ${same ? 'identical' : `DIFFERENT at row ${diff}`}\n`,
      );
      if (!same) process.exitCode = 1;
    }
  } finally {
    await dropDatabase(database);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
