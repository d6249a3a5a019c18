import { Agent, request } from 'node:http';
import type { Workload } from './workload';

export interface LoadResult {
  requests: number;
  events: number;
  accepted: number;
  duplicates: number;
  failures: number;
  latenciesMs: number[];
  seconds: number;
  bodyBytes: number;
}

export function post(
  agent: Agent,
  port: number,
  path: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `clients` concurrent senders, each posting one batch and waiting for its ack before the next
 * (as the apiserver's goroutines do), over keep-alive connections, for `seconds`.
 */
export async function runLoad(
  workload: Workload,
  port: number,
  options: { clients: number; seconds: number; cluster: string },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const result: LoadResult = {
    requests: 0,
    events: 0,
    accepted: 0,
    duplicates: 0,
    failures: 0,
    latenciesMs: [],
    seconds: options.seconds,
    bodyBytes: 0,
  };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const path = `/webhook/audit/${options.cluster}`;
  let failureText = '';
  const client = async () => {
    while (performance.now() < deadline) {
      const body = workload.nextBody();
      const t0 = performance.now();
      const response = await post(agent, port, path, body);
      const t1 = performance.now();
      if (t1 > deadline) break;
      if (response.status !== 200) {
        result.failures++;
        failureText ||= `${response.status} ${response.text.slice(0, 300)}`;
        continue;
      }
      const ack = JSON.parse(response.text) as {
        accepted: number;
        duplicates: number;
        rejected: number;
      };
      result.requests++;
      result.events += ack.accepted + ack.duplicates + ack.rejected;
      result.accepted += ack.accepted;
      result.duplicates += ack.duplicates;
      result.bodyBytes += body.length;
      result.latenciesMs.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  agent.destroy();
  if (failureText) process.stderr.write(`first failed request: ${failureText}\n`);
  return result;
}

/** Posts one fresh body twice: the writer must count it accepted once, then all duplicates. */
export async function checkIdempotency(
  workload: Workload,
  port: number,
  batch: number,
): Promise<string> {
  const agent = new Agent({ keepAlive: false });
  try {
    const body = workload.nextBody();
    const first = await post(agent, port, '/webhook/audit/check', body);
    const second = await post(agent, port, '/webhook/audit/check', body);
    const ok =
      first.status === 200 &&
      second.status === 200 &&
      JSON.parse(first.text).accepted === batch &&
      JSON.parse(second.text).duplicates === batch;
    return `${ok ? 'ok' : 'FAILED'} (first ${first.text}, re-send ${second.text})`;
  } finally {
    agent.destroy();
  }
}
