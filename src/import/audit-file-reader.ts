/**
 * Streams audit Events out of files users already have:
 * - kube-apiserver log-backend output (`--audit-log-path`): JSON lines, one Event per line; lines
 *   may also be EventLists or any wrapper {@link extractEvents} understands,
 * - a single JSON document: a pretty-printed Event, an EventList, an Azure Diagnostics export
 *   `{"records":[...]}` (or one record), or a JSON array of those,
 * - the managed clusters' exports (docs/managed-clusters.md): GKE Cloud Logging LogEntries (JSON
 *   lines or the array of `gcloud logging read --format=json`), CloudWatch Logs output and its S3
 *   export lines `<timestamp> <json>`, AKS storage-account blobs (one diagnostics record per line),
 * - either of those gzip-compressed (`--audit-log-compress` rotates to .gz), detected by magic bytes.
 *
 * The format is detected from the first non-blank line after an optional UTF-8 BOM: if that line
 * is a complete JSON value the file is JSON lines and is streamed line by line (bounded memory,
 * whatever the file size). Otherwise, if it opens a document (`{` or `[`), the document is
 * buffered up to `maxDocumentBytes` and parsed whole. If that fails but the second non-blank
 * line is a complete JSON value, the file is JSON lines with a damaged first line after all.
 *
 * Bad lines are yielded as `{kind:'error'}` items, never thrown. Only I/O errors (missing file,
 * permission denied) throw.
 */
import { constants as bufferConstants } from 'node:buffer';
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { s3ExportMessage, S3_EXPORT_FORMAT } from './cloudwatch-export';
import { extractEventsDetailed } from './extract-events';

export { extractEvents, extractEventsDetailed, AKS_AUDIT_CATEGORIES } from './extract-events';
export type { Extraction, DetailedExtraction, ExtractError } from './extract-events';

export type AuditFileItem =
  | { kind: 'event'; raw: unknown; line: number }
  | { kind: 'error'; line: number; reason: string; /** first 200 chars */ text: string };

export type AuditFilesItem = AuditFileItem & { file: string };

export interface SkippedRecords {
  /** Line where the document or JSON line holding the records starts. */
  line: number;
  count: number;
  /** Per Azure Diagnostics category, e.g. `{"kube-apiserver": 12}`. */
  categories: Record<string, number>;
}

export interface ReadAuditFileOptions {
  /** Called after every chunk read from disk (compressed bytes for .gz files). */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /**
   * Records of a cloud's log that are not audit events were skipped: AKS categories other than
   * kube-audit / kube-audit-admin, GKE LogEntries not from k8s.io, other EKS log streams.
   */
  onSkipped?(skipped: SkippedRecords): void;
  /** Events found, per format they came in (`gke-cloud-logging`, `cloudwatch-logs`...). */
  onFormats?(formats: Record<string, number>): void;
  /** Largest single (non-JSON-lines) document that is buffered and parsed; default 512 MiB. */
  maxDocumentBytes?: number;
  /** Longest JSON line; longer lines are reported as errors and skipped. Default 512 MiB. */
  maxLineBytes?: number;
}

/** 512 MiB, but never more than V8 can hold in one string (2^29 - 24 chars on 64-bit Node 20). */
export const DEFAULT_MAX_DOCUMENT_BYTES = Math.min(
  512 * 1024 * 1024,
  bufferConstants.MAX_STRING_LENGTH,
);

const TEXT_SAMPLE = 200;
const MiB = 1024 * 1024;

interface Line {
  line: number;
  /** Decoded text without the line break, trailing CR or BOM; a prefix only if `tooLong`. */
  text: string;
  bytes: number;
  tooLong: boolean;
  /** The last line of the file had no line break (possibly truncated). */
  unterminated: boolean;
}

function stripLine(s: string): string {
  let text = s;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1);
  return text;
}

/** Splits a byte stream into lines without ever holding more than one line (up to `max`). */
async function* splitLines(chunks: AsyncIterable<Buffer>, max: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let head = '';
  let lineNo = 0;

  const take = (last: Buffer, unterminated: boolean): Line => {
    lineNo++;
    const bytes = partBytes + last.length;
    let line: Line;
    if (tooLong || bytes > max) {
      const text = tooLong ? head : Buffer.concat([...parts, last]).subarray(0, 4 * TEXT_SAMPLE);
      line = { line: lineNo, text: stripLine(text.toString()), bytes, tooLong: true, unterminated };
    } else {
      const buf = parts.length === 0 ? last : Buffer.concat([...parts, last], bytes);
      line = {
        line: lineNo,
        text: stripLine(buf.toString('utf8')),
        bytes,
        tooLong: false,
        unterminated,
      };
    }
    parts = [];
    partBytes = 0;
    tooLong = false;
    head = '';
    return line;
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      yield take(chunk.subarray(start, nl), false);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (tooLong) {
        partBytes += rest.length;
      } else {
        parts.push(rest);
        partBytes += rest.length;
        if (partBytes > max) {
          // Keep a sample for the error message and drop the rest of the line as it streams by.
          head = Buffer.concat(parts)
            .subarray(0, 4 * TEXT_SAMPLE)
            .toString();
          parts = [];
          tooLong = true;
        }
      }
    }
  }
  if (partBytes > 0 || tooLong) yield take(Buffer.alloc(0), true);
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

