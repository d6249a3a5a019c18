import { Agent } from 'node:http';
import { sleep } from './args';
import { post } from './load';
import type { QueryWorkload } from './query-workload';

export interface BulkLoadResult {
  batches: number;
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failures: number;
  seconds: number;
  latenciesMs: number[];
}

/**
 * Posts every batch the workload makes through the webhook: `clients` concurrent senders, each
 * waiting for its ack before the next batch (as the apiserver's webhook goroutines do). A batch
 * answered 429/503 is retried after a pause (at most `retries` times); any other failure is
 * counted, and the load stops after `maxFailures` of them. Ends when the workload is exhausted.
 */
export async function loadAll(
  workload: QueryWorkload,
  port: number,
  options: {
    clients: number;
    retries?: number;
    maxFailures?: number;
    progress?: (line: string) => void;
    progressEverySeconds?: number;
  },
): Promise<BulkLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const retries = options.retries ?? 5;
  const maxFailures = options.maxFailures ?? 10;
  const result: BulkLoadResult = {
    batches: 0,
    events: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    failures: 0,
    seconds: 0,
    latenciesMs: [],
  };
  const total = workload.remaining;
  const started = performance.now();
  let lastReport = started;
  let firstFailure = '';
  const client = async (): Promise<void> => {
    while (result.failures < maxFailures) {
      const batch = workload.nextBatch();
      if (!batch) return;
      const path = `/webhook/audit/${batch.cluster}`;
      let done = false;
      for (let attempt = 0; attempt <= retries && !done; attempt++) {
        const t0 = performance.now();
        const response = await post(agent, port, path, batch.body).catch((error: unknown) => ({
          status: 0,
          text: String(error),
        }));
        if (response.status === 200) {
          const ack = JSON.parse(response.text) as {
            accepted: number;
            duplicates: number;
            rejected: number;
          };
          result.latenciesMs.push(performance.now() - t0);
          result.batches++;
          result.events += batch.events;
          result.accepted += ack.accepted;
          result.duplicates += ack.duplicates;
          result.rejected += ack.rejected;
          done = true;
        } else if ((response.status === 429 || response.status === 503) && attempt < retries) {
          await sleep(1000 * (attempt + 1));
        } else {
          result.failures++;
          firstFailure ||= `${response.status} ${response.text.slice(0, 300)}`;
          done = true;
        }
      }
      const now = performance.now();
      if (options.progress && now - lastReport > (options.progressEverySeconds ?? 15) * 1000) {
        lastReport = now;
        const rate = result.events / ((now - started) / 1000);
        const left = total - result.events;
        options.progress(
          `  loaded ${result.events.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} events, ` +
            `${Math.round(rate).toLocaleString('en-US')} events/s, ~${Math.round(left / Math.max(rate, 1))} s left`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (firstFailure) process.stderr.write(`first failed batch: ${firstFailure}\n`);
  if (result.failures >= maxFailures)
    throw new Error(`load stopped after ${result.failures} failed batches (${firstFailure})`);
  return result;
}
