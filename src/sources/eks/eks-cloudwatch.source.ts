/**
 * EKS control-plane audit logs read from CloudWatch Logs (`FilterLogEvents`), continuously.
 *
 * EKS writes each apiserver audit Event, unchanged, as the message of one log event of the
 * `kube-apiserver-audit-<hash>` streams of the log group `/aws/eks/<cluster>/cluster`.
 *
 * Reading: time windows `[start, end)` of the events' own timestamps, `end` at most
 * `now - settleSeconds` (CloudWatch ingestion is not ordered: an event may become visible after
 * newer ones; the settle delay is how long one may be late and still be read). A window is paged
 * with `nextToken` to its end, then the next one starts exactly where it ended: windows neither
 * overlap nor leave a gap, so in steady state nothing is read twice.
 *
 * Checkpoint (JSON, under 9 KB): `{"v":1,"from":ms}` between windows (the next window starts at
 * `from`), `{"v":1,"from":ms,"to":ms,"token":"..."}` inside one (resume that window's query at
 * `token`). A resume after a crash reads nothing twice; when CloudWatch refuses the stored token
 * (it expires after 24 hours) or the token was too long to store, the window is read again from
 * its start and the content hash drops the repeats. docs/sources/eks-cloudwatch.md has the
 * reasoning and the trade-off of the settle delay.
 */

import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { IsIn, IsInt, IsOptional, IsUrl, Matches, Max, Min } from 'class-validator';
import { CLUSTER_NAME } from '../../config/app-config';
import { nonAuditStream, CLOUDWATCH_FORMAT } from '../../import/cloudwatch-export';
import { extractEventsDetailed } from '../../import/extract-events';
import type { AuditSource, RejectedRecord, SourceBatch, SourceKind } from '../audit-source';
import type { SourceContext, SourceDefinition, SourceEntryBase } from '../source-definition';
import { abortableSleep } from '../abortable-sleep';

export const EKS_KIND = 'eks-cloudwatch' satisfies SourceKind;

/** Events asked for per FilterLogEvents call (the service also stops a page at 1 MB). */
export const EVENTS_PER_CALL = 1000;
/** Calls per `next`: pages may be empty while the service searches, so a few are chained. */
export const PAGES_PER_BATCH = 10;
/** A batch stops taking pages past this many message bytes. */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** A message longer than this is rejected unparsed (CloudWatch's own event limit is 1 MB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024 + 1024;
/** What a rejected oversized message keeps of itself in quarantine. */
const OVERSIZED_SAMPLE_CHARS = 4096;
/** A `nextToken` longer than this is not stored: a resume reads the window from its start. */
export const MAX_STORED_TOKEN_CHARS = 8192;
/** The longest `next` waits before answering "nothing new". */
export const MAX_IDLE_WAIT_MS = 2000;
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REGION = /^[a-z]{2,}(-[a-z]+)+-\d{1,2}$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_PREFIX = /^[^:*]{1,512}$/;
const START_FROM =
  /^(beginning|now|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d))$/;
const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** One `eks-cloudwatch` entry of the sources file. */
export class EksCloudWatchEntry implements SourceEntryBase {
  @Matches(SOURCE_NAME, { message: 'must match [a-z0-9][a-z0-9-]{0,62}' })
  name!: string;

  @IsIn([EKS_KIND], { message: `must be ${EKS_KIND}` })
  kind!: SourceKind;

  /** Required for this kind: the name the events are stored under. */
  @Matches(CLUSTER_NAME, { message: 'is required: a DNS-label-like cluster name' })
  cluster!: string;

  /** The cluster's region, e.g. `eu-west-1`. */
  @Matches(REGION, { message: 'is required: an AWS region such as eu-west-1' })
  region!: string;

  /** Default `/aws/eks/<cluster>/cluster`. */
  @IsOptional()
  @Matches(LOG_GROUP, { message: 'must be a CloudWatch log group name' })
  logGroupName?: string;

  /** Default `kube-apiserver-audit`. */
  @IsOptional()
  @Matches(STREAM_PREFIX, { message: 'must be 1 to 512 characters without : or *' })
  logStreamNamePrefix?: string;

