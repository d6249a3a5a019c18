/**
 * Write-path prototypes against the raw ceiling, straight through mysql2 (no HTTP, no Nest):
 * the service's rows (built by src/ from the benchmark workload) written for a fixed time per
 * variant into a fresh copy of the service's table. Variants: transaction size (coalescing),
 * statement kind (text INSERT as TypeORM sends it, prepared INSERT, LOAD DATA LOCAL INFILE),
 * compressed event JSON in a LONGBLOB, and session-level options.
 *
 *   npx ts-node --transpile-only bench/write-paths.bench.ts [--seconds 10] [--only name,name]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs, sleep } from './lib/args';
import { load1 } from './lib/cpu';
import { adminQuery, benchDatabaseName, dropDatabase, serverVersion } from './lib/mariadb';
import { buildRowPool, RawOptions, RawResult, runRawInserts } from './lib/raw-insert';
import { createServiceSchema } from './lib/schema';
import { fmt } from './lib/stats';
import { Workload } from './lib/workload';

const options = parseArgs(process.argv.slice(2), { seconds: 10, only: '', json: '', repeat: 1 });

type Variant = { name: string; what: string } & Partial<RawOptions>;

const NAIVE: Partial<RawOptions> = {
  connections: 4,
  rowsPerTxn: 400,
  rowsPerStatement: 400,
  method: 'insert',
};

const VARIANTS: Variant[] = [
  {
    name: 'naive',
    what: 'raw ceiling: 4 conns, 400-row INSERT IGNORE per txn (text protocol)',
    ...NAIVE,
  },
  {
    name: 'txn2000',
    what: '2 conns, 2000 rows/txn as 5 x 400-row INSERTs',
    ...NAIVE,
    connections: 2,
    rowsPerTxn: 2000,
  },
  {
    name: 'txn4000',
    what: '1 conn, 4000 rows/txn as 10 x 400-row INSERTs',
    ...NAIVE,
    connections: 1,
    rowsPerTxn: 4000,
  },
  {
    name: 'txn2000x4',
    what: '4 conns, 2000 rows/txn as 5 x 400-row INSERTs',
    ...NAIVE,
    rowsPerTxn: 2000,
  },
  {
    name: 'execute',
    what: '4 conns, 400-row prepared INSERT (binary protocol)',
    ...NAIVE,
    method: 'execute',
  },
  {
    name: 'execute2000',
    what: '2 conns, 2000 rows/txn as 5 x 400-row prepared INSERTs',
    ...NAIVE,
    method: 'execute',
    connections: 2,
    rowsPerTxn: 2000,
  },
  {
    name: 'execute-deflate',
    what: 'execute + event JSON deflate-1 in LONGBLOB',
    ...NAIVE,
    method: 'execute',
    compress: 'deflate',
    table: 'audit_events_blob',
  },
  {
    name: 'load400',
    what: '4 conns, LOAD DATA of 400 rows per txn',
    ...NAIVE,
    method: 'load-data',
  },
  {
    name: 'load2000',
    what: '2 conns, 2000 rows/txn as 5 x 400-row LOAD DATA',
    ...NAIVE,
    method: 'load-data',
    connections: 2,
    rowsPerTxn: 2000,
  },
  {
    name: 'deflate',
    what: 'naive + event JSON deflate-1 in LONGBLOB',
    ...NAIVE,
    compress: 'deflate',
    table: 'audit_events_blob',
  },
  {
    name: 'deflate-load2000',
    what: 'load2000 + event JSON deflate-1 in LONGBLOB',
    ...NAIVE,
    method: 'load-data',
    connections: 2,
    rowsPerTxn: 2000,
    compress: 'deflate',
    table: 'audit_events_blob',
  },
  {
    name: 'read-committed',
    what: 'naive + SET SESSION tx_isolation=READ-COMMITTED',
    ...NAIVE,
    session: ["SET SESSION tx_isolation = 'READ-COMMITTED'"],
  },
];

async function main(): Promise<void> {
  const only = options.only ? options.only.split(',') : undefined;
  const variants = VARIANTS.filter((v) => !only || only.includes(v.name));
  const database = benchDatabaseName();
  const workload = await Workload.create();
  const pool = buildRowPool(workload, 12);
  process.stdout.write(
    `# write paths ${new Date().toISOString()}: node ${process.version}, ${cpus().length} CPUs, ` +
      `MariaDB ${await serverVersion()}, ${options.seconds}s per variant, pool of ${pool.length} rows\n\n`,
  );
  process.stdout.write(
    '| variant | what | rows/s | vs naive | commit p50 / p99 ms | client CPU us/row | MariaDB CPU us/row | stored event bytes | load1 |\n' +
      '|---|---|---:|---:|---:|---:|---:|---:|---:|\n',
  );
  const results: { variant: string; run: number; result: RawResult; load1: number }[] = [];
  try {
    await createServiceSchema(database);
    await adminQuery(
      `CREATE TABLE \`${database}\`.audit_events_blob LIKE \`${database}\`.audit_events`,
    );
    await adminQuery(
      `ALTER TABLE \`${database}\`.audit_events_blob MODIFY event LONGBLOB NOT NULL`,
    );
    let naiveRate: number | undefined;
    for (let run = 0; run < options.repeat; run++) {
      for (const variant of variants) {
        const table = variant.table ?? 'audit_events';
        await adminQuery(`TRUNCATE TABLE \`${database}\`.${table}`);
        await sleep(1500);
        const before = load1();
        const result = await runRawInserts(pool, {
          database,
          table,
          seconds: options.seconds,
          connections: variant.connections ?? 4,
          rowsPerTxn: variant.rowsPerTxn ?? 400,
          rowsPerStatement: variant.rowsPerStatement ?? 400,
          method: variant.method ?? 'insert',
          compress: variant.compress ?? 'none',
          session: variant.session ?? [],
        });
        if (variant.name === 'naive') naiveRate = result.rowsPerSecond;
        results.push({ variant: variant.name, run, result, load1: before });
        const perRow = (s: number) => fmt((s * 1e6) / Math.max(1, result.rows));
        process.stdout.write(
          `| ${variant.name} | ${variant.what} | ${fmt(result.rowsPerSecond)} | ` +
            `${naiveRate ? `${fmt((result.rowsPerSecond / naiveRate) * 100)}%` : '-'} | ` +
            `${fmt(result.p50Ms)} / ${fmt(result.p99Ms)} | ${perRow(result.clientCpuSeconds)} | ` +
            `${perRow(result.mariadbCpuSeconds)} | ${fmt((result.storedEventBytes / result.eventBytes) * 100)}% | ` +
            `${fmt(before, 1)} |\n`,
        );
      }
    }
    if (options.json) writeFileSync(options.json, JSON.stringify(results, null, 2));
  } finally {
    await dropDatabase(database);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
