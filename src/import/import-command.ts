/**
 * `npm run import -- FILE... --cluster NAME [--url URL [--token T]] [--batch 400]`
 *
 * Reads audit files users already have (see audit-file-reader.ts) and stores their events, either
 * through the webhook of a running server (--url) or straight into the database through
 * IngestService (no --url: the configuration comes from the same environment as the server's).
 * Re-running an import is safe: the server stores nothing twice.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLUSTER_NAME } from '../config/app-config';
import { normalizeEvent } from '../domain/normalize-event';
import { readAuditFile } from './audit-file-reader';
import { Progress } from './progress';
import { DirectSink, HttpSink, IngestPort, SendResult, Sink, SinkError } from './sinks';

export const DEFAULT_BATCH = 400;
export const MAX_BATCH = 5000;
/** A batch is sent early once its events serialize to this many bytes (URL mode). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Unreadable lines listed in the summary; the rest are counted. */
export const MAX_LISTED_ERRORS = 20;

export const USAGE = `Usage: npm run import -- FILE... --cluster NAME [options]

Imports Kubernetes audit events (audit.k8s.io/v1 or v1beta1) from files (a FILE that is a
directory means every file under it): kube-apiserver log-backend JSON lines (also .gz), single Event / EventList JSON
documents, JSON arrays, and the managed clusters' exports, each recognised by its content:
GKE Cloud Logging entries (JSON lines or gcloud logging read --format=json), EKS CloudWatch Logs
(filter-log-events / get-log-events JSON, S3 export lines, .gz), AKS diagnostics
({"records":[...]} or storage-account PT1H.json blobs). docs/managed-clusters.md has the details.
A summary line per file gives its format, events and invalid events.
Re-importing the same file stores nothing twice.

Options:
  --cluster NAME      cluster the events belong to (required; lowercase letters, digits and '-',
                      at most 63 characters, starting and ending with a letter or digit)
  --url URL           send to a running server's webhook (URL/webhook/audit/NAME) instead of
                      writing to the database configured in the environment (direct mode)
  --token T           bearer token for --url (or --token-file PATH, which keeps it out of ps)
  --token-file PATH   read the bearer token from a file
  --batch N           events per batch (default ${DEFAULT_BATCH}, at most ${MAX_BATCH})
  --dry-run           only read the files and report what would be imported
  -h, --help          show this help

For an https server with a private CA, set NODE_EXTRA_CA_CERTS=/path/to/ca.pem.
Exit status: 0 on success (unreadable lines are listed but do not fail the import),
1 if no event could be read or the server/database refused the import, 2 on bad arguments.`;

export interface ImportIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Defaults to global fetch. */
  fetch?: typeof fetch;
  /** Backoff waits; tests pass a fast one. */
  sleep?(ms: number): Promise<void>;
  now?(): number;
  /** Between progress lines when stderr is not a TTY; default 5000 ms. */
  progressIntervalMs?: number;
  /** Direct mode; defaults to booting AppModule and using its IngestService. */
  openDirectSink?(cluster: string): Promise<Sink>;
}

export interface ImportArgs {
  files: string[];
  cluster: string;
  url?: string;
  token?: string;
  batch: number;
  dryRun: boolean;
}

type ParseOutcome =
  { kind: 'ok'; args: ImportArgs } | { kind: 'help' } | { kind: 'error'; problem: string };

export async function parseImportArgs(argv: string[]): Promise<ParseOutcome> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        cluster: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        batch: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return { kind: 'error', problem: (e as Error).message };
  }
  if (values.help) return { kind: 'help' };

  const cluster = values.cluster;
  if (typeof cluster !== 'string' || cluster === '') {
    return { kind: 'error', problem: 'missing --cluster NAME' };
  }
  if (!CLUSTER_NAME.test(cluster)) {
    return {
      kind: 'error',
      problem:
        `invalid --cluster "${cluster}": use 1-63 lowercase letters, digits and '-', ` +
        'starting and ending with a letter or digit',
    };
  }
  if (positionals.length === 0) return { kind: 'error', problem: 'no FILE given' };

  let batch = DEFAULT_BATCH;
  if (values.batch !== undefined) {
    const raw = String(values.batch);
    batch = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) {
      return {
        kind: 'error',
        problem: `invalid --batch "${raw}": use a whole number from 1 to ${MAX_BATCH}`,
      };
    }
  }

  let url: string | undefined;
  if (values.url !== undefined) {
    const raw = String(values.url);
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return { kind: 'error', problem: `invalid --url "${raw}": not a URL` };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return { kind: 'error', problem: `invalid --url "${raw}": use http:// or https://` };
    }
    if (parsed.search || parsed.hash) {
      return {
        kind: 'error',
        problem: `invalid --url "${raw}": give the server base URL without ?query or #fragment`,
      };
    }
    url = raw;
  }

  if (values.token !== undefined && values['token-file'] !== undefined) {
    return { kind: 'error', problem: 'use either --token or --token-file, not both' };
  }
  let token: string | undefined;
  if (values.token !== undefined) token = String(values.token).trim();
  if (values['token-file'] !== undefined) {
    const file = String(values['token-file']);
    try {
      token = (await fsp.readFile(file, 'utf8')).trim();
    } catch (e) {
      return {
        kind: 'error',
        problem: `cannot read --token-file ${file}: ${(e as Error).message}`,
      };
    }
  }
  if (token !== undefined) {
    if (url === undefined) return { kind: 'error', problem: '--token/--token-file need --url' };
    if (token === '' || /[\s]/.test(token)) {
      return { kind: 'error', problem: 'the bearer token is empty or contains whitespace' };
    }
  }

  return {
    kind: 'ok',
    args: { files: positionals, cluster, url, token, batch, dryRun: values['dry-run'] === true },
  };
}

