import 'reflect-metadata';
import {
  AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  StoragePipelineOptions,
} from '@azure/storage-blob';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { CLUSTER_NAME } from '../../config/app-config';
import { extractEventsDetailed, notJson } from '../../import/extract-events';
import type { AuditSource, RejectedRecord, SourceBatch, SourceKind } from '../audit-source';
import type { SourceContext, SourceDefinition, SourceEntryBase } from '../source-definition';
import { AksBlobCursor, blobTime, CHECKPOINT_MAX_BYTES } from './aks-blob-cursor';
import { abortableSleep } from '../abortable-sleep';

/**
 * The AKS source (`kind: aks-blob`): a diagnostic setting's storage account, container
 * `insights-logs-kube-audit` (or `-admin`), one append blob per cluster and hour
 * (`resourceId=/SUBSCRIPTIONS/.../MANAGEDCLUSTERS/<NAME>/y=2026/m=11/d=30/h=13/m=00/PT1H.json`),
 * one diagnostics record per line, appended during the hour. Each blob is read from the
 * checkpointed byte offset to its current length by range downloads; only complete lines are
 * read (the last line of a blob still being appended may be half written). docs/sources/aks-blob.md.
 */

export const AKS_BLOB_KIND: SourceKind = 'aks-blob';

const MiB = 1024 * 1024;
/** Bytes per range download; a line longer than this is rejected and skipped. */
export const READ_BYTES = 4 * MiB;
/** A batch holds at most this many lines, or this many bytes of them. */
export const BATCH_LINES = 2000;
export const BATCH_BYTES = 8 * MiB;
/** Range downloads per `next` call (so a call returns in bounded time). */
const READS_PER_NEXT = 8;
/** Blobs per listing page, and at most this many blobs listed per scan. */
const LIST_PAGE = 5000;
export const MAX_LISTED = 100_000;
/** `next` waits at most this long for new data before answering `undefined`. */
const IDLE_WAIT_MS = 3000;
/** A rejected record's reasons: at most this many per line. */
const MAX_REASONS = 3;

const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One `aks-blob` entry of the sources file. */
export class AksBlobEntry implements SourceEntryBase {
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be 1-63 characters of a-z, 0-9 and -' })
  name!: string;

  @IsIn([AKS_BLOB_KIND], { message: `must be ${AKS_BLOB_KIND}` })
  kind!: SourceKind;

  /** Required for this kind: the blobs do not name the cluster the way the events are stored. */
  @IsString({ message: 'is required for aks-blob (the name its events are stored under)' })
  @Matches(CLUSTER_NAME, {
    message:
      'must be 1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit',
  })
  cluster!: string;

  @IsOptional()
  @Matches(CONTAINER_NAME, {
    message: 'must be a storage container name (3-63 characters of a-z, 0-9 and single -)',
  })
  container: string = 'insights-logs-kube-audit';

  /** A blob-name prefix, e.g. `resourceId=/SUBSCRIPTIONS/<SUB>/.../MANAGEDCLUSTERS/<NAME>/`. */
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @Length(1, 1024, { message: 'must be 1 to 1024 characters' })
  prefix?: string;

  /** The environment variable holding the storage account's connection string. */
  @IsOptional()
  @Matches(ENV_NAME, { message: 'must be an environment variable name' })
  connectionStringEnv?: string;

  /** `https://<account>.blob.core.windows.net`, used with `sasTokenEnv`. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL such as https://<account>.blob.core.windows.net' },
  )
  accountUrl?: string;

  /** The environment variable holding a SAS token (read + list on the container). */
  @IsOptional()
  @Matches(ENV_NAME, { message: 'must be an environment variable name' })
  sasTokenEnv?: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number from 1 to 3600' })
  @Min(1, { message: 'must be a whole number from 1 to 3600' })
  @Max(3600, { message: 'must be a whole number from 1 to 3600' })
  pollSeconds: number = 30;

  @IsOptional()
  @IsIn(['beginning', 'now'], { message: 'must be beginning or now' })
  startFrom: 'beginning' | 'now' = 'now';
}