function tryParse(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** A line that could be a JSON value by itself (cheap test before parsing). */
function looksLikeJsonValue(text: string): boolean {
  const t = text.trim();
  return (t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'));
}

function errorItem(line: number, reason: string, text: string): AuditFileItem {
  return { kind: 'error', line, reason, text: text.slice(0, TEXT_SAMPLE) };
}

function formatBytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} bytes`;
}

class JsonLinesDecoder {
  constructor(private readonly opts: ReadAuditFileOptions) {}

  *decode(l: Line): Generator<AuditFileItem> {
    if (l.tooLong) {
      const limit = this.opts.maxLineBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
      yield errorItem(
        l.line,
        `line of ${formatBytes(l.bytes)} exceeds the ${formatBytes(limit)} limit`,
        l.text,
      );
      return;
    }
    if (isBlank(l.text)) return;
    let parsed = tryParse(l.text);
    // A CloudWatch Logs export to S3: `<ISO timestamp> <message>` per line.
    const s3 = parsed.ok ? undefined : s3ExportMessage(l.text);
    if (s3 !== undefined) {
      parsed = tryParse(s3);
      if (parsed.ok) {
        yield* itemsOf(parsed.value, l.line, this.opts, S3_EXPORT_FORMAT);
        return;
      }
    }
    if (!parsed.ok) {
      const why = l.unterminated
        ? 'truncated last line (no line break at end of file)'
        : 'invalid JSON';
      yield errorItem(l.line, `${why}: ${parsed.message}`, l.text);
      return;
    }
    yield* itemsOf(parsed.value, l.line, this.opts);
  }
}

function* itemsOf(
  doc: unknown,
  line: number,
  opts: ReadAuditFileOptions,
  format?: string,
): Generator<AuditFileItem> {
  const x = extractEventsDetailed(doc, format);
  if (x.events.length > 0) opts.onFormats?.(x.formats);
  for (const raw of x.events) yield { kind: 'event', raw, line };
  for (const e of x.errors) yield errorItem(line, e.reason, e.text);
  if (x.skipped > 0) opts.onSkipped?.({ line, count: x.skipped, categories: x.skippedCategories });
}

/** True if the text stops inside a string, object or array (a cut-off document). */
function endsInsideValue(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++; // a backslash escapes the next character
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return inString || depth > 0;
}

/** Maps `JSON.parse`'s "at position N" to a line of the buffered document. */
function locate(message: string, lines: Line[]): Line | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m || lines.length === 0) return undefined;
  let pos = Number(m[1]);
  for (const l of lines) {
    if (pos <= l.text.length) return l;
    pos -= l.text.length + 1;
  }
  return lines[lines.length - 1];
}

async function firstBytes(path: string, n: number): Promise<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const probe = Buffer.alloc(n);
    const { bytesRead } = await fh.read(probe, 0, n, 0);
    return probe.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function isUtf16(magic: Buffer): boolean {
  return (
    magic.length >= 2 &&
    ((magic[0] === 0xff && magic[1] === 0xfe) || (magic[0] === 0xfe && magic[1] === 0xff))
  );
}

function openChunks(
  path: string,
  magic: Buffer,
  totalBytes: number,
  onProgress: ReadAuditFileOptions['onProgress'],
): { chunks: AsyncIterable<Buffer>; gzip: boolean } {
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  const gzip = magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  let out: AsyncIterable<Buffer> = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    gunzip.on('close', () => raw.destroy());
    raw.pipe(gunzip);
    out = gunzip;
  }
  async function* withProgress(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of out) {
        onProgress?.(raw.bytesRead, totalBytes);
        yield chunk as Buffer;
      }
    } finally {
      raw.destroy();
    }
  }
  return { chunks: withProgress(), gzip };
}

/**
 * Streams the audit Events in one file. Yields an item per Event (with the 1-based line where
 * its JSON line or document starts) and an item per line or part that is not one.
 */
export async function* readAuditFile(
  path: string,
  opts: ReadAuditFileOptions = {},
): AsyncGenerator<AuditFileItem> {
  const stat = await fsp.stat(path);
  if (stat.isDirectory()) {
    throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  }
  const maxDoc = opts.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const magic = await firstBytes(path, 2);
  if (isUtf16(magic)) {
    // What PowerShell's `>` writes. Say so instead of reporting every line as invalid JSON.
    yield errorItem(
      1,
      'file is UTF-16 encoded; convert it to UTF-8 first (for example: iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.json)',
      '',
    );
    return;
  }
  const { chunks, gzip } = openChunks(path, magic, stat.size, opts.onProgress);

  let lastLine = 0;
  let gzipError: string | undefined;
  const lines = async function* (): AsyncGenerator<Line> {
    try {
      for await (const l of splitLines(chunks, maxLine)) {
        lastLine = l.line;
        yield l;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!gzip || !code.startsWith('Z_')) throw e;
      // A truncated or corrupt .gz: keep what was decompressed, report the rest.
      gzipError = `gzip data is corrupt or truncated after line ${lastLine}: ${(e as Error).message}`;
    }
  };

  const jsonl = new JsonLinesDecoder(opts);
  const it = lines();
  let mode: 'detect' | 'jsonl' | 'document' = 'detect';
  // Lines of a single document being buffered (only in 'document' mode).
  const doc: Line[] = [];
  let docBytes = 0;
  let docLineCount = 0;
  let secondLineIsJson = false;

  for await (const l of it) {
    if (mode === 'jsonl') {
      yield* jsonl.decode(l);
      continue;
    }
    if (mode === 'detect') {
      if (!l.tooLong && isBlank(l.text)) continue;
      const t = l.text.trimStart();
      if (l.tooLong || tryParse(l.text).ok || !(t.startsWith('{') || t.startsWith('['))) {
        mode = 'jsonl';
        yield* jsonl.decode(l);
        continue;
      }
      mode = 'document';
    }
    // mode === 'document'
    if (!isBlank(l.text)) {
      docLineCount++;
      if (docLineCount === 2) secondLineIsJson = looksLikeJsonValue(l.text) && tryParse(l.text).ok;
    }
    doc.push(l);
    docBytes += l.bytes + 1;
    if (docBytes > maxDoc || l.tooLong) {
      if (secondLineIsJson) {
        mode = 'jsonl';
        for (const d of doc.splice(0)) yield* jsonl.decode(d);
        continue;
      }
      yield errorItem(
        doc[0].line,
        `single JSON document larger than the ${formatBytes(maxDoc)} limit; convert it to JSON lines ` +
          `first (for example: jq -c '.items[]' FILE > FILE.jsonl)`,
        doc[0].text,
      );
      return;
    }
  }

  if (mode === 'document' && doc.length > 0) {
    const text = doc.map((d) => d.text).join('\n');
    const parsed = tryParse(text);
    if (parsed.ok) {
      yield* itemsOf(parsed.value, doc[0].line, opts);
    } else if (secondLineIsJson) {
      for (const d of doc) yield* jsonl.decode(d);
    } else {
      const at = locate(parsed.message, doc) ?? doc[doc.length - 1];
      const truncated = endsInsideValue(text) ? 'truncated document' : 'invalid JSON';
      yield errorItem(at.line, `${truncated}: ${parsed.message}`, at.text);
    }
  }
  if (gzipError !== undefined) yield errorItem(lastLine + 1, gzipError, '');
}

export interface ReadAuditFilesOptions {
  /** Cumulative over all files; totalBytes is the sum of their sizes. */
  onProgress?(bytesRead: number, totalBytes: number, file: string): void;
  onSkipped?(skipped: SkippedRecords & { file: string }): void;
  onFormats?(formats: Record<string, number>, file: string): void;
  maxDocumentBytes?: number;
  maxLineBytes?: number;
}

/** {@link readAuditFile} over several files in order; each item names its file. */
export async function* readAuditFiles(
  paths: readonly string[],
  opts: ReadAuditFilesOptions = {},
): AsyncGenerator<AuditFilesItem> {
  const sizes = await Promise.all(paths.map(async (p) => (await fsp.stat(p)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  for (const [i, file] of paths.entries()) {
    const items = readAuditFile(file, {
      maxDocumentBytes: opts.maxDocumentBytes,
      maxLineBytes: opts.maxLineBytes,
      onProgress: opts.onProgress && ((read) => opts.onProgress?.(done + read, total, file)),
      onSkipped: opts.onSkipped && ((s) => opts.onSkipped?.({ ...s, file })),
      onFormats: opts.onFormats && ((f) => opts.onFormats?.(f, file)),
    });
    for await (const item of items) yield { ...item, file };
    done += sizes[i];
  }
}
