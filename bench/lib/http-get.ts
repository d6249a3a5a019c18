import { Agent, request } from 'node:http';

export interface TimedResponse {
  status: number;
  contentType: string;
  /** Wall time from sending the request to the last byte of the body (loopback). */
  ms: number;
  /** Time to the response headers. */
  headersMs: number;
  /** The server's own figure from a Server-Timing header (`total`, else the sum), if any. */
  serverMs?: number;
  serverTiming?: string;
  bytes: number;
  /** Line ends in the body (rows of an NDJSON export); with `csv`, those outside quoted fields. */
  lines: number;
  /** The body as text, unless it was only counted. */
  text?: string;
}

/**
 * Reads a Server-Timing header (`db;dur=12.5, render;dur=3.1` or `total;dur=20`): the `total`
 * (or `app`/`server`) entry when there is one, otherwise the sum of the entries.
 */
export function parseServerTiming(header: string | undefined): number | undefined {
  if (!header) return undefined;
  let sum = 0;
  let found = false;
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith('dur='));
    if (!dur) continue;
    const value = Number(dur.slice(4));
    if (!Number.isFinite(value)) continue;
    if (['total', 'app', 'server'].includes(name.trim().toLowerCase())) return value;
    sum += value;
    found = true;
  }
  return found ? sum : undefined;
}

/** One GET on 127.0.0.1, timed to the last byte; `keepBody: false` only counts bytes and lines. */
export function timedGet(
  agent: Agent,
  port: number,
  path: string,
  options: { keepBody?: boolean; timeoutMs?: number; accept?: string; csv?: boolean } = {},
): Promise<TimedResponse> {
  const keepBody = options.keepBody ?? true;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent,
        headers: { accept: options.accept ?? 'application/json' },
        timeout: options.timeoutMs ?? 120_000,
      },
      (res) => {
        const headersMs = performance.now() - t0;
        const chunks: Buffer[] = [];
        let bytes = 0;
        let lines = 0;
        let quoted = false;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (options.csv) {
            // A CSV field in quotes may hold line breaks; "" inside it toggles twice.
            for (let i = 0; i < chunk.length; i++) {
              const c = chunk[i];
              if (c === 34) quoted = !quoted;
              else if (c === 10 && !quoted) lines++;
            }
          } else {
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          }
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () => {
          const timing = res.headers['server-timing'];
          const header = Array.isArray(timing) ? timing.join(', ') : timing;
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            ms: performance.now() - t0,
            headersMs,
            serverMs: parseServerTiming(header),
            serverTiming: header,
            bytes,
            lines,
            text: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
