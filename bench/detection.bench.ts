/**
 * Detection benchmark: how many stored events per second the default ruleset (rules/*.yaml)
 * evaluates on one core, over the real-cluster corpus (test/fixtures/corpus), as the detector
 * does it: JSON.parse of the stored JSON, then Ruleset.evaluate; for each match also the
 * output and the explained fields (what a stored detection carries).
 *
 *   npm run bench:detection -- [--seconds 10] [--rules-files a.yaml,b.yaml] [--no-default]
 *                             [--store sqlite|mariadb --events 20000]
 *
 * With --store, also the detector's whole path on a real database: `--events` corpus events
 * (each with an auditID of its own) are stored through IngestService, then the pipeline reads
 * them in chunks, evaluates and stores detections and signals (the backfill's code, which is
 * the detector's pass without the store-order bookkeeping): the catch-up rate after a backlog.
 *
 * The detector's storage cost (detections, signals) depends on how many events match, which
 * the printed match rate shows; the end-to-end cost beside ingest is measured by running
 * bench/ingest.bench.ts with DETECTIONS=true and DETECTIONS=false (docs/benchmarks.md).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfiguredRules } from '../src/detection/rules-loader';
import { readAuditFile } from '../src/import/audit-file-reader';
import { normalizeEvent } from '../src/domain/normalize-event';
import { storedEventJson } from '../src/ingest/event-record';
import { parseArgs, repoRoot } from './lib/args';
import { benchDatabaseName, dropDatabase, MARIADB } from './lib/mariadb';

const options = parseArgs(process.argv.slice(2), {
  seconds: 10,
  rulesFiles: '',
  noDefault: false,
  store: '',
  events: 20000,
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return name.endsWith('.json') || name.endsWith('.log') ? [path] : [];
  });
}

/** The corpus events as the database stores them (storedEventJson of each storable event). */
async function corpusJson(): Promise<string[]> {
  const out: string[] = [];
  for (const path of filesUnder(join(repoRoot(), 'test', 'fixtures', 'corpus')).sort()) {
    for await (const item of readAuditFile(path)) {
      if (item.kind !== 'event' || typeof item.raw !== 'object' || item.raw === null) continue;
      const raw = item.raw as Record<string, unknown>;
      if (normalizeEvent(raw).ok) out.push(storedEventJson(raw));
    }
  }
  return out;
}

let corpusCache: string[] = [];

