import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { compiledServerMain, freeLoopbackPort } from './server-child';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** Kept from the child's output, for the failure message of a crash. */
const LOG_TAIL_CHARS = 20_000;

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Sent as given (already percent-encoded where Node requires it). */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  /** Stop reading after the headers when they announce an event stream (it never ends). */
  headersOnly?: boolean;
}

/**
 * The real server (`src/main.ts`) as a child process, so a crash is an exit the test sees and
 * its memory is the child's own. Every request has a client timeout: a hang is a failure.
 */
export class ServerProcess {
  private child!: ChildProcess;
  private output = '';
  /** The first log lines at level error or fatal (pino 50, 60): a 500 logs one. */
  readonly errorLines: string[] = [];
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private sampler?: NodeJS.Timeout;
  /** Highest VmRSS seen, in KiB. */
  peakRssKiB = 0;
  url = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(timeoutMs = 120_000): Promise<void> {
    const port = await freeLoopbackPort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, [compiledServerMain()], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ENVIRONMENT: 'development',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        // The corpus is years old: retention would delete it while the test reads it back.
        RETENTION_DAYS: '0',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
    };
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\{"level":(50|60),/.test(line) && this.errorLines.length < 10)
          this.errorLines.push(line);
      }
    });
    this.child.stderr?.on('data', keep);
    this.child.on('exit', (code, signal) => (this.exit = { code, signal }));
    this.sampler = setInterval(() => this.sampleRss(), 100);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertAlive();
      const ready = await this.send({ method: 'GET', path: '/healthz' }, 2_000).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`server did not start:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Throws when the process has exited, or its memory has grown past `ceilingKiB`. */
  assertHealthy(ceilingKiB: number): void {
    this.assertAlive();
    this.sampleRss();
    if (this.peakRssKiB > ceilingKiB) {
      throw new Error(
        `the server's memory grew to ${Math.round(this.peakRssKiB / 1024)} MiB (ceiling ${Math.round(ceilingKiB / 1024)} MiB)`,
      );
    }
  }

  /** Throws, with the server's last output, when the process has exited. */
  assertAlive(): void {
    if (this.exit) {
      throw new Error(
        `the server exited (code ${this.exit.code}, signal ${this.exit.signal}); its last output:\n${this.output}`,
      );
    }
  }

  /** The server's recent output (warnings and errors at LOG_LEVEL=warn). */
  log(): string {
    return this.output;
  }

  /**
   * One request on a fresh connection, written and read on a raw socket: the path goes out
   * byte for byte (Node's HTTP client refuses what a hostile client would send). Rejects on a
   * reset before any answer, a truncated answer, or no answer within the timeout. (A server
   * that answers from the headers alone and closes while a large body is still uploading
   * resets it: Node then drops the answer it had not read yet, see docs/fuzzing.md.)
   */
  send(req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
    const target = new URL(this.url);
    const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
    const lines = [
      `${req.method} ${req.path} HTTP/1.1`,
      `host: ${target.host}`,
      'connection: close',
    ];
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
    }
    if (req.body !== undefined) lines.push(`content-length: ${body.length}`);
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    const what = `${req.method} ${clip(req.path)}`;
    return new Promise<RawResponse>((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname);
      const chunks: Buffer[] = [];
      let socketError: Error | undefined;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        fn();
      };
      socket.setTimeout(timeoutMs, () =>
        finish(() => reject(new Error(`no answer within ${timeoutMs} ms: ${what}`))),
      );
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (!req.headersOnly) return;
        const parsed = parseHead(Buffer.concat(chunks));
        if (parsed && String(parsed.headers['content-type']).startsWith('text/event-stream')) {
          finish(() => resolve({ status: parsed.status, headers: parsed.headers, body: '' }));
        }
      });
      // A server may answer and close before reading the whole body: keep reading its answer.
      socket.on('error', (error) => (socketError = error));
      socket.on('close', () =>
        finish(() => {
          try {
            resolve(parseResponse(Buffer.concat(chunks)));
          } catch (error) {
            const cause = socketError ? ` (${socketError.message})` : '';
            reject(new Error(`${what}: ${(error as Error).message}${cause}`));
          }
        }),
      );
      socket.write(head);
      if (body.length > 0) socket.write(body);
    });
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    if (this.exit) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  private sampleRss(): void {
    if (this.exit || this.child.pid === undefined) return;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (match) this.peakRssKiB = Math.max(this.peakRssKiB, Number(match[1]));
    } catch {
      // The process is gone; the exit handler reports it.
    }
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...(${text.length} chars)` : text;
}

function parseHead(
  data: Buffer,
): { status: number; headers: IncomingHttpHeaders; rest: Buffer } | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) throw new Error(`not an HTTP answer: ${clip(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = headers[name]
      ? `${headers[name]}, ${line.slice(colon + 1).trim()}`
      : line.slice(colon + 1).trim();
  }
  return { status: Number(status[1]), headers, rest: data.subarray(end + 4) };
}

/** A whole HTTP/1.1 answer (the server closed the connection after it). */
function parseResponse(data: Buffer): RawResponse {
  if (data.length === 0) throw new Error('the connection closed without an answer');
  const head = parseHead(data);
  if (!head)
    throw new Error(`the answer stopped inside its headers: ${clip(data.toString('latin1'))}`);
  let body = head.rest;
  if (/chunked/i.test(String(head.headers['transfer-encoding']))) {
    const parts: Buffer[] = [];
    for (let at = 0; ;) {
      const lineEnd = body.indexOf('\r\n', at);
      if (lineEnd < 0) throw new Error('the answer stopped inside a chunk');
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('a malformed chunk');
      if (size === 0) break;
      if (lineEnd + 2 + size > body.length) throw new Error('the answer stopped inside a chunk');
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (head.headers['content-length'] !== undefined) {
    const length = Number(head.headers['content-length']);
    if (body.length < length) {
      throw new Error(`the answer stopped after ${body.length} of ${length} bytes`);
    }
    body = body.subarray(0, length);
  }
  return { status: head.status, headers: head.headers, body: body.toString('utf8') };
}
