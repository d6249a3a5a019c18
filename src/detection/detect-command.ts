/**
 * `npm run detect -- --since 7d [--until ...] [--rule NAME] [--cluster X] [--dry-run] [--forward]`:
 * runs the configured rules over stored history, in id (event time) order, with the same storage,
 * grouping and windows as the detector. Every write is idempotent, so running it again (or over
 * a range the detector already covered) stores nothing new.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { AppConfig } from '../config/app-config';
import { CLUSTER_NAME } from '../config/app-config';
import { DetectionPipeline, idTimeMs } from './detection-pipeline';
import type { DetectionStore } from './detection-store.repository';
import type { FalcosidekickForwarder } from './falcosidekick-forwarder';
import { loadConfiguredRules, RulesConfigurationError } from './rules-loader';

export const USAGE = `Usage: npm run detect -- --since WHEN [--until WHEN] [--rule NAME]... [--cluster NAME] [--dry-run] [--forward]

Runs the detection rules (rules/ unless RULES_DEFAULT=false, then RULES_FILES) over stored audit
events, oldest first, and stores the detections as the running service does (grouping, windows
and first-seen included). Running it again stores nothing twice. Uses the database configured in
the environment (DB_HOST..., or DB_PATH for SQLite), like the server.

Options:
  --since WHEN      start: a duration back from now (7d, 12h, 30m) or a date (2025-01-31, or an
                    RFC 3339 time such as 2025-01-31T12:00:00Z)
  --until WHEN      end (exclusive), same forms; default now
  --rule NAME       only this rule (repeatable)
  --cluster NAME    only this cluster's events
  --dry-run         evaluate and count matches, store nothing (windows and first-seen are not
                    applied: matches are counted as they are)
  --forward         also send new alerts to FALCOSIDEKICK_URL (off by default)
  -h, --help        show this help

Exit status: 0 done, 1 the database or the rules failed, 2 bad arguments.`;

export interface DetectArgs {
  sinceMs: number;
  untilMs: number;
  rules: string[];
  cluster?: string;
  dryRun: boolean;
  forward: boolean;
}

type ParseOutcome =
  { kind: 'ok'; args: DetectArgs } | { kind: 'help' } | { kind: 'error'; problem: string };

const DURATION = /^(\d+)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

function parseWhen(option: string, text: string, nowMs: number): number | string {
  const duration = DURATION.exec(text);
  if (duration) return nowMs - Number(duration[1]) * UNIT_MS[duration[2]];
  if (DATE_ONLY.test(text) || DATE_TIME.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  return `${option} ${JSON.stringify(text)} is neither a duration (7d, 12h, 30m) nor a date (2025-01-31, 2025-01-31T12:00:00Z)`;
}

export function parseDetectArgs(argv: string[], nowMs = Date.now()): ParseOutcome {
  let values: {
    since?: string;
    until?: string;
    rule?: string[];
    cluster?: string;
    'dry-run'?: boolean;
    forward?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        rule: { type: 'string', multiple: true },
        cluster: { type: 'string' },
        'dry-run': { type: 'boolean' },
        forward: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: 'error', problem: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  if (values.since === undefined) return { kind: 'error', problem: '--since WHEN is required' };
  const sinceMs = parseWhen('--since', values.since, nowMs);
  if (typeof sinceMs === 'string') return { kind: 'error', problem: sinceMs };
  const untilMs = values.until === undefined ? nowMs : parseWhen('--until', values.until, nowMs);
  if (typeof untilMs === 'string') return { kind: 'error', problem: untilMs };
  if (untilMs <= sinceMs) {
    return { kind: 'error', problem: '--until must be after --since' };
  }
  if (values.cluster !== undefined && !CLUSTER_NAME.test(values.cluster)) {
    return {
      kind: 'error',
      problem: `--cluster ${JSON.stringify(values.cluster)} is not a cluster name (a-z, 0-9 and -, at most 63)`,
    };
  }
  if (values['dry-run'] && values.forward) {
    return {
      kind: 'error',
      problem: '--dry-run stores nothing, so it forwards nothing: drop --forward',
    };
  }
  return {
    kind: 'ok',
    args: {
      sinceMs,
      untilMs,
      rules: values.rule ?? [],
      cluster: values.cluster,
      dryRun: values['dry-run'] ?? false,
      forward: values.forward ?? false,
    },
  };
}

export interface DetectIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Between progress lines; default 2000 ms. */
  progressIntervalMs?: number;
  /** The server's variables (DB_HOST, DB_PATH, RULES_*...); default: the process environment. */
  env?: NodeJS.ProcessEnv;
}

export interface RuleCounts {
  matched: number;
  stored: number;
  alerts: number;
}

export interface BackfillResult {
  events: number;
  perRule: Map<string, RuleCounts>;
}

/** Events read per statement. */
export const BACKFILL_CHUNK = 500;