function checkEntry(entry: AksBlobEntry, context: SourceContext): string[] {
  const problems: string[] = [];
  const bySas = entry.accountUrl !== undefined || entry.sasTokenEnv !== undefined;
  if (entry.connectionStringEnv !== undefined && bySas) {
    problems.push(
      'connectionStringEnv: give either connectionStringEnv or accountUrl with sasTokenEnv, not both',
    );
  } else if (entry.connectionStringEnv !== undefined) {
    const value = context.env[entry.connectionStringEnv];
    if (!value) {
      problems.push(
        `connectionStringEnv: the environment variable ${entry.connectionStringEnv} is not set`,
      );
    } else {
      try {
        BlobServiceClient.fromConnectionString(value);
      } catch {
        // Never the value: it holds the account key.
        problems.push(
          `connectionStringEnv: ${entry.connectionStringEnv} is not a storage account connection string`,
        );
      }
    }
  } else if (!bySas) {
    problems.push('connectionStringEnv: give connectionStringEnv, or accountUrl with sasTokenEnv');
  } else {
    if (entry.accountUrl === undefined) problems.push('accountUrl: is required with sasTokenEnv');
    else if (/[?#]/.test(entry.accountUrl)) {
      problems.push('accountUrl: must not hold a query (the SAS token goes in sasTokenEnv)');
    }
    if (entry.sasTokenEnv === undefined) problems.push('sasTokenEnv: is required with accountUrl');
    else if (!context.env[entry.sasTokenEnv]) {
      problems.push(`sasTokenEnv: the environment variable ${entry.sasTokenEnv} is not set`);
    }
  }
  if (entry.prefix?.startsWith('resourceId=')) {
    const id = entry.prefix.slice('resourceId='.length);
    if (id !== id.toUpperCase()) {
      problems.push(
        'prefix: Azure writes the resource id in upper case (resourceId=/SUBSCRIPTIONS/<SUB>/RESOURCEGROUPS/<RG>/...); blob names are case-sensitive',
      );
    }
  }
  return problems;
}

function containerClient(entry: AksBlobEntry, env: SourceContext['env']): ContainerClient {
  const options: StoragePipelineOptions = {
    retryOptions: { maxTries: 3, tryTimeoutInMs: 60_000, maxRetryDelayInMs: 10_000 },
  };
  if (entry.connectionStringEnv !== undefined) {
    const connection = env[entry.connectionStringEnv] ?? '';
    return BlobServiceClient.fromConnectionString(connection, options).getContainerClient(
      entry.container,
    );
  }
  const sas = (env[entry.sasTokenEnv ?? ''] ?? '').replace(/^\?/, '');
  const base = (entry.accountUrl ?? '').replace(/\/+$/, '');
  return new ContainerClient(
    `${base}/${encodeURIComponent(entry.container)}?${sas}`,
    new AnonymousCredential(),
    options,
  );
}

/** An SDK or network error without anything that could carry a secret (a SAS signature). */
function describeError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string; name?: string };
  const first = String(e.message ?? error)
    .split('\n')[0]
    .slice(0, 300);
  const safe = first.replace(
    /\b(sig|se|sv|sp|sr|st|spr|skoid|sktid|ske|sks|skv|sdd)=[^&\s"]+/gi,
    '$1=…',
  );
  const status = e.statusCode !== undefined ? `HTTP ${e.statusCode}` : '';
  return [status, e.code, safe].filter((part) => part).join(' ');
}