  /** Another endpoint than the region's (a VPC interface endpoint; tests). */
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  endpoint?: string;

  /** `beginning`, `now` (default) or an ISO 8601 time with its zone: where a first run starts. */
  @IsOptional()
  @Matches(START_FROM, {
    message: 'must be beginning, now or an ISO 8601 time such as 2026-11-30T10:00:00Z',
  })
  startFrom?: string;

  /** How often a new window is read (default 10). */
  @IsOptional()
  @IsInt({ message: 'must be a whole number from 1 to 3600' })
  @Min(1, { message: 'must be a whole number from 1 to 3600' })
  @Max(3600, { message: 'must be a whole number from 1 to 3600' })
  pollSeconds?: number;

  /** How late an event may reach CloudWatch and still be read (default 120). */
  @IsOptional()
  @IsInt({ message: 'must be a whole number from 0 to 86400' })
  @Min(0, { message: 'must be a whole number from 0 to 86400' })
  @Max(86400, { message: 'must be a whole number from 0 to 86400' })
  settleSeconds?: number;
}

/** An entry with its defaults filled in. */
export interface EksSettings {
  name: string;
  cluster: string;
  region: string;
  logGroupName: string;
  logStreamNamePrefix: string;
  endpoint?: string;
  startFrom: 'beginning' | 'now' | number;
  pollMs: number;
  settleMs: number;
}

/** An ISO 8601 time with its zone in ms, or undefined for one that does not exist. */
export function isoTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(text);
  const ms = Date.parse(text);
  if (!m || Number.isNaN(ms)) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
  return real && h < 24 && mi < 60 ? ms : undefined;
}

function startTime(text: string): number {
  const ms = isoTime(text);
  if (ms === undefined) throw new Error(`startFrom: not a valid time`);
  return ms;
}

export function eksSettings(entry: EksCloudWatchEntry): EksSettings {
  const from = entry.startFrom ?? 'now';
  return {
    name: entry.name,
    cluster: entry.cluster,
    region: entry.region,
    logGroupName: entry.logGroupName ?? `/aws/eks/${entry.cluster}/cluster`,
    logStreamNamePrefix: entry.logStreamNamePrefix ?? 'kube-apiserver-audit',
    endpoint: entry.endpoint,
    startFrom: from === 'beginning' || from === 'now' ? from : startTime(from),
    pollMs: (entry.pollSeconds ?? 10) * 1000,
    settleMs: (entry.settleSeconds ?? 120) * 1000,
  };
}

/** The stored position; see the file comment. */
export interface EksCheckpoint {
  v: 1;
  /** Start of the window being read, or of the next one. */
  from: number;
  /** End (exclusive) of the window being read. */
  to?: number;
  /** Where that window's query resumes. */
  token?: string;
}

const MAX_TIME = 8.64e15;

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TIME;
}

/** The checkpoint's text, or a reason it is not one of ours. */
export function parseEksCheckpoint(text: string): EksCheckpoint | string {
  if (text.length > MAX_STORED_TOKEN_CHARS + 200) return 'longer than any checkpoint written';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const c = v as Record<string, unknown>;
  if (c.v !== 1) return 'unknown version';
  if (!isTime(c.from)) return '"from" is not a time in ms';
  if (c.to === undefined) {
    if (c.token !== undefined) return '"token" without "to"';
    return { v: 1, from: c.from };
  }
  if (!isTime(c.to) || c.to <= c.from) return '"to" is not a time after "from"';
  if (c.token !== undefined && (typeof c.token !== 'string' || c.token === '')) {
    return '"token" is not a string';
  }
  return { v: 1, from: c.from, to: c.to, token: c.token as string | undefined };
}

interface Window {
  start: number;
  /** Exclusive. */
  end: number;
  token?: string;
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}

/** Static credentials when the context's environment names them; else the SDK's chain. */
function credentialsOf(env: SourceContext['env']) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

