import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GkePubSubEntry, GkePubSubSource } from '../../../src/sources/gke/gke-pubsub.source';
import type { PubSubEmulator } from '../../support/pubsub-emulator';

export type Json = Record<string, unknown>;

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'managed', 'gke', 'k8s-audit.jsonl');

/** The GKE fixture's LogEntries (8 of k8s.io, 1 container.googleapis.com operation). */
export function gkeFixtureEntries(): Json[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);
}

export function isKubernetesEntry(entry: Json): boolean {
  const payload = entry.protoPayload as Json | undefined;
  return payload?.serviceName === 'k8s.io';
}

/** The audit ID the converter gives an entry (operation.id). */
export function auditIdOf(entry: Json): string {
  return (entry.operation as Json).id as string;
}

/** A copy with another cluster name. */
export function inCluster(entry: Json, cluster: string): Json {
  const copy = structuredClone(entry);
  const resource = copy.resource as Json;
  (resource.labels as Json).cluster_name = cluster;
  return copy;
}

/**
 * The k8s.io fixture entries made into `count` distinct ones (their own operation.id and
 * insertId, timestamps a millisecond apart), as a busy cluster's sink would publish them.
 */
export function distinctEntries(count: number, run: string): Json[] {
  const k8s = gkeFixtureEntries().filter(isKubernetesEntry);
  const base = Date.parse('2026-11-30T10:00:00.000Z');
  return Array.from({ length: count }, (_, i) => {
    const entry = structuredClone(k8s[i % k8s.length]);
    const n = String(i).padStart(6, '0');
    entry.insertId = `${run}-${n}`;
    (entry.operation as Json).id = `${run}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const time = new Date(base + i).toISOString().replace('Z', '123Z');
    entry.timestamp = time;
    entry.receiveTimestamp = time;
    return entry;
  });
}

/** What a Log Router sink publishes: the LogEntry's JSON and its timestamp attribute. */
export function sinkMessage(entry: Json): { data: string; attributes: Record<string, string> } {
  return {
    data: JSON.stringify(entry),
    attributes: { 'logging.googleapis.com/timestamp': String(entry.timestamp ?? '') },
  };
}

/** A new reader of the subscription pulls nothing (three pulls of 1 s): all was acknowledged. */
export async function expectNothingLeft(
  emulator: PubSubEmulator,
  projectId: string,
  subscription: string,
): Promise<void> {
  const reader = new GkePubSubSource(
    Object.assign(new GkePubSubEntry(), {
      name: 'check',
      kind: 'gke-pubsub' as const,
      projectId,
      subscription,
    }),
    { env: emulator.env, log: () => undefined, now: Date.now },
    { pullWaitMs: 1_000 },
  );
  await reader.open(undefined);
  try {
    for (let i = 0; i < 3; i++) {
      const left = await reader.next(new AbortController().signal);
      expect(left && { cluster: left.cluster, items: left.items.length }).toBeUndefined();
    }
  } finally {
    await reader.close();
  }
}
