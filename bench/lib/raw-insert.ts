import { randomFillSync } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, deflateRawSync } from 'node:zlib';
import mysql from 'mysql2/promise';
import { EVENT_COLUMNS, eventParams } from '../../src/database/events-table';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { itemsOfBatch } from '../../src/ingest/batch-body';
import { buildEventRecord, eventId, storedEventJson } from '../../src/ingest/event-record';

/** One events-table row as statement values, in EVENT_COLUMNS order. */
export type EventRow = unknown[];
import { bufferStream, loadDataSql, rowsToTsv } from '../prototypes/tsv';
import { mariadbPid, processCpuSeconds } from './cpu';
import { MARIADB } from './mariadb';
import { percentile } from './stats';
import type { Workload } from './workload';

export type Compression = 'none' | 'deflate' | 'brotli';
/** insert: text protocol, mysql2 escapes the values (what TypeORM's query() does); execute: one
 * prepared multi-row INSERT, values sent binary; load-data: LOAD DATA LOCAL INFILE of TSV. */
export type RawMethod = 'insert' | 'execute' | 'load-data';

export interface RawOptions {
  database: string;
  table: string;
  seconds: number;
  connections: number;
  /** Rows per transaction (one COMMIT). */
  rowsPerTxn: number;
  /** Rows per INSERT statement (or per LOAD DATA) inside the transaction. */
  rowsPerStatement: number;
  method: RawMethod;
  /** How the `event` column is stored (deflate/brotli need a LONGBLOB column). */
  compress: Compression;
  /** Extra statements run once per connection (session options). */
  session: string[];
}

export interface RawResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  commits: number;
  p50Ms: number;
  p99Ms: number;
  eventBytes: number;
  storedEventBytes: number;
  /** CPU seconds of this (client) process and of the local MariaDB server during the run. */
  clientCpuSeconds: number;
  mariadbCpuSeconds: number;
}

/** Rows exactly as the service builds them (normalize, stored JSON, hash, row) from posted bodies. */
export function buildRowPool(workload: Workload, batches: number): EventRow[] {
  const rows: EventRow[] = [];
  for (let b = 0; b < batches; b++) {
    for (const raw of itemsOfBatch(JSON.parse(workload.nextBody()))) {
      const normalized = normalizeEvent(raw);
      if (!normalized.ok) continue;
      const json = storedEventJson(raw as Record<string, unknown>);
      rows.push(
        eventParams(
          buildEventRecord(
            'bench',
            normalized.event,
            json,
            Date.parse(normalized.event.stageTimestamp),
          ),
        ),
      );
    }
  }
  return rows;
}

const EVENT = EVENT_COLUMNS.indexOf('event');

export function compressJson(json: string, compress: Compression): string | Buffer {
  if (compress === 'none') return json;
  const input = Buffer.from(json, 'utf8');
  if (compress === 'deflate') return deflateRawSync(input, { level: 1 });
  return brotliCompressSync(input, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 1,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: input.length,
    },
  });
}

/**
 * The raw ceiling: the service's rows written straight through mysql2 by `connections` loops
 * for a fixed time. Each row of the pool is re-keyed (new UUIDv7 id in time order, random
 * content hash, new auditID) so every insert is a real insert, as in the end-to-end run.
 */
export async function runRawInserts(pool: EventRow[], options: RawOptions): Promise<RawResult> {
  const columns = EVENT_COLUMNS.join(', ');
  const insertPrefix = `INSERT IGNORE INTO ${options.table} (${columns}) VALUES `;
  const placeholders = `(${EVENT_COLUMNS.map(() => '?').join(',')})`;
  const loadSql = loadDataSql(options.table, EVENT_COLUMNS, ['id', 'content_hash']);
  const hashes = Buffer.alloc(16 * 65536);
  let hashOffset = hashes.length;
  let sequence = 0;
  let baseMs = Date.now() - 3_600_000;
  let eventBytes = 0;
  let storedEventBytes = 0;
  const nextRow = (): unknown[] => {
    const template = pool[sequence % pool.length];
    if (hashOffset >= hashes.length) {
      randomFillSync(hashes);
      hashOffset = 0;
    }
    const row = template.slice();
    row[0] = eventId((baseMs += sequence % 4 === 0 ? 1 : 0));
    row[2] = Buffer.from(hashes.subarray(hashOffset, (hashOffset += 16)));
    row[3] = `raw-${sequence++}`;
    const json = template[EVENT] as string;
    eventBytes += json.length;
    const stored = compressJson(json, options.compress);
    storedEventBytes += stored.length;
    row[EVENT] = stored;
    return row;
  };

  const latencies: number[] = [];
  let rows = 0;
  let commits = 0;
  const dbPid = mariadbPid();
  const dbCpuBefore = dbPid ? processCpuSeconds(dbPid) : NaN;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const worker = async () => {
    const connection = await mysql.createConnection({
      ...MARIADB,
      database: options.database,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
    });
    try {
      for (const statement of options.session) await connection.query(statement);
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await connection.query('START TRANSACTION');
        let written = 0;
        for (let done = 0; done < options.rowsPerTxn; done += options.rowsPerStatement) {
          const chunk = Array.from(
            { length: Math.min(options.rowsPerStatement, options.rowsPerTxn - done) },
            nextRow,
          );
          if (options.method === 'load-data') {
            const tsv = rowsToTsv(chunk);
            const [result] = await connection.query({
              sql: loadSql,
              infileStreamFactory: () => bufferStream(tsv),
            });
            written += (result as { affectedRows: number }).affectedRows;
          } else if (options.method === 'execute') {
            const sql = insertPrefix + new Array<string>(chunk.length).fill(placeholders).join(',');
            const [result] = await connection.execute(sql, chunk.flat() as mysql.ExecuteValues);
            written += (result as { affectedRows: number }).affectedRows;
          } else {
            const sql = insertPrefix + new Array<string>(chunk.length).fill(placeholders).join(',');
            const [result] = await connection.query(sql, chunk.flat());
            written += (result as { affectedRows: number }).affectedRows;
          }
        }
        await connection.query('COMMIT');
        const t1 = performance.now();
        if (t1 <= deadline) {
          rows += written;
          commits++;
          latencies.push(t1 - t0);
        }
      }
    } finally {
      await connection.end();
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = options.seconds;
  return {
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    commits,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    eventBytes,
    storedEventBytes,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    mariadbCpuSeconds: dbPid ? processCpuSeconds(dbPid) - dbCpuBefore : NaN,
  };
}
