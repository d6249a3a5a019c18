/**
 * Detection benchmark: how many stored events per second the default ruleset (rules/*.yaml)
 * evaluates on one core, over the real-cluster corpus (test/fixtures/corpus), as the detector
 * does it: JSON.parse of the stored JSON, then Ruleset.evaluate; for each match also the
 * output and the explained fields (what a stored detection carries).
 *
 *   npm run bench:detection -- [--seconds 10] [--rules-files a.yaml,b.yaml] [--no-default]
 *
 * The detector's storage cost (detections, signals) depends on how many events match, which
 * the printed match rate shows; the end-to-end cost beside ingest is measured by running
 * bench/ingest.bench.ts with DETECTIONS=true and DETECTIONS=false (docs/benchmarks.md).
 */
import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfiguredRules } from '../src/detection/rules-loader';
import { readAuditFile } from '../src/import/audit-file-reader';
import { normalizeEvent } from '../src/domain/normalize-event';
import { storedEventJson } from '../src/ingest/event-record';
import { parseArgs, repoRoot } from './lib/args';

const options = parseArgs(process.argv.slice(2), {
  seconds: 10,
  rulesFiles: '',
  noDefault: false,
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

async function main(): Promise<void> {
  const started = performance.now();
  const { ruleset, files } = loadConfiguredRules({
    defaultRules: !options.noDefault,
    rulesFiles: options.rulesFiles.split(',').filter(Boolean),
  });
  const loadMs = performance.now() - started;
  const events = await corpusJson();
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

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
