/**
 * Where the service's CPU goes per batch, stage by stage, on the same bodies the ingest
 * benchmark posts (no network, no database): JSON parse, normalize, stored JSON, content hash,
 * id, row build, and turning the rows into what goes on the wire (mysql2's client-side
 * formatting of the INSERT, as TypeORM's query() does it, vs. LOAD DATA's TSV, vs. compression).
 *
 *   npx ts-node --transpile-only bench/stages.bench.ts [--batches 40] [--rounds 5]
 */
import { format } from 'mysql2';
import { EVENT_COLUMNS, eventParams } from '../src/database/events-table';
import { parseMicroTime } from '../src/domain/micro-time';
import { normalizeEvent, NormalizeResult } from '../src/domain/normalize-event';
import { itemsOfBatch } from '../src/ingest/batch-body';
import {
  buildEventRecord,
  contentHash,
  eventId,
  storedEventJson,
} from '../src/ingest/event-record';
import { parseArgs } from './lib/args';
import { compressJson } from './lib/raw-insert';
import { fmt } from './lib/stats';
import { Workload } from './lib/workload';
import { parseMicroTimeFast } from './prototypes/fast-micro-time';
import { rowsToTsv } from './prototypes/tsv';

const options = parseArgs(process.argv.slice(2), { batches: 40, rounds: 5, batch: 400 });

type Stage = { name: string; run: () => void };

async function main(): Promise<void> {
  const workload = await Workload.create({ batch: options.batch });
  const bodies = Array.from({ length: options.batches }, () => workload.nextBody());
  const bytes = bodies.reduce((s, b) => s + b.length, 0);
  let parsed: unknown[][] = [];
  let normalized: NormalizeResult[][] = [];
  let jsons: string[][] = [];
  let rows: unknown[][][] = [];
  const insertSql =
    `INSERT IGNORE INTO audit_events (${EVENT_COLUMNS.join(', ')}) VALUES ` +
    new Array<string>(options.batch).fill(`(${EVENT_COLUMNS.map(() => '?').join(',')})`).join(',');
  const stages: Stage[] = [
    {
      name: 'JSON.parse body',
      run: () => (parsed = bodies.map((b) => itemsOfBatch(JSON.parse(b)))),
    },
    {
      name: 'normalizeEvent',
      run: () => (normalized = parsed.map((items) => items.map((raw) => normalizeEvent(raw)))),
    },
    {
      name: 'storedEventJson (stringify)',
      run: () =>
        (jsons = parsed.map((items) =>
          items.map((raw) => storedEventJson(raw as Record<string, unknown>)),
        )),
    },
    {
      name: 'contentHash (sha256)',
      run: () => jsons.forEach((js) => js.forEach((j) => contentHash(j))),
    },
    {
      name: 'eventId (uuidv7)',
      run: () => jsons.forEach((js) => js.forEach(() => eventId(Date.now()))),
    },
    {
      name: 'buildEventRecord + eventParams (all of it)',
      run: () =>
        (rows = normalized.map((ns, b) =>
          ns.map((n, i) => {
            if (!n.ok) throw new Error(n.reason);
            return eventParams(
              buildEventRecord('bench', n.event, jsons[b][i], Date.parse(n.event.stageTimestamp)),
            );
          }),
        )),
    },
    {
      name: 'mysql2 format INSERT (as query())',
      run: () => rows.forEach((r) => format(insertSql, r.flat() as Parameters<typeof format>[1])),
    },
    {
      name: 'parseMicroTime x2 (src, part of normalizeEvent)',
      run: () =>
        parsed.forEach((items) =>
          items.forEach((raw) => {
            const r = raw as Record<string, unknown>;
            parseMicroTime(r.requestReceivedTimestamp);
            parseMicroTime(r.stageTimestamp);
          }),
        ),
    },
    {
      name: 'parseMicroTimeFast x2 (prototype)',
      run: () =>
        parsed.forEach((items) =>
          items.forEach((raw) => {
            const r = raw as Record<string, unknown>;
            parseMicroTimeFast(r.requestReceivedTimestamp);
            parseMicroTimeFast(r.stageTimestamp);
          }),
        ),
    },
    { name: 'TSV for LOAD DATA', run: () => rows.forEach((r) => rowsToTsv(r)) },
    {
      name: 'deflate level 1 of event JSON',
      run: () => jsons.forEach((js) => js.forEach((j) => compressJson(j, 'deflate'))),
    },
    {
      name: 'brotli q1 of event JSON',
      run: () => jsons.forEach((js) => js.forEach((j) => compressJson(j, 'brotli'))),
    },
  ];
  const best = new Map<string, number>();
  for (let round = 0; round < options.rounds; round++) {
    for (const stage of stages) {
      const t0 = performance.now();
      stage.run();
      const ms = performance.now() - t0;
      best.set(stage.name, Math.min(best.get(stage.name) ?? Infinity, ms));
    }
  }
  let jsonBytes = 0;
  let deflated = 0;
  let brotli = 0;
  for (const js of jsons.slice(0, 5)) {
    for (const j of js) {
      jsonBytes += Buffer.byteLength(j);
      deflated += compressJson(j, 'deflate').length;
      brotli += compressJson(j, 'brotli').length;
    }
  }
  process.stdout.write(
    `# per-stage CPU, best of ${options.rounds} rounds, ${options.batches} batches of ${options.batch} events ` +
      `(avg body ${fmt(bytes / bodies.length / 1024)} KiB)\n`,
  );
  process.stdout.write(`| stage | ms per batch | us per event |\n|---|---:|---:|\n`);
  for (const stage of stages) {
    const perBatch = best.get(stage.name)! / options.batches;
    process.stdout.write(
      `| ${stage.name} | ${fmt(perBatch, 2)} | ${fmt((perBatch * 1000) / options.batch, 1)} |\n`,
    );
  }
  process.stdout.write(
    `\nevent JSON: deflate-1 to ${fmt((deflated / jsonBytes) * 100)}%, brotli-1 to ${fmt((brotli / jsonBytes) * 100)}% of its size\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