async function main(): Promise<void> {
  const started = performance.now();
  const { ruleset, files } = loadConfiguredRules({
    defaultRules: !options.noDefault,
    rulesFiles: options.rulesFiles.split(',').filter(Boolean),
  });
  const loadMs = performance.now() - started;
  const events = await corpusJson();
  corpusCache = events;
  const bytes = events.reduce((sum, e) => sum + e.length, 0);
  process.stdout.write(
    `# detection benchmark ${new Date().toISOString()}\n` +
      `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})\n` +
      `ruleset: ${ruleset.rules.length} rules from ${files.length} files, loaded in ${loadMs.toFixed(0)} ms\n` +
      `corpus: ${events.length} events, avg ${Math.round(bytes / events.length)} B\n`,
  );

  const cluster = 'bench';
  // Warm-up: one pass.
  for (const json of events) ruleset.evaluate({ event: JSON.parse(json) as never, cluster });

  const run = (withOutput: boolean) => {
    let evaluated = 0;
    let matches = 0;
    const perRule = new Map<string, number>();
    const until = performance.now() + (options.seconds * 1000) / 2;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while (performance.now() < until) {
      for (const json of events) {
        const input = { event: JSON.parse(json) as Record<string, unknown>, cluster };
        const matched = ruleset.evaluate(input);
        evaluated++;
        for (const rule of matched) {
          matches++;
          perRule.set(rule.name, (perRule.get(rule.name) ?? 0) + 1);
          if (withOutput) {
            rule.output(input);
            rule.explain(input);
          }
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      evaluated,
      matches,
      perRule,
      perSecond: evaluated / seconds,
      cpuUsPerEvent: (cpu.user + cpu.system) / evaluated,
    };
  };

  const plain = run(false);
  const full = run(true);
  const perPass = full.evaluated / events.length;
  process.stdout.write(
    `evaluate (JSON.parse + rules): ${Math.round(plain.perSecond)} events/s, ${plain.cpuUsPerEvent.toFixed(1)} us CPU/event\n` +
      `evaluate + output + explain of matches: ${Math.round(full.perSecond)} events/s, ${full.cpuUsPerEvent.toFixed(1)} us CPU/event\n` +
      `matches: ${(full.matches / perPass).toFixed(0)} per corpus pass (${((full.matches / full.evaluated) * 100).toFixed(2)}% of events)\n`,
  );
  const top = [...full.perRule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  for (const [rule, n] of top) process.stdout.write(`  ${(n / perPass).toFixed(0)}\t${rule}\n`);
}

/** Stores `count` corpus events, then times the backfill over them (read, evaluate, store). */
async function storePath(events: string[]): Promise<void> {
  if (options.store !== 'sqlite' && options.store !== 'mariadb') {
    throw new Error('--store must be sqlite or mariadb');
  }
  const [{ NestFactory }, { AppModule }, { parseEnvironment }, { IngestService }, detect, store] =
    await Promise.all([
      import('@nestjs/core'),
      import('../src/app.module'),
      import('../src/config/environment'),
      import('../src/ingest/ingest.service'),
      import('../src/detection/detect-command'),
      import('../src/detection/detection-store.repository'),
    ]);
  const dir = mkdtempSync(join(tmpdir(), 'detect-bench-'));
  const name = benchDatabaseName();
  const dbEnv: Record<string, string> =
    options.store === 'sqlite'
      ? { DB_PATH: join(dir, 'audit.db') }
      : {
          DB_HOST: MARIADB.host,
          DB_PORT: String(MARIADB.port),
          DB_USER: MARIADB.user,
          DB_PASSWORD: MARIADB.password,
          DB_NAME: name,
        };
  const config = parseEnvironment({
    HTTP_PORT: '1',
    RETENTION_DAYS: '0',
    ...dbEnv,
    ...(options.noDefault ? { RULES_DEFAULT: 'false' } : {}),
    ...(options.rulesFiles ? { RULES_FILES: options.rulesFiles } : {}),
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    const ingest = app.get(IngestService);
    const parsed = events.map((e) => JSON.parse(e) as Record<string, unknown>);
    const t0 = performance.now();
    for (let i = 0; i < options.events; i += 400) {
      const items = Array.from({ length: Math.min(400, options.events - i) }, (_, j) => ({
        ...parsed[(i + j) % parsed.length],
        auditID: `bench-${i + j}`,
      }));
      await ingest.ingestBatch('bench', items);
    }
    const ingestS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await detect.backfill(
      app.get(store.DETECTION_STORE),
      config,
      { sinceMs: 0, untilMs: Date.now() + 86_400_000, rules: [], dryRun: false, forward: false },
      undefined,
    );
    const seconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    let stored = 0;
    let alerts = 0;
    for (const c of result.perRule.values()) {
      stored += c.stored;
      alerts += c.alerts;
    }
    process.stdout.write(
      `store ${options.store}: ${options.events} events stored in ${ingestS.toFixed(1)} s; ` +
        `detector path (read + evaluate + store) ${Math.round(result.events / seconds)} events/s, ` +
        `${((cpu.user + cpu.system) / result.events).toFixed(0)} us Node CPU/event; ` +
        `${stored} detections (${alerts} alerts) stored\n`,
    );
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    if (options.store === 'mariadb') await dropDatabase(name);
  }
}

main()
  .then(() => (options.store ? storePath(corpusCache) : undefined))
  .catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