/**
 * Boots the application context in this process (no HTTP server) with the same configuration
 * as the server (environment, then `.env`), and hands its IngestService to a sink.
 */
export async function openAppDirectSink(
  cluster: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Sink> {
  // Loaded lazily so that URL mode and --dry-run never touch the database configuration.
  const [{ NestFactory }, { AppModule }, { IngestService }, { loadConfig }] = await Promise.all([
    import('@nestjs/core'),
    import('../app.module'),
    import('../ingest/ingest.service'),
    import('../config/environment'),
  ]);
  // The server's retention job belongs to the server, not to an import process.
  const config = { ...loadConfig(env), retentionDays: 0 };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    const ingest: IngestPort = app.get(IngestService);
    return new DirectSink(cluster, ingest, () => app.close());
  } catch (e) {
    await app.close();
    throw e;
  }
}

/** What one file gave (the per-file lines of the summary). */
interface FileReport {
  file: string;
  formats: Record<string, number>;
  events: number;
  /** Events that normalizeEvent refuses: the server quarantines them. */
  invalid: number;
  unreadable: number;
  skipped: number;
}

/** Files, and every regular file under the directories (recursively, sorted by name). */
async function expandPaths(
  paths: readonly string[],
): Promise<{ files: string[]; problems: string[] }> {
  const files: string[] = [];
  const problems: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  for (const f of paths) {
    try {
      const st = await fsp.stat(f);
      if (st.isDirectory()) {
        const before = files.length;
        await walk(f);
        if (files.length === before) problems.push(`${f}: directory holds no files`);
      } else if (st.isFile()) {
        files.push(f);
      } else {
        problems.push(`${f}: not a regular file`);
      }
    } catch (e) {
      problems.push(
        `${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
  }
  return { files, problems };
}

function describeFile(r: FileReport): string {
  if (r.events === 0) {
    const why =
      r.skipped > 0
        ? `${plural(r.skipped, 'record')} of other logs skipped, no audit events`
        : r.unreadable > 0
          ? `${plural(r.unreadable, 'unreadable line')}`
          : 'empty';
    return `${r.file}: not recognised as an audit log (${why})`;
  }
  const formats = Object.keys(r.formats).sort().join(' + ');
  const parts = [`${r.file}: ${formats}, ${plural(r.events, 'event')}`];
  parts.push(`${r.invalid} invalid (quarantined by the server)`);
  if (r.skipped > 0) parts.push(`${r.skipped} skipped`);
  if (r.unreadable > 0) parts.push(`${r.unreadable} unreadable`);
  return parts.join(', ');
}

interface Totals extends SendResult {
  files: number;
  eventsRead: number;
  skippedRecords: number;
  skippedCategories: Record<string, number>;
  unreadable: number;
  listed: string[];
  perFile: FileReport[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(t: Totals, args: ImportArgs, target: string, secs: number): string {
  const out: string[] = [];
  const rate = secs > 0 ? Math.round(t.eventsRead / secs) : t.eventsRead;
  out.push(
    `Import summary for cluster "${args.cluster}" -> ${args.dryRun ? 'nowhere (--dry-run)' : target}`,
  );
  out.push(`  files:            ${t.files}`);
  out.push(`  events read:      ${t.eventsRead}`);
  if (!args.dryRun) {
    out.push(`  accepted:         ${t.accepted}`);
    out.push(`  duplicates:       ${t.duplicates} (already stored)`);
    out.push(`  rejected:         ${t.rejected} (invalid events, quarantined server-side)`);
    if (t.unconfirmed > 0) {
      out.push(`  sent, no counts:  ${t.unconfirmed} (the server answered 2xx without counts)`);
    }
  }
  if (t.skippedRecords > 0) {
    const cats = Object.entries(t.skippedCategories)
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ');
    out.push(`  skipped records:  ${t.skippedRecords} (not audit events: ${cats})`);
  }
  out.push(`  unreadable:       ${t.unreadable}`);
  for (const l of t.listed) out.push(`    ${l}`);
  if (t.unreadable > t.listed.length) {
    out.push(`    ... and ${t.unreadable - t.listed.length} more`);
  }
  out.push('  per file:');
  for (const r of t.perFile) out.push(`    ${describeFile(r)}`);
  out.push(`  elapsed:          ${secs.toFixed(1)} s (${rate} events/s)`);
  return `${out.join('\n')}\n`;
}

export async function runImport(argv: string[], io: ImportIo): Promise<number> {
  const parsed = await parseImportArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr.write(`import: ${parsed.problem}\n\n${USAGE}\n`);
    return 2;
  }
  const args = parsed.args;
  const now = io.now ?? Date.now;

  // Check every file before sending anything, so a typo does not leave a half-done import.
  const { files, problems: missing } = await expandPaths(args.files);
  if (missing.length > 0) {
    io.stderr.write(`import: cannot read ${missing.join('; ')}\n`);
    return 2;
  }
  const sizes = await Promise.all(files.map(async (f) => (await fsp.stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const progress = new Progress(io.stderr, now, io.progressIntervalMs ?? 5000);

  let sink: Sink | undefined;
  if (!args.dryRun) {
    if (args.url !== undefined) {
      sink = new HttpSink({
        url: args.url,
        cluster: args.cluster,
        token: args.token,
        fetch: io.fetch,
        sleep: io.sleep,
        onRetry: ({ attempt, delayMs, reason }) =>
          progress.message(
            `import: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`,
          ),
      });
    } else {
      try {
        sink = await (io.openDirectSink ?? openAppDirectSink)(args.cluster);
      } catch (e) {
        io.stderr.write(
          `import: cannot open the database (direct mode): ${(e as Error).message}\n`,
        );
        return 1;
      }
    }
  }

  // Booting the application context (direct mode) is not import time.
  progress.restart();
  const started = now();

  const t: Totals = {
    files: files.length,
    eventsRead: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    unconfirmed: 0,
    skippedRecords: 0,
    skippedCategories: {},
    unreadable: 0,
    listed: [],
    perFile: [],
  };
  const unreadable = (where: string, reason: string): void => {
    t.unreadable++;
    if (t.listed.length < MAX_LISTED_ERRORS) t.listed.push(`${where}: ${reason}`);
  };

  let pending: unknown[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0 || !sink) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    let r: SendResult;
    try {
      r = await sink.send(batch);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      throw new SinkError(`storing a batch failed: ${(e as Error).message}`);
    }
    t.accepted += r.accepted;
    t.duplicates += r.duplicates;
    t.rejected += r.rejected;
    t.unconfirmed += r.unconfirmed;
  };

  let failure: string | undefined;
  let bytesBefore = 0;
  let file = files[0];
  const snapshot = (bytesRead: number) => ({ bytesRead, totalBytes, events: t.eventsRead, file });
  try {
    for (const [i, f] of files.entries()) {
      file = f;
      let bytesRead = bytesBefore;
      const report: FileReport = {
        file: f,
        formats: {},
        events: 0,
        invalid: 0,
        unreadable: 0,
        skipped: 0,
      };
      t.perFile.push(report);
      try {
        const items = readAuditFile(f, {
          onProgress: (read) => {
            bytesRead = bytesBefore + read;
          },
          onFormats: (formats) => {
            for (const [k, n] of Object.entries(formats)) {
              report.formats[k] = (report.formats[k] ?? 0) + n;
            }
          },
          onSkipped: (s) => {
            report.skipped += s.count;
            t.skippedRecords += s.count;
            for (const [c, n] of Object.entries(s.categories)) {
              t.skippedCategories[c] = (t.skippedCategories[c] ?? 0) + n;
            }
          },
        });
        for await (const item of items) {
          if (item.kind === 'error') {
            report.unreadable++;
            unreadable(`${f}:${item.line}`, item.reason);
          } else {
            t.eventsRead++;
            report.events++;
            if (!normalizeEvent(item.raw).ok) report.invalid++;
            if (sink) {
              pending.push(item.raw);
              if (sink.measure) pendingBytes += sink.measure(item.raw) + 1;
              if (pending.length >= args.batch || pendingBytes >= MAX_BODY_BYTES) await flush();
            }
          }
          progress.update(snapshot(bytesRead));
        }
      } catch (e) {
        if (e instanceof SinkError) throw e;
        report.unreadable++;
        unreadable(f, `cannot read file: ${(e as Error).message}`);
      }
      bytesBefore += sizes[i];
    }
    await flush();
  } catch (e) {
    failure =
      e instanceof SinkError ? e.message : `unexpected error: ${(e as Error).stack ?? String(e)}`;
  } finally {
    try {
      await sink?.close();
    } catch (e) {
      io.stderr.write(`import: closing ${sink?.target}: ${(e as Error).message}\n`);
    }
  }

  progress.finish(snapshot(bytesBefore));
  const secs = (now() - started) / 1000;
  io.stdout.write(summary(t, args, sink?.target ?? '', secs));

  if (failure !== undefined) {
    progress.clear();
    io.stderr.write(
      `import: FAILED: ${failure}\n` +
        'Events sent before the failure are stored; re-running the same import is safe ' +
        '(duplicates are skipped).\n',
    );
    return 1;
  }
  if (t.eventsRead === 0) {
    io.stderr.write(
      `import: FAILED: no audit events could be read from ${plural(t.files, 'file')}\n`,
    );
    return 1;
  }
  return 0;
}