async function readBody(stream: NodeJS.ReadableStream | undefined, limit: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new Error(`range download answered more than ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** The lines of one batch being built, and what they became. */
class BatchBuilder {
  readonly items: unknown[] = [];
  readonly rejected: RejectedRecord[] = [];
  skipped = 0;
  lines = 0;
  bytes = 0;

  get full(): boolean {
    return this.lines >= BATCH_LINES || this.bytes >= BATCH_BYTES;
  }

  /** One complete line (without its newline) read at `where`. */
  line(bytes: Buffer, where: string): void {
    this.lines++;
    this.bytes += bytes.length + 1;
    // A byte-order mark or a CRLF ending would make valid JSON unparseable: neither is content.
    const text = bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .replace(/\r$/, '');
    if (text.trim() === '') return;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      this.rejected.push({
        record: text,
        reason: `${where}: ${notJson(error, text)}`,
      });
      return;
    }
    const extraction = extractEventsDetailed(doc);
    this.items.push(...extraction.events);
    this.skipped += extraction.skipped;
    if (extraction.errors.length > 0) {
      const reasons = extraction.errors.slice(0, MAX_REASONS).map((e) => e.reason);
      if (extraction.errors.length > MAX_REASONS) {
        reasons.push(`and ${extraction.errors.length - MAX_REASONS} more`);
      }
      this.rejected.push({ record: text, reason: `${where}: ${reasons.join('; ')}` });
    }
  }

  oversized(sample: Buffer, where: string): void {
    this.lines++;
    this.rejected.push({
      record: sample.subarray(0, 1024).toString('utf8'),
      reason: `${where}: line longer than ${READ_BYTES} bytes, skipped (the first 1024 bytes kept)`,
    });
  }
}

interface Downloaded {
  name: string;
  offset: number;
  data: Buffer;
  /** The blob's length when this was downloaded. */
  total: number;
}

export class AksBlobSource implements AuditSource {
  readonly kind = AKS_BLOB_KIND;
  readonly name: string;
  private readonly client: ContainerClient;
  private cursor?: AksBlobCursor;
  private nextScanAt = 0;
  /** Bytes downloaded past the end of the last batch, reused by the next call. */
  private leftover?: Downloaded;
  /** Set when the checkpoint moved without lines (a watermark step, the first `now` snapshot). */
  private moved = false;
  private warnedFull = false;
  private warnedMissing = false;

  constructor(
    private readonly entry: AksBlobEntry,
    private readonly context: SourceContext,
  ) {
    this.name = entry.name;
    this.client = containerClient(entry, context.env);
  }

  async open(checkpoint: string | undefined): Promise<void> {
    this.leftover = undefined;
    this.nextScanAt = 0;
    this.moved = false;
    if (checkpoint === undefined) {
      this.cursor = AksBlobCursor.start(this.entry.startFrom, this.context.now());
    } else {
      this.cursor = AksBlobCursor.parse(checkpoint);
    }
  }

  async next(signal: AbortSignal): Promise<SourceBatch | undefined> {
    const cursor = this.cursor;
    if (!cursor) throw new Error(`aks-blob ${this.name}: next() before open()`);
    const now = this.context.now();
    if (now >= this.nextScanAt) {
      await this.scan(cursor, signal);
      this.nextScanAt = this.context.now() + this.entry.pollSeconds * 1000;
    }
    const batch = new BatchBuilder();
    await this.read(cursor, batch, signal);
    if (batch.lines > 0 || this.moved) {
      this.moved = false;
      return {
        cluster: this.entry.cluster,
        items: batch.items,
        rejected: batch.rejected,
        skipped: batch.skipped,
        checkpoint: cursor.serialize(),
      };
    }
    const wait = Math.min(IDLE_WAIT_MS, Math.max(0, this.nextScanAt - this.context.now()));
    await abortableSleep(wait, signal);
    return undefined;
  }

  async close(): Promise<void> {
    this.cursor = undefined;
    this.leftover = undefined;
  }

  /** Lists the blobs under the prefix (paged, bounded) and updates what is known of each. */
  private async scan(cursor: AksBlobCursor, signal: AbortSignal): Promise<void> {
    const listed = new Map<string, number>();
    let foreign = 0;
    try {
      const pages = this.client
        .listBlobsFlat({ prefix: this.entry.prefix, abortSignal: signal })
        .byPage({ maxPageSize: LIST_PAGE });
      for await (const page of pages) {
        for (const item of page.segment.blobItems) {
          if (blobTime(item.name) === undefined) {
            foreign++;
            continue;
          }
          listed.set(item.name, item.properties.contentLength ?? 0);
        }
        if (listed.size + foreign > MAX_LISTED) {
          throw new Error(
            `more than ${MAX_LISTED} blobs under the prefix: narrow it with prefix, or expire old blobs with a lifecycle policy`,
          );
        }
        if (signal.aborted) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      if ((error as { code?: string }).code === 'ContainerNotFound') {
        // Azure Monitor creates the container with the setting's first blob, minutes after.
        if (!this.warnedMissing) {
          this.warnedMissing = true;
          this.context.log(
            'warn',
            `aks-blob ${this.name}: container ${this.entry.container} does not exist (yet: Azure Monitor creates it with the diagnostic setting's first blob)`,
          );
        }
        return;
      }
      throw new Error(
        `aks-blob ${this.name}: listing container ${this.entry.container} failed: ${describeError(error)}`,
      );
    }
    this.warnedMissing = false;
    if (foreign > 0) {
      this.context.log(
        'warn',
        `aks-blob ${this.name}: ${foreign} blob(s) under the prefix are not named like a diagnostic setting's hourly PT1H.json; ignored`,
      );
    }
    if (cursor.update(listed, this.context.now())) this.moved = true;
  }

  /** Reads complete lines of the blobs with unread bytes, oldest hour first, into `batch`. */
  private async read(
    cursor: AksBlobCursor,
    batch: BatchBuilder,
    signal: AbortSignal,
  ): Promise<void> {
    for (let reads = 0; reads < READS_PER_NEXT && !batch.full && !signal.aborted; reads++) {
      const name = cursor.nextToRead();
      if (name === undefined) {
        if (cursor.waitingForRoom && !this.warnedFull) {
          this.warnedFull = true;
          this.context.log(
            'warn',
            `aks-blob ${this.name}: more blobs grow at once than the checkpoint can follow (${CHECKPOINT_MAX_BYTES} bytes); give each cluster its own source with prefix`,
          );
        }
        return;
      }
      const offset = cursor.offset(name);
      let chunk: Downloaded | undefined;
      try {
        chunk = await this.download(name, offset, signal);
      } catch (error) {
        // The lines already taken moved the cursor: they go out in this batch, and the error
        // comes again on the next call (the runner backs off then).
        if (batch.lines > 0) return;
        throw error;
      }
      if (!chunk) return;
      this.consume(cursor, batch, chunk);
    }
  }

  private async download(
    name: string,
    offset: number,
    signal: AbortSignal,
  ): Promise<Downloaded | undefined> {
    const left = this.leftover;
    this.leftover = undefined;
    if (left && left.name === name && left.offset === offset && left.data.includes(10)) return left;
    try {
      const response = await this.client
        .getBlobClient(name)
        .download(offset, READ_BYTES, { abortSignal: signal, maxRetryRequests: 2 });
      const data = await readBody(response.readableStreamBody, READ_BYTES);
      const total = Number(
        /\/(\d+)$/.exec(response.contentRange ?? '')?.[1] ?? offset + data.length,
      );
      return { name, offset, data, total };
    } catch (error) {
      if (signal.aborted) return undefined;
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 416 || status === 404) {
        // Shorter than the offset (replaced) or deleted since the listing: the next scan says.
        this.cursor?.stall(name);
        return undefined;
      }
      throw new Error(`aks-blob ${this.name}: reading ${name} failed: ${describeError(error)}`);
    }
  }

  /** Takes the complete lines of `chunk` into the batch and moves the blob's offset past them. */
  private consume(cursor: AksBlobCursor, batch: BatchBuilder, chunk: Downloaded): void {
    const { name, data, offset, total } = chunk;
    const closed = cursor.isClosed(name, this.context.now());
    cursor.grew(name, total);
    let pos = 0;
    if (cursor.skipping(name)) {
      const newline = data.indexOf(10);
      if (newline < 0) {
        cursor.advance(name, offset + data.length, true);
        if (offset + data.length >= total) cursor.stall(name);
        return;
      }
      pos = newline + 1;
    }
    while (pos < data.length && !batch.full) {
      const newline = data.indexOf(10, pos);
      if (newline < 0) break;
      batch.line(data.subarray(pos, newline), `${name} at byte ${offset + pos}`);
      pos = newline + 1;
    }
    let skipping = false;
    const rest = data.length - pos;
    if (rest > 0 && !batch.full) {
      const atEnd = offset + data.length >= total;
      if (pos === 0 && data.length >= READ_BYTES) {
        batch.oversized(data, `${name} at byte ${offset}`);
        pos = data.length;
        skipping = true;
      } else if (atEnd && closed) {
        // The hour ended long ago: nothing will complete this line, so it is the last one.
        batch.line(data.subarray(pos), `${name} at byte ${offset + pos}`);
        pos = data.length;
      } else if (atEnd) {
        // Half written: read again once the blob has grown.
        cursor.stall(name);
      }
    }
    cursor.advance(name, offset + pos, skipping);
    if (pos < data.length && batch.full) {
      this.leftover = { name, offset: offset + pos, data: data.subarray(pos), total };
    }
  }
}

export const aksBlobSource: SourceDefinition<AksBlobEntry> = {
  kind: AKS_BLOB_KIND,
  entryClass: AksBlobEntry,
  check: checkEntry,
  create: (entry, context) => new AksBlobSource(entry, context),
};