/** The backfill itself, on an open store (the tests call it directly too). */
export async function backfill(
  store: DetectionStore,
  config: AppConfig,
  args: DetectArgs,
  forwarder: FalcosidekickForwarder | undefined,
  onProgress?: (events: number, reachedMs: number) => void,
): Promise<BackfillResult> {
  const { ruleset } = loadConfiguredRules(config.detection);
  const unknown = args.rules.filter((name) => !ruleset.rules.some((r) => r.name === name));
  if (unknown.length > 0) {
    throw new RulesConfigurationError(
      `no loaded rule is named ${unknown.map((n) => JSON.stringify(n)).join(', ')} (rules: ${ruleset.rules.map((r) => r.name).join(', ')})`,
    );
  }
  const wanted = new Set(args.rules);
  const perRule = new Map<string, RuleCounts>();
  const counts = (name: string): RuleCounts => {
    let c = perRule.get(name);
    if (!c) perRule.set(name, (c = { matched: 0, stored: 0, alerts: 0 }));
    return c;
  };
  const pipeline = new DetectionPipeline(
    store,
    ruleset,
    {
      matched: (rule) => counts(rule.name).matched++,
      stored: (rule, alert) => {
        const c = counts(rule.name);
        c.stored++;
        if (alert) c.alerts++;
      },
      alert: forwarder ? (payload) => forwarder.enqueue(payload) : undefined,
    },
    {
      hostname: hostname(),
      dryRun: args.dryRun,
      ruleFilter: wanted.size > 0 ? (rule) => wanted.has(rule.name) : undefined,
    },
  );
  const scope = {
    fromId: idAtMs(args.sinceMs),
    toId: idAtMs(args.untilMs),
    cluster: args.cluster,
  };
  let events = 0;
  let after: Buffer | undefined;
  for (;;) {
    const rows = await store.readHistory(scope, after, BACKFILL_CHUNK);
    if (rows.length === 0) break;
    events += await pipeline.process(rows);
    after = rows[rows.length - 1].id;
    onProgress?.(events, idTimeMs(after));
    if (rows.length < BACKFILL_CHUNK) break;
  }
  await forwarder?.flush();
  return { events, perRule };
}

function idAtMs(epochMs: number): Buffer {
  const id = Buffer.alloc(16);
  id.writeUIntBE(Math.min(Math.max(0, Math.floor(epochMs)), 2 ** 48 - 1), 0, 6);
  return id;
}

/** Boots the modules without HTTP (so without the running detector) and runs the backfill. */
async function backfillWithApp(
  args: DetectArgs,
  env: NodeJS.ProcessEnv,
  onProgress: (events: number, reachedMs: number) => void,
): Promise<BackfillResult> {
  const [{ NestFactory }, { AppModule }, { loadConfig }, store, forwarding] = await Promise.all([
    import('@nestjs/core'),
    import('../app.module'),
    import('../config/environment'),
    import('./detection-store.repository'),
    import('./falcosidekick-forwarder'),
  ]);
  const loaded = loadConfig(env);
  // The backfill runs the rules even where the service has DETECTIONS=false.
  const config: AppConfig = {
    ...loaded,
    retentionDays: 0,
    detection: { ...loaded.detection, enabled: true },
  };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    const forwarder = app.get(forwarding.FalcosidekickForwarder);
    if (!args.forward) forwarder.disable();
    else if (!forwarder.enabled)
      throw new RulesConfigurationError('--forward needs FALCOSIDEKICK_URL');
    return await backfill(
      app.get<DetectionStore>(store.DETECTION_STORE),
      config,
      args,
      args.forward ? forwarder : undefined,
      onProgress,
    );
  } finally {
    await app.close();
  }
}

export async function runDetect(argv: string[], io: DetectIo): Promise<number> {
  const parsed = parseDetectArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`detect: ${parsed.problem}\n\n${USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  const range = `${new Date(args.sinceMs).toISOString()} to ${new Date(args.untilMs).toISOString()}${args.cluster ? ` in cluster ${args.cluster}` : ''}`;
  io.stderr.write(
    `detect: evaluating events stamped ${range}${args.dryRun ? ' (--dry-run)' : ''}\n`,
  );
  const interval = io.progressIntervalMs ?? 2000;
  let lastProgress = Date.now();
  let result: BackfillResult;
  try {
    result = await backfillWithApp(args, io.env ?? process.env, (events, reachedMs) => {
      if (Date.now() - lastProgress < interval) return;
      lastProgress = Date.now();
      io.stderr.write(
        `detect: ${events} events evaluated, up to ${new Date(reachedMs).toISOString()}\n`,
      );
    });
  } catch (error) {
    if (error instanceof RulesConfigurationError) {
      io.stderr.write(`detect: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const names = [...result.perRule.keys()].sort();
  io.stdout.write(`${result.events} events evaluated (${range}).\n`);
  if (names.length === 0) io.stdout.write('No rule matched.\n');
  for (const name of names) {
    const c = result.perRule.get(name)!;
    io.stdout.write(
      args.dryRun
        ? `${name}: ${c.matched} matched\n`
        : `${name}: ${c.matched} matched, ${c.stored} new detections, ${c.alerts} new alerts\n`,
    );
  }
  if (args.dryRun) io.stdout.write('--dry-run: nothing stored.\n');
  return 0;
}
