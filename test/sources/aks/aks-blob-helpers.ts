import { randomBytes } from 'node:crypto';
import { ContainerClient } from '@azure/storage-blob';
import type { AuditSource, SourceBatch } from '../../../src/sources/audit-source';

/** The resource id part of AKS blob names, as Azure writes it (upper case). */
export function resourceHead(cluster: string): string {
  return (
    'resourceId=/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG-TEST/' +
    `PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/${cluster.toUpperCase()}`
  );
}

/** The blob a diagnostic setting writes for `cluster` and the hour holding `ms`. */
export function blobName(cluster: string, ms: number): string {
  const t = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${resourceHead(cluster)}/y=${t.getUTCFullYear()}/m=${pad(t.getUTCMonth() + 1)}` +
    `/d=${pad(t.getUTCDate())}/h=${pad(t.getUTCHours())}/m=00/PT1H.json`
  );
}

/** A valid audit Event with its own auditID. */
export function auditEvent(auditID: string, ms = Date.UTC(2026, 10, 30, 13, 0, 1)): object {
  const at = new Date(ms).toISOString().replace('Z', '000Z');
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/pods',
    verb: 'list',
    user: { username: 'alice@contoso.com', groups: ['system:authenticated'] },
    sourceIPs: ['192.0.2.10'],
    userAgent: 'kubectl/v1.31.2',
    objectRef: { resource: 'pods', namespace: 'shop', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
}

/** One line as AKS writes it to the blob (with its newline). */
export function aksLine(event: object, category = 'kube-audit'): string {
  return (
    JSON.stringify({
      time: new Date().toISOString(),
      resourceId: resourceHead('aks-test').slice('resourceId='.length),
      category,
      operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read',
      properties: {
        log: `${JSON.stringify(event)}\n`,
        stream: 'stdout',
        pod: 'kube-apiserver-5f8c9d7b6-q4w2e',
      },
    }) + '\n'
  );
}

/** `n` lines of distinct events; their auditIDs. */
export function lines(
  n: number,
  tag = randomBytes(3).toString('hex'),
): { text: string; ids: string[] } {
  const ids: string[] = [];
  let text = '';
  for (let i = 0; i < n; i++) {
    const id = `${tag}-${String(i).padStart(6, '0')}`;
    ids.push(id);
    text += aksLine(auditEvent(id));
  }
  return { text, ids };
}

export async function append(
  container: ContainerClient,
  name: string,
  text: string | Buffer,
): Promise<void> {
  const blob = container.getAppendBlobClient(name);
  await blob.createIfNotExists();
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // An append block is at most 4 MiB (100 MiB on newer service versions; Azurite keeps 4).
  const block = 4 * 1024 * 1024;
  for (let at = 0; at < body.length; at += block) {
    const part = body.subarray(at, at + block);
    await blob.appendBlock(part, part.length);
  }
}

export interface Drained {
  batches: SourceBatch[];
  ids: string[];
  rejected: SourceBatch['rejected'];
  skipped: number;
  checkpoint?: string;
}

/**
 * Calls `next` until it answers `undefined` `idle` times in a row (with pollSeconds 1, two
 * idle answers mean a listing after the last append found nothing more).
 */
export async function drain(source: AuditSource, idle = 2, maxCalls = 500): Promise<Drained> {
  const out: Drained = { batches: [], ids: [], rejected: [], skipped: 0 };
  let quiet = 0;
  for (let calls = 0; calls < maxCalls && quiet < idle; calls++) {
    const batch = await source.next(AbortSignal.timeout(30_000));
    if (!batch) {
      quiet++;
      continue;
    }
    quiet = 0;
    out.batches.push(batch);
    out.ids.push(...batch.items.map((e) => (e as { auditID: string }).auditID));
    out.rejected.push(...batch.rejected);
    out.skipped += batch.skipped;
    if (batch.checkpoint !== undefined) out.checkpoint = batch.checkpoint;
  }
  return out;
}
