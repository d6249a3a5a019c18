import { randomUUID } from 'node:crypto';
import type { SourceBatch } from '../../../src/sources/audit-source';
import {
  EksCloudWatchEntry,
  EksCloudWatchSource,
  eksCloudWatchSource,
} from '../../../src/sources/eks/eks-cloudwatch.source';
import type { SourceContext } from '../../../src/sources/source-definition';
import type { CloudWatchLogsEndpoint, LogEventInput } from '../../support/cloudwatch-logs-endpoint';

/** Dummy credentials: the endpoint checks that requests are signed, not by whom. */
export const DUMMY_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLETESTKEY01',
  AWS_SECRET_ACCESS_KEY: 'dummy-secret-for-the-local-endpoint',
};

export const AUDIT_STREAMS = [
  'kube-apiserver-audit-6a1b2c3d4e5f60718293a4b5c6d7e8f9',
  'kube-apiserver-audit-0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  'kube-apiserver-audit-aaaabbbbccccddddeeeeffff00001111',
];
export const AUTHENTICATOR_STREAM = 'authenticator-6a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const SCHEDULER_STREAM = 'kube-scheduler-6a1b2c3d4e5f60718293a4b5c6d7e8f9';

export class FakeClock {
  constructor(public t: number) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  source: EksCloudWatchSource;
  logs: { level: string; message: string }[];
}

export function eksEntry(
  endpoint: CloudWatchLogsEndpoint,
  fields: Partial<EksCloudWatchEntry> = {},
): EksCloudWatchEntry {
  return Object.assign(new EksCloudWatchEntry(), {
    name: 'eks-test',
    kind: 'eks-cloudwatch',
    cluster: 'prod-eks',
    region: 'eu-west-1',
    endpoint: endpoint.url,
    ...fields,
  });
}

export function makeSource(
  endpoint: CloudWatchLogsEndpoint,
  clock: FakeClock,
  fields: Partial<EksCloudWatchEntry> = {},
  env: Record<string, string> = DUMMY_AWS_ENV,
): Harness {
  const logs: Harness['logs'] = [];
  const context: SourceContext = {
    env,
    now: clock.now,
    log: (level, message) => logs.push({ level, message }),
  };
  const entry = eksEntry(endpoint, fields);
  expect(eksCloudWatchSource.check?.(entry, context) ?? []).toEqual([]);
  const source = eksCloudWatchSource.create(entry, context) as EksCloudWatchSource;
  return { source, logs };
}

export function auditEvent(auditID: string, timestamp: number, extra: object = {}): string {
  const time = new Date(timestamp).toISOString().replace('Z', '000Z');
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/pods',
    verb: 'list',
    user: { username: 'arn:aws:sts::111122223333:assumed-role/eks-admins/alice' },
    sourceIPs: ['192.0.2.44'],
    objectRef: { resource: 'pods', namespace: 'shop', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    ...extra,
  });
}

/** `count` audit events with fresh auditIDs at `timestamp(i)`, as log events. */
export function auditLogEvents(
  count: number,
  timestamp: (i: number) => number,
): { ids: string[]; events: LogEventInput[] } {
  const ids: string[] = [];
  const events: LogEventInput[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    events.push({ timestamp: timestamp(i), message: auditEvent(id, timestamp(i)) });
  }
  return { ids, events };
}

export function auditIDs(batches: SourceBatch[]): string[] {
  return batches.flatMap((b) => b.items.map((item) => (item as { auditID: string }).auditID));
}

/** How often each auditID came out. */
export function counts(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

/**
 * Calls `next` until the source has read everything settled at the clock's time (no window in
 * progress, the next one not due): no real-time idle waits.
 */
export async function drain(source: EksCloudWatchSource, maxCalls = 1000): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  const signal = new AbortController().signal;
  for (let i = 0; i < maxCalls; i++) {
    if (source.idleMs() > 0) return batches;
    const batch = await source.next(signal);
    if (batch) batches.push(batch);
  }
  throw new Error(`not drained after ${maxCalls} calls`);
}