export class EksCloudWatchSource implements AuditSource {
  readonly kind = EKS_KIND;
  readonly name: string;
  private client?: CloudWatchLogsClient;
  /** Start of the next window when none is being read. */
  private from = 0;
  private window?: Window;
  /** A first run's start is committed before anything is read, so a restart keeps it. */
  private announceStart = false;
  private lagWarned = false;

  constructor(
    readonly settings: EksSettings,
    private readonly context: SourceContext,
  ) {
    this.name = settings.name;
  }

  async open(checkpoint: string | undefined): Promise<void> {
    this.window = undefined;
    this.announceStart = false;
    if (checkpoint === undefined) {
      const s = this.settings.startFrom;
      this.from = s === 'beginning' ? 0 : s === 'now' ? this.context.now() : s;
      this.announceStart = true;
    } else {
      const c = parseEksCheckpoint(checkpoint);
      if (typeof c === 'string') throw new Error(`${this.name}: stored checkpoint refused: ${c}`);
      this.from = c.from;
      if (c.to !== undefined) this.window = { start: c.from, end: c.to, token: c.token };
    }
    this.client?.destroy();
    this.client = new CloudWatchLogsClient({
      region: this.settings.region,
      endpoint: this.settings.endpoint,
      credentials: credentialsOf(this.context.env),
      // The runner backs off and counts each failure; the SDK's own retries would hide them.
      maxAttempts: 1,
      requestHandler: {
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
      },
    });
  }

  async next(signal: AbortSignal): Promise<SourceBatch | undefined> {
    if (!this.client) throw new Error(`${this.name}: next before open`);
    if (signal.aborted) return undefined;
    if (this.announceStart) {
      this.announceStart = false;
      return this.batch([], [], 0);
    }
    let window = this.window;
    if (!window) {
      const wait = this.idleMs();
      if (wait > 0) {
        await abortableSleep(Math.min(wait, MAX_IDLE_WAIT_MS), signal);
        return undefined;
      }
      window = { start: this.from, end: this.context.now() - this.settings.settleMs };
    }
    return this.read(window, this.client, signal);
  }

  /**
   * How long until `next` has something to do (0: now): a new window starts once a whole poll
   * interval has settled, at once when catching up. For tests and diagnostics.
   */
  idleMs(): number {
    if (this.announceStart || this.window) return 0;
    const settled = this.context.now() - this.settings.settleMs;
    return Math.max(0, this.from + this.settings.pollMs - settled);
  }

  async close(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
  }

  /** Pages of the window from its token; the position moves only when the batch is returned. */
  private async read(
    window: Window,
    client: CloudWatchLogsClient,
    signal: AbortSignal,
  ): Promise<SourceBatch | undefined> {
    const items: unknown[] = [];
    const rejected: RejectedRecord[] = [];
    let skipped = 0;
    let bytes = 0;
    let token = window.token;
    let restarted = false;
    for (let page = 0; page < PAGES_PER_BATCH; page++) {
      let events: FilteredLogEvent[];
      let nextToken: string | undefined;
      try {
        const out = await client.send(
          new FilterLogEventsCommand({
            logGroupName: this.settings.logGroupName,
            logStreamNamePrefix: this.settings.logStreamNamePrefix,
            startTime: window.start,
            endTime: window.end - 1, // the service's endTime is inclusive
            nextToken: token,
            limit: EVENTS_PER_CALL,
          }),
          { abortSignal: signal },
        );
        events = out.events ?? [];
        nextToken = out.nextToken || undefined;
      } catch (e) {
        if (signal.aborted) return undefined;
        if (token !== undefined && !restarted && errorName(e) === 'InvalidParameterException') {
          // An expired (24 h) or foreign token: read the window again; repeats are dropped.
          this.context.log(
            'warn',
            `${this.name}: CloudWatch Logs refused the stored nextToken (${errorName(e)}); ` +
              `reading the window ${new Date(window.start).toISOString()} to ` +
              `${new Date(window.end).toISOString()} again from its start`,
          );
          token = undefined;
          restarted = true;
          continue;
        }
        throw e;
      }
      for (const event of events) {
        const r = this.convert(event, items, rejected);
        skipped += r.skipped;
        bytes += r.bytes;
      }
      token = nextToken;
      if (!token || bytes >= BATCH_BYTES || items.length + rejected.length >= EVENTS_PER_CALL) {
        break;
      }
    }
    if (signal.aborted) return undefined;
    if (token === undefined) {
      this.from = window.end;
      this.window = undefined;
    } else {
      this.window = { ...window, token };
    }
    return this.batch(items, rejected, skipped);
  }

