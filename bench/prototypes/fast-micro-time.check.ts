/**
 * parseMicroTimeFast must agree with src's parseMicroTime on every input: random valid and
 * broken timestamps, edge dates, then a speed comparison.
 *
 *   npx ts-node --transpile-only bench/prototypes/fast-micro-time.check.ts
 */
import { parseMicroTime } from '../../src/domain/micro-time';
import { prng } from '../lib/workload';
import { parseMicroTimeFast } from './fast-micro-time';

const rnd = prng(7);
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const samples: string[] = [
  '2024-02-29T23:59:59.999999Z',
  '2023-02-29T00:00:00.000000Z',
  '1900-02-29T00:00:00.000000Z',
  '2000-02-29T00:00:00.000000Z',
  '1969-12-31T23:59:59.999999Z',
  '2024-13-01T00:00:00.000000Z',
  '2024-04-31T00:00:00.000000Z',
  '2024-01-01T24:00:00.000000Z',
  '2024-01-01T00:60:00.000000Z',
  '2024-01-01T00:00:60.000000Z',
  '2024-01-01t00:00:00.000000Z',
  '2024-01-01T00:00:00.000000z',
  '2024-01-01T00:00:00.00000aZ',
  '2024-01-01T00:00:00Z',
  '2024-01-01T00:00:00.123+02:00',
];
for (let i = 0; i < 200_000; i++) {
  const y = 1960 + Math.floor(rnd() * 80);
  const parts = [
    y,
    1 + Math.floor(rnd() * 13),
    Math.floor(rnd() * 33),
    Math.floor(rnd() * 25),
    Math.floor(rnd() * 61),
  ];
  samples.push(
    `${pad(parts[0], 4)}-${pad(parts[1], 2)}-${pad(parts[2], 2)}T${pad(parts[3], 2)}:${pad(parts[4], 2)}:` +
      `${pad(Math.floor(rnd() * 61), 2)}.${pad(Math.floor(rnd() * 1e6), 6)}Z`,
  );
}
let mismatches = 0;
for (const s of samples) {
  if (JSON.stringify(parseMicroTime(s)) !== JSON.stringify(parseMicroTimeFast(s))) {
    if (mismatches++ < 5) process.stdout.write(`mismatch for ${s}\n`);
  }
}
process.stdout.write(`${samples.length} inputs, ${mismatches} mismatches\n`);
const valid = samples.filter((s) => parseMicroTime(s) !== undefined).slice(0, 50_000);
for (const [name, fn] of [
  ['src parseMicroTime', parseMicroTime],
  ['parseMicroTimeFast', parseMicroTimeFast],
] as const) {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (const s of valid) fn(s);
    best = Math.min(best, performance.now() - t0);
  }
  process.stdout.write(`${name}: ${((best * 1000) / valid.length).toFixed(2)} us per call\n`);
}
process.exitCode = mismatches === 0 ? 0 : 1;
