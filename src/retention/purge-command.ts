/**
 * `npm run purge -- --before DATE [--cluster NAME] [--dry-run]`: what the retention job does,
 * by hand, with an explicit cutoff. It uses the database configured in the environment (the
 * same variables as the server) and the same RetentionService, lock included.
 */
import { parseArgs } from 'node:util';
import { CLUSTER_NAME } from '../config/app-config';
import { TABLE_ROWS, type PurgeOptions, type PurgeOutcome } from './retention.service';

export const USAGE = `Usage: npm run purge -- --before DATE [--cluster NAME] [--dry-run]

Deletes stored audit events (and quarantined items) stamped before DATE, oldest first, in
small chunks, as the RETENTION_DAYS job does. Uses the database configured in the environment
(DB_HOST..., or DB_PATH for SQLite), like the server.

Options:
  --before DATE     cutoff, not in the future: 2025-01-31 (midnight UTC) or an RFC 3339 time
                    (2025-01-31T12:00:00Z); events at or after it are kept
  --cluster NAME    only this cluster's events
  --dry-run         count what would be deleted, delete nothing
  -h, --help        show this help

Exit status: 0 done, 1 the database failed or another purge (a replica's retention job) holds
the lock, 2 bad arguments.`;

export interface PurgeArgs {
  beforeMs: number;
  cluster?: string;
  dryRun: boolean;
}

type ParseOutcome =
  { kind: 'ok'; args: PurgeArgs } | { kind: 'help' } | { kind: 'error'; problem: string };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export function parsePurgeArgs(argv: string[], nowMs = Date.now()): ParseOutcome {
  let values: { before?: string; cluster?: string; 'dry-run'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        before: { type: 'string' },
        cluster: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: 'error', problem: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const before = values.before;
  if (before === undefined) return { kind: 'error', problem: '--before DATE is required' };
  const beforeMs =
    DATE_ONLY.test(before) || DATE_TIME.test(before) ? Date.parse(before) : Number.NaN;
  if (Number.isNaN(beforeMs)) {
    return {
      kind: 'error',
      problem: `--before ${JSON.stringify(before)} is not a date: use 2025-01-31 or 2025-01-31T12:00:00Z`,
    };
  }
  if (beforeMs > nowMs) {
    return {
      kind: 'error',
      problem: `--before ${before} is in the future; to delete everything up to now, give the current time`,
    };
  }
  if (values.cluster !== undefined && !CLUSTER_NAME.test(values.cluster)) {
    return {
      kind: 'error',
      problem: `--cluster ${JSON.stringify(values.cluster)} is not a cluster name (a-z, 0-9 and -, at most 63)`,
    };
  }
  return {
    kind: 'ok',
    args: { beforeMs, cluster: values.cluster, dryRun: values['dry-run'] ?? false },
  };
}

export interface PurgeIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Between progress lines; default 2000 ms. */
  progressIntervalMs?: number;
  /** The server's variables (DB_HOST, DB_PATH, ...); default: the process environment and .env. */
  env?: NodeJS.ProcessEnv;
}

/** Boots the modules without HTTP and without the background job (RETENTION_DAYS=0 here). */
async function purgeWithApp(
  options: PurgeOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PurgeOutcome> {
  const [{ NestFactory }, { AppModule }, { RetentionService }, { loadConfig }] = await Promise.all([
    import('@nestjs/core'),
    import('../app.module'),
    import('./retention.service'),
    import('../config/environment'),
  ]);
  const config = { ...loadConfig(env), retentionDays: 0 };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    return await app.get(RetentionService).purge(options);
  } finally {
    await app.close();
  }
}

export async function runPurge(argv: string[], io: PurgeIo): Promise<number> {
  const parsed = parsePurgeArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`purge: ${parsed.problem}\n\n${USAGE}\n`);
    return 2;
  }
  const { args } = parsed;
  const scope = `stamped before ${new Date(args.beforeMs).toISOString()}${args.cluster ? ` in cluster ${args.cluster}` : ''}`;
  const interval = io.progressIntervalMs ?? 2000;
  let lastProgress = 0;
  const outcome = await purgeWithApp(
    {
      ...args,
      onProgress: ({ table, deleted, reachedMs }) => {
        if (Date.now() - lastProgress < interval) return;
        lastProgress = Date.now();
        const reached =
          reachedMs === undefined ? '' : `, up to ${new Date(reachedMs).toISOString()}`;
        io.stderr.write(`purge: ${deleted} ${TABLE_ROWS[table]} deleted${reached}\n`);
      },
    },
    io.env,
  );
  if (!outcome.ran) {
    io.stderr.write(
      `purge: ${outcome.reason} (a replica's RETENTION_DAYS job, or another npm run purge) on this database; nothing was deleted. Try again when it has finished.\n`,
    );
    return 1;
  }
  const { events, quarantine, dryRun } = outcome.result;
  io.stdout.write(
    dryRun
      ? `Would delete ${events} events and ${quarantine} quarantined items ${scope} (--dry-run: nothing deleted).\n`
      : `Deleted ${events} events and ${quarantine} quarantined items ${scope}.\n`,
  );
  return 0;
}