  private convert(
    event: FilteredLogEvent,
    items: unknown[],
    rejected: RejectedRecord[],
  ): { skipped: number; bytes: number } {
    const stream = event.logStreamName ?? '';
    if (nonAuditStream({ logStreamName: stream }) !== undefined) return { skipped: 1, bytes: 0 };
    const where = `CloudWatch event ${event.eventId ?? '?'} of ${stream || 'an unnamed stream'}`;
    const message = event.message;
    if (typeof message !== 'string') {
      rejected.push({ record: '', reason: `${where}: no message` });
      return { skipped: 0, bytes: 0 };
    }
    this.checkLag(event);
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > MAX_MESSAGE_BYTES) {
      rejected.push({
        record: message.slice(0, OVERSIZED_SAMPLE_CHARS),
        reason: `${where}: message of ${bytes} bytes, over ${MAX_MESSAGE_BYTES} (first ${OVERSIZED_SAMPLE_CHARS} characters kept)`,
      });
      return { skipped: 0, bytes };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      // Not the parser's message: it quotes the text, and reasons end up in logs.
      rejected.push({ record: message, reason: `${where}: message is not valid JSON` });
      return { skipped: 0, bytes };
    }
    const x = extractEventsDetailed(parsed, CLOUDWATCH_FORMAT);
    items.push(...x.events);
    for (const error of x.errors) {
      rejected.push({ record: message, reason: `${where}: ${error.reason}` });
    }
    return { skipped: x.skipped, bytes };
  }

  /** An event later than the settle delay could have been missed: say so, once per open. */
  private checkLag(event: FilteredLogEvent): void {
    if (this.lagWarned || event.ingestionTime === undefined || event.timestamp === undefined) {
      return;
    }
    const lag = event.ingestionTime - event.timestamp;
    if (lag > this.settings.settleMs) {
      this.lagWarned = true;
      this.context.log(
        'warn',
        `${this.name}: an event reached CloudWatch Logs ${Math.round(lag / 1000)} s after its ` +
          `timestamp, more than settleSeconds (${this.settings.settleMs / 1000}): events that ` +
          `late can be missed; raise settleSeconds`,
      );
    }
  }

  private batch(items: unknown[], rejected: RejectedRecord[], skipped: number): SourceBatch {
    return {
      cluster: this.settings.cluster,
      items,
      rejected,
      skipped,
      checkpoint: this.checkpoint(),
    };
  }

  /** The position as stored with the batch being returned. */
  checkpoint(): string {
    const w = this.window;
    if (!w) return JSON.stringify({ v: 1, from: this.from } satisfies EksCheckpoint);
    const token =
      w.token !== undefined && w.token.length <= MAX_STORED_TOKEN_CHARS ? w.token : undefined;
    return JSON.stringify({ v: 1, from: w.start, to: w.end, token } satisfies EksCheckpoint);
  }
}

export const eksCloudWatchSource: SourceDefinition<EksCloudWatchEntry> = {
  kind: EKS_KIND,
  entryClass: EksCloudWatchEntry,
  check(entry, context) {
    const problems: string[] = [];
    const from = entry.startFrom;
    // The shape is the class's to check; this is a time that does not exist (2026-02-30).
    if (typeof from === 'string' && /^\d/.test(from) && isoTime(from) === undefined) {
      problems.push('startFrom: not a valid time');
    }
    if (Boolean(context.env.AWS_ACCESS_KEY_ID) !== Boolean(context.env.AWS_SECRET_ACCESS_KEY)) {
      problems.push(
        `${entry.name}: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither, for the default chain: IRSA, Pod Identity)`,
      );
    }
    return problems;
  },
  create(entry, context) {
    return new EksCloudWatchSource(eksSettings(entry), context);
  },
};
