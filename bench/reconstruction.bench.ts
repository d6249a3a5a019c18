/**
 * Reconstructions per second: describe() + toKubectl() over a mix of the corpus and
 * kubectl-shaped events. Prints figures only.
 *
 *   npx ts-node bench/reconstruction.bench.ts [seconds]   (or npm run bench:reconstruction)
 *
 * Each event is a fresh object (JSON.parse copies made before the clock starts), as events
 * read from a database or a file are.
 */
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../src/domain/audit-event';
import { normalizeEvent } from '../src/domain/normalize-event';
import { readAuditFile } from '../src/import/audit-file-reader';
import { makeEvent } from '../src/reconstruction/core/testing/make-event';
import { describe, toKubectl } from '../src/reconstruction';

// From bench/ under ts-node, from dist/bench/ once built (`npm run bench:reconstruction`).
const CORPUS_CANDIDATES = [
  join(__dirname, '../test/fixtures/corpus'),
  join(__dirname, '../../test/fixtures/corpus'),
  join(process.cwd(), 'test/fixtures/corpus'),
];
const CORPUS = CORPUS_CANDIDATES.find((dir) => existsSync(dir));
const POOL = 20_000;

async function corpusEvents(): Promise<AuditEvent[]> {
  if (!CORPUS) throw new Error(`no corpus in ${CORPUS_CANDIDATES.join(', ')}`);
  const events: AuditEvent[] = [];
  for (const dir of readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(CORPUS, dir.name))) {
      for await (const item of readAuditFile(join(CORPUS, dir.name, file))) {
        const normalized = item.kind === 'event' ? normalizeEvent(item.raw) : undefined;
        if (normalized?.ok) events.push(normalized.event);
      }
    }
  }
  return events;
}

function kubectlEvents(): AuditEvent[] {
  const ns = '/api/v1/namespaces/shop';
  return [
    makeEvent(
      'get',
      `${ns}/pods/web-1/exec?command=sh&command=-c&command=env&container=app&stdin=true&stdout=true&tty=true`,
    ),
    makeEvent('get', `${ns}/pods/web-1/log?container=app&follow=true&tailLines=100`),
    makeEvent('list', `${ns}/pods?labelSelector=app%3Dweb&limit=500`),
    makeEvent('patch', '/apis/apps/v1/namespaces/shop/deployments/web/scale', {
      body: { spec: { replicas: 3 } },
    }),
    makeEvent('patch', `${ns}/pods/web-1?fieldManager=kubectl-label`, {
      body: { metadata: { labels: { a: 'b' } } },
    }),
    makeEvent(
      'patch',
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl&fieldValidation=Strict&force=false',
      {
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: { replicas: 2 },
        },
      },
    ),
    makeEvent('delete', `${ns}/secrets/db`, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    }),
  ];
}

function copies(mix: AuditEvent[], count: number): AuditEvent[] {
  const texts = mix.map((e) => JSON.stringify(e));
  return Array.from({ length: count }, (_, i) => JSON.parse(texts[i % texts.length]) as AuditEvent);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3);
  const mix = [...(await corpusEvents()), ...kubectlEvents()];
  let done = 0;
  let busy = 0;
  let cpu = 0;
  let sink = 0;
  copies(mix, 2_000).forEach((e) => (sink += toKubectl(e).command.length + describe(e).length));
  while (busy < seconds * 1000) {
    const pool = copies(mix, POOL);
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (const event of pool) {
      sink += describe(event, { cluster: 'bench' }).length;
      sink += toKubectl(event).command.length;
    }
    const used = process.cpuUsage(cpuStart);
    cpu += (used.user + used.system) / 1000;
    busy += performance.now() - start;
    done += pool.length;
  }
  const rate = Math.round(done / (busy / 1000));
  // CPU time leaves out the time other jobs on a shared machine held the core.
  const cpuRate = Math.round(done / (cpu / 1000));
  const baseline = stringifyRate(mix);
  console.log(`events in mix:          ${mix.length} (corpus + kubectl-shaped)`);
  console.log(`reconstructions:        ${done} in ${(busy / 1000).toFixed(2)} s of work`);
  console.log(
    `reconstructions/s:      ${rate.toLocaleString('en-US')} (describe + toKubectl, wall clock)`,
  );
  console.log(
    `per CPU-second:         ${cpuRate.toLocaleString('en-US')} (CPU time of the same loop, one core)`,
  );
  console.log(`mean per event:         ${((busy * 1000) / done).toFixed(1)} us`);
  console.log(
    `JSON.stringify/s:       ${baseline.toLocaleString('en-US')} of the same events, for scale`,
  );
  console.log(`load average (1 min):   ${loadavg()[0].toFixed(2)} on this machine while measuring`);
  console.log(`(output bytes checksum: ${sink})`);
}

/** A yardstick that moves with machine load: how fast the same events serialize. */
function stringifyRate(mix: AuditEvent[]): number {
  let bytes = 0;
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < 500) {
    for (const event of mix) bytes += JSON.stringify(event).length;
    count += mix.length;
  }
  return bytes > 0 ? Math.round(count / ((performance.now() - start) / 1000)) : 0;
}

void main();
