/**
 * End-to-end ingest benchmark: the real server on MariaDB against concurrent webhook senders,
 * then the raw ceiling (the same rows written straight through mysql2) on the same table.
 *
 *   npx ts-node --transpile-only bench/ingest.bench.ts [--seconds 20] [--clients 4] [--batch 400]
 *
 * Options: --warmup S, --in-process (server shares the client's event loop), --pool-size N,
 * --drop-index NAME[,NAME] (measure without those indexes), --fulltext COL[,COL] (the
 * full-text index over other columns), --raw-connections N, --raw-rows N, --no-raw,
 * --cpu-prof FILE (server CPU profile of the measured window), --json FILE. Loopback only; drops its database at the end.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs, sleep } from './lib/args';
import { load1, mariadbPid, processCpuSeconds } from './lib/cpu';
import { adminQuery, benchDatabaseName, dropDatabase, serverVersion } from './lib/mariadb';
import { checkIdempotency, runLoad } from './lib/load';
import { buildRowPool, runRawInserts } from './lib/raw-insert';
import { ServerHandle, startChildServer, startInProcessServer } from './lib/server-process';
import { fmt, mib, percentile } from './lib/stats';
import { Workload } from './lib/workload';

const options = parseArgs(process.argv.slice(2), {
  seconds: 20,
  clients: 4,
  batch: 400,
  warmup: 3,
  inProcess: false,
  poolSize: 8,
  rawConnections: 4,
  rawRows: 400,
  noRaw: false,
  dropIndex: '',
  fulltext: '',
  cpuProf: '',
  json: '',
});

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const database = benchDatabaseName();
  const version = await serverVersion();
  const workload = await Workload.create({ batch: options.batch });
  const shape = workload.describe();
  log(`# ingest benchmark ${new Date().toISOString()}`);
  log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), MariaDB ${version}`,
  );
  log(
    `workload: ${options.clients} clients x ${options.batch}-event batches for ${options.seconds}s (+${options.warmup}s warm-up); ` +
      `events avg ${fmt(shape.meanBytes)} B (Metadata ${fmt(shape.metadataMean)} B, ` +
      `RequestResponse ${fmt(shape.rrMean)} B, ${fmt(shape.rrShare * 100)}% of events)`,
  );
  log(
    `server: ${options.inProcess ? 'in-process' : 'child process'}, pool ${options.poolSize}, ` +
      `database ${database}`,
  );

  let server: ServerHandle | undefined;
  try {
    const serverOptions = {
      database,
      poolSize: options.poolSize,
    };
    if (options.cpuProf && options.inProcess)
      throw new Error('--cpu-prof needs the child-process server');
    server = options.inProcess
      ? await startInProcessServer(serverOptions)
      : await startChildServer(serverOptions, options.cpuProf || undefined);
    if (options.cpuProf) log(`server CPU profile: ${options.cpuProf}`);
    // What one index costs: measure the same run without it (server and raw ceiling alike).
    for (const index of options.dropIndex.split(',').filter(Boolean)) {
      if (!/^\w+$/.test(index)) throw new Error(`--drop-index: not an index name: ${index}`);
      await adminQuery(`DROP INDEX ${index} ON \`${database}\`.audit_events`);
      log(`dropped index ${index} for this run`);
    }
    // An alternative full-text index over other columns (e.g. name,namespace,username).
    if (options.fulltext) {
      const columns = options.fulltext.split(',');
      if (!columns.every((c) => /^\w+$/.test(c))) throw new Error('--fulltext: column names');
      await adminQuery(`DROP INDEX ft_events_text ON \`${database}\`.audit_events`);
      await adminQuery(
        `CREATE FULLTEXT INDEX ft_events_text ON \`${database}\`.audit_events (${columns.join(', ')})`,
      );
      log(`full-text index over ${columns.join(', ')} for this run`);
    }
    if (options.warmup > 0) {
      await runLoad(workload, server.port, {
        clients: options.clients,
        seconds: options.warmup,
        cluster: 'warmup',
      });
    }
    // DELETE, not TRUNCATE: TRUNCATE restarts ingest_seq (AUTO_INCREMENT), the store order the
    // detector follows from its checkpoint, so a detector would see nothing new for a while and
    // the "detector on" figure would be that of a detector standing still.
    await adminQuery(`DELETE FROM \`${database}\`.audit_events`);
    server.startMeasuring();
    const evaluatedBefore = await detectorEvaluated(server.port);
    const dbPid = mariadbPid();
    const before = {
      db: dbPid ? processCpuSeconds(dbPid) : NaN,
      server: processCpuSeconds(server.pid),
      client: process.cpuUsage(),
      load1: load1(),
    };
    const load = await runLoad(workload, server.port, {
      clients: options.clients,
      seconds: options.seconds,
      cluster: 'bench',
    });
    const clientCpu = process.cpuUsage(before.client);
    const cpu = {
      serverUsPerEvent: ((processCpuSeconds(server.pid) - before.server) * 1e6) / load.events,
      mariadbUsPerEvent: dbPid ? ((processCpuSeconds(dbPid) - before.db) * 1e6) / load.events : NaN,
      clientUsPerEvent: options.inProcess ? 0 : (clientCpu.user + clientCpu.system) / load.events,
      load1: (before.load1 + load1()) / 2,
    };
    const evaluated = (await detectorEvaluated(server.port)) - evaluatedBefore;
    const idempotency = await checkIdempotency(workload, server.port, options.batch);
    const usage = await server.stop();
    server = undefined;
    const stored = (await adminQuery(
      `SELECT COUNT(*) AS n FROM \`${database}\`.audit_events WHERE cluster = 'bench'`,
    )) as { n: number }[];
    const e2eRate = load.events / load.seconds;
    log('');
    log(
      `end-to-end: ${fmt(e2eRate)} events/s (${fmt(load.requests)} batches, ${fmt(load.events)} events, ` +
        `${fmt(load.accepted)} accepted, ${load.duplicates} duplicates, ${load.failures} failed; ${fmt(Number(stored[0].n))} rows counted)`,
    );
    log(`  idempotency check: ${idempotency}`);
    log(
      `  detector (DETECTIONS=${process.env.DETECTIONS ?? 'true'}): ${fmt(evaluated)} events evaluated during the window ` +
        `(${fmt((evaluated / load.events) * 100)}% of those ingested; the rest after the load, it yields to ingest)`,
    );
    log(
      options.inProcess
        ? `  CPU per event: server + load generator (one process) ${fmt(cpu.serverUsPerEvent)} us, ` +
            `MariaDB ${fmt(cpu.mariadbUsPerEvent)} us; load average during the run ${fmt(cpu.load1, 1)} on ${cpus().length} CPUs`
        : `  CPU per event: server ${fmt(cpu.serverUsPerEvent)} us, MariaDB ${fmt(cpu.mariadbUsPerEvent)} us, ` +
            `load generator ${fmt(cpu.clientUsPerEvent)} us; load average during the run ${fmt(cpu.load1, 1)} on ${cpus().length} CPUs`,
    );
    log(
      `  ack latency p50 ${fmt(percentile(load.latenciesMs, 50))} ms, p99 ${fmt(percentile(load.latenciesMs, 99))} ms; ` +
        `${mib(load.bodyBytes / load.seconds)}/s of JSON; server peak RSS ${mib(usage.maxRssBytes)}, ` +
        `CPU ${fmt(usage.cpuMs / 1000, 1)} s`,
    );

    let raw: Awaited<ReturnType<typeof runRawInserts>> | undefined;
    if (!options.noRaw) {
      const pool = buildRowPool(workload, 10);
      await adminQuery(`TRUNCATE TABLE \`${database}\`.audit_events`);
      await sleep(1000);
      raw = await runRawInserts(pool, {
        database,
        table: 'audit_events',
        seconds: options.seconds,
        connections: options.rawConnections,
        rowsPerTxn: options.rawRows,
        rowsPerStatement: options.rawRows,
        method: 'insert',
        compress: 'none',
        session: [],
      });
      log(
        `raw ceiling (mysql2, ${options.rawConnections} connections, ${options.rawRows}-row INSERT IGNORE per transaction): ` +
          `${fmt(raw.rowsPerSecond)} rows/s, commit p50 ${fmt(raw.p50Ms)} ms, p99 ${fmt(raw.p99Ms)} ms; ` +
          `CPU per row: client ${fmt((raw.clientCpuSeconds * 1e6) / raw.rows)} us, ` +
          `MariaDB ${fmt((raw.mariadbCpuSeconds * 1e6) / raw.rows)} us`,
      );
      log(`end-to-end / raw = ${fmt((e2eRate / raw.rowsPerSecond) * 100)}% (throughput)`);
      const rawCpuPerRow = ((raw.clientCpuSeconds + raw.mariadbCpuSeconds) * 1e6) / raw.rows;
      const e2eCpuPerEvent = cpu.serverUsPerEvent + cpu.mariadbUsPerEvent + cpu.clientUsPerEvent;
      if (!options.inProcess && Number.isFinite(rawCpuPerRow) && Number.isFinite(e2eCpuPerEvent)) {
        log(
          `end-to-end / raw = ${fmt((rawCpuPerRow / e2eCpuPerEvent) * 100)}% (CPU cost: raw ${fmt(rawCpuPerRow)} us ` +
            `per row vs end-to-end ${fmt(e2eCpuPerEvent)} us per event, all processes; the throughput ratio on ` +
            `a CPU-bound machine with nothing else running)`,
        );
      }
    }
    if (options.json) {
      writeFileSync(
        options.json,
        JSON.stringify(
          {
            date: new Date().toISOString(),
            options,
            mariadb: version,
            workload: shape,
            endToEnd: {
              eventsPerSecond: e2eRate,
              p50Ms: percentile(load.latenciesMs, 50),
              p99Ms: percentile(load.latenciesMs, 99),
              requests: load.requests,
              failures: load.failures,
              peakRssBytes: usage.maxRssBytes,
              cpuMs: usage.cpuMs,
              cpu,
            },
            raw,
            ratio: raw ? e2eRate / raw.rowsPerSecond : undefined,
          },
          null,
          2,
        ),
      );
    }
  } finally {
    if (server) await server.stop().catch(() => undefined);
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

/** The detector's evaluated-events counter on the server's /metrics (0 when it does not run). */
async function detectorEvaluated(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^audit_detection_events_evaluated_total (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}
