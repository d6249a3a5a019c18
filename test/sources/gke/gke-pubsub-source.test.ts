import { randomBytes } from 'node:crypto';
import type { SourceBatch } from '../../../src/sources/audit-source';
import type { SourceContext } from '../../../src/sources/source-definition';
import {
  GkePubSubEntry,
  GkePubSubLimits,
  GkePubSubSource,
  gkePubSubSource,
} from '../../../src/sources/gke/gke-pubsub.source';
import { PubSubEmulator, pubsubEmulatorAvailable } from '../../support/pubsub-emulator';
import {
  auditIdOf,
  gkeFixtureEntries,
  inCluster,
  isKubernetesEntry,
  Json,
  sinkMessage,
} from './gke-fixtures';

jest.setTimeout(120_000);

const PROJECT = 'test-project';
const describeIfEmulator = pubsubEmulatorAvailable() ? describe : describe.skip;

function auditIdsOf(batch: SourceBatch): string[] {
  return batch.items.map((item) => (item as Json).auditID as string);
}

describeIfEmulator('gke-pubsub source against the Pub/Sub emulator', () => {
  const emulator = new PubSubEmulator();
  const logs: string[] = [];
  const open: GkePubSubSource[] = [];

  beforeAll(async () => {
    await emulator.start();
  });
  afterAll(async () => {
    await emulator.stop();
  });
  afterEach(async () => {
    for (const source of open.splice(0)) await source.close();
  });

  const context = (): SourceContext => ({
    env: emulator.env,
    log: (level, message) => logs.push(`${level}: ${message}`),
    now: () => Date.now(),
  });

  /** A fresh topic and subscription; the entry of a source reading it. */
  async function fixture(
    ackDeadlineSeconds = 10,
    extra: Partial<GkePubSubEntry> = {},
  ): Promise<{ topic: string; entry: GkePubSubEntry }> {
    const id = randomBytes(4).toString('hex');
    const topic = `audit-${id}`;
    const subscription = `audit-${id}-sub`;
    await emulator.createTopicAndSubscription(PROJECT, topic, subscription, ackDeadlineSeconds);
    const entry = Object.assign(new GkePubSubEntry(), {
      name: `gke-${id}`,
      kind: 'gke-pubsub' as const,
      projectId: PROJECT,
      subscription,
      ...extra,
    });
    return { topic, entry };
  }

  async function openSource(
    entry: GkePubSubEntry,
    limits: Partial<GkePubSubLimits> = {},
  ): Promise<GkePubSubSource> {
    const source = new GkePubSubSource(entry, context(), { pullWaitMs: 2_000, ...limits });
    await source.open(undefined);
    open.push(source);
    return source;
  }

  /**
   * Batches until `messages` messages' worth were handed out (items + rejected + skipped) or
   * two pulls in a row came back empty. Pub/Sub may answer a pull with fewer messages than
   * it has.
   */
  async function drain(source: GkePubSubSource, messages: number): Promise<SourceBatch[]> {
    const batches: SourceBatch[] = [];
    let seen = 0;
    let empty = 0;
    const until = Date.now() + 60_000;
    while (seen < messages && empty < 2 && Date.now() < until) {
      const batch = await source.next(new AbortController().signal);
      if (!batch) {
        empty++;
        continue;
      }
      empty = 0;
      batches.push(batch);
      seen += batch.items.length + batch.rejected.length + batch.skipped;
    }
    return batches;
  }

  async function acknowledgeAll(batches: SourceBatch[]): Promise<void> {
    for (const batch of batches) await batch.acknowledge?.();
  }

  it('turns the sink’s GKE LogEntries into audit Events of their cluster, skips and acks the others', async () => {
    const { topic, entry } = await fixture();
    const entries = gkeFixtureEntries();
    const k8s = entries.filter(isKubernetesEntry);
    expect(k8s.length).toBe(8);
    expect(entries.length - k8s.length).toBe(1);
    await emulator.publish(PROJECT, topic, entries.map(sinkMessage));

    const source = await openSource(entry);
    const batches = await drain(source, entries.length);
    expect(batches.every((b) => b.cluster === 'prod-eu')).toBe(true);
    expect(batches.every((b) => b.checkpoint === undefined)).toBe(true);
    const ids = batches.flatMap(auditIdsOf);
    expect(ids.sort()).toEqual(k8s.map(auditIdOf).sort());
    // Events as the webhook gets them: audit.k8s.io/v1, out of the LogEntry envelope.
    for (const item of batches.flatMap((b) => b.items) as Json[]) {
      expect(item.apiVersion).toBe('audit.k8s.io/v1');
      expect(item.kind).toBe('Event');
      expect(item.protoPayload).toBeUndefined();
    }
    expect(batches.reduce((n, b) => n + b.skipped, 0)).toBe(1);
    expect(batches.flatMap((b) => b.rejected)).toEqual([]);

    await acknowledgeAll(batches);
    await source.close();
    // Acknowledged, skipped one included: nothing comes back, even to a new reader.
    const again = await openSource(entry);
    expect(await drain(again, 1)).toEqual([]);
  });

  it('hands over one batch per cluster, each acknowledging exactly its own messages', async () => {
    const { topic, entry } = await fixture();
    const k8s = gkeFixtureEntries().filter(isKubernetesEntry);
    const eu = k8s.slice(0, 4);
    const us = k8s.slice(4).map((e) => inCluster(e, 'prod-us'));
    await emulator.publish(
      PROJECT,
      topic,
      [eu[0], us[0], eu[1], us[1], eu[2], us[2], eu[3], us[3]].map(sinkMessage),
    );

    const source = await openSource(entry);
    const batches = await drain(source, 8);
    const byCluster = new Map<string, string[]>();
    for (const batch of batches) {
      byCluster.set(batch.cluster, [...(byCluster.get(batch.cluster) ?? []), ...auditIdsOf(batch)]);
    }
    expect([...byCluster.keys()].sort()).toEqual(['prod-eu', 'prod-us']);
    expect(byCluster.get('prod-eu')?.sort()).toEqual(eu.map(auditIdOf).sort());
    expect(byCluster.get('prod-us')?.sort()).toEqual(us.map(auditIdOf).sort());

    // Only prod-us's batches are committed; prod-eu's come back, and only they do.
    for (const batch of batches.filter((b) => b.cluster === 'prod-us')) await batch.acknowledge?.();
    await source.close();
    const reader = await openSource(entry);
    const redelivered = await drain(reader, 4);
    expect(redelivered.every((b) => b.cluster === 'prod-eu')).toBe(true);
    expect(redelivered.flatMap(auditIdsOf).sort()).toEqual(eu.map(auditIdOf).sort());
    await acknowledgeAll(redelivered);
  });

  it('stores every event under the configured cluster when the entry names one', async () => {
    const { topic, entry } = await fixture(10, { cluster: 'shared-gke' });
    const k8s = gkeFixtureEntries().filter(isKubernetesEntry);
    await emulator.publish(PROJECT, topic, [k8s[0], inCluster(k8s[1], 'prod-us')].map(sinkMessage));
    const source = await openSource(entry);
    const batches = await drain(source, 2);
    expect(batches.map((b) => b.cluster)).toEqual(['shared-gke']);
    expect(auditIdsOf(batches[0]).sort()).toEqual([auditIdOf(k8s[0]), auditIdOf(k8s[1])].sort());
    await acknowledgeAll(batches);
  });

  it('rejects what is not a convertible LogEntry with a reason naming the message, and acks it with its batch', async () => {
    const { topic, entry } = await fixture();
    const [good] = gkeFixtureEntries().filter(isKubernetesEntry);
    const noTime = structuredClone(good);
    delete noTime.timestamp;
    delete noTime.receiveTimestamp;
    const badCluster = inCluster(good, 'Prod_EU!');
    const noCluster = structuredClone(good);
    delete noCluster.resource;
    const ids = await emulator.publish(PROJECT, topic, [
      { data: 'this is not JSON {' },
      { data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
      sinkMessage(noTime),
      sinkMessage(badCluster),
      sinkMessage(noCluster),
      sinkMessage(good),
      { data: 'x'.repeat(5_000) },
    ]);

    const source = await openSource(entry, { maxMessageBytes: 4_096 });
    const batches = await drain(source, 7);
    const rejected = batches.flatMap((b) => b.rejected.map((r) => ({ ...r, cluster: b.cluster })));
    const reasonOf = (id: string) =>
      rejected.find((r) => r.reason.startsWith(`Pub/Sub message ${id}:`));
    expect(rejected).toHaveLength(6);

    expect(reasonOf(ids[0])?.reason).toMatch(/data is not JSON/);
    expect(reasonOf(ids[0])?.record).toBe('this is not JSON {');
    expect(reasonOf(ids[1])?.reason).toMatch(/not UTF-8/);
    // A k8s.io entry the converter refuses: quarantined whole, under its own cluster.
    expect(reasonOf(ids[2])?.reason).toMatch(/GKE LogEntry: LogEntry has no timestamp/);
    expect(reasonOf(ids[2])?.record).toEqual(noTime);
    expect(reasonOf(ids[2])?.cluster).toBe('prod-eu');
    // No usable cluster: quarantined under "default", as the webhook does.
    expect(reasonOf(ids[3])?.reason).toMatch(
      /cluster_name "Prod_EU!" is not a usable cluster name/,
    );
    expect(reasonOf(ids[3])?.cluster).toBe('default');
    expect(reasonOf(ids[4])?.reason).toMatch(/no resource\.labels\.cluster_name/);
    expect(reasonOf(ids[6])?.reason).toMatch(/5000 bytes, over the 4096-byte limit/);
    // The reasons never carry the content.
    expect(rejected.some((r) => r.reason.includes('this is not JSON'))).toBe(false);

    const events = batches.flatMap(auditIdsOf);
    expect(events).toEqual([auditIdOf(good)]);

    await acknowledgeAll(batches);
    await source.close();
    const again = await openSource(entry);
    expect(await drain(again, 1)).toEqual([]);
  });

  it('gives back what was not acknowledged: redelivered after close and reopen, acknowledged ones never', async () => {
    const { topic, entry } = await fixture(60);
    const k8s = gkeFixtureEntries().filter(isKubernetesEntry);
    await emulator.publish(
      PROJECT,
      topic,
      k8s.map((e, i) => sinkMessage(inCluster(e, i % 2 ? 'odd' : 'even'))),
    );
    const first = await openSource(entry);
    const batches = await drain(first, k8s.length);
    const acked = batches.filter((b) => b.cluster === 'even');
    const dropped = batches.filter((b) => b.cluster === 'odd');
    expect(acked.length).toBeGreaterThan(0);
    expect(dropped.length).toBeGreaterThan(0);
    await acknowledgeAll(acked);
    // close gives the unacknowledged back at once (ack deadline 0), well before the 60 s deadline.
    const started = Date.now();
    await first.close();
    const second = await openSource(entry);
    const redelivered = await drain(second, dropped.flatMap((b) => b.items).length);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(redelivered.flatMap(auditIdsOf).sort()).toEqual(dropped.flatMap(auditIdsOf).sort());
    // An acknowledgement after close is refused loudly rather than lost silently.
    await expect(dropped[0].acknowledge?.()).rejects.toThrow(/closed before the acknowledgement/);
    await acknowledgeAll(redelivered);
    await second.close();
    const third = await openSource(entry);
    expect(await drain(third, 1)).toEqual([]);
  });

  it('after a crash (no close, no ack), the messages come back to the next reader once the ack deadline passes', async () => {
    const { topic, entry } = await fixture(10);
    const k8s = gkeFixtureEntries().filter(isKubernetesEntry).slice(0, 3);
    await emulator.publish(PROJECT, topic, k8s.map(sinkMessage));
    // The crashed replica: pulled, never acknowledged nor closed (its client stays open here).
    const crashed = new GkePubSubSource(entry, context(), { pullWaitMs: 2_000 });
    await crashed.open(undefined);
    const lost = await drain(crashed, 3);
    expect(lost.flatMap(auditIdsOf)).toHaveLength(3);

    const survivor = await openSource(entry);
    const started = Date.now();
    const back: SourceBatch[] = [];
    while (back.flatMap(auditIdsOf).length < 3 && Date.now() - started < 40_000) {
      const batch = await survivor.next(new AbortController().signal);
      if (batch) back.push(batch);
    }
    expect(back.flatMap(auditIdsOf).sort()).toEqual(k8s.map(auditIdOf).sort());
    // Not before the 10 s deadline: the crashed reader's messages were not given back early.
    expect(Date.now() - started).toBeGreaterThan(5_000);
    await acknowledgeAll(back);
    // The crashed reader's late acknowledgement of expired ack ids changes nothing.
    await acknowledgeAll(lost);
    open.push(crashed);
  });

  it('ends next() promptly when the signal aborts, and loses nothing the aborted pull received', async () => {
    const { topic, entry } = await fixture();
    const source = await openSource(entry, { pullWaitMs: 10_000 });
    const aborted = new AbortController();
    aborted.abort();
    let started = Date.now();
    expect(await source.next(aborted.signal)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(100);

    const controller = new AbortController();
    started = Date.now();
    const waiting = source.next(controller.signal);
    setTimeout(() => controller.abort(), 300);
    expect(await waiting).toBeUndefined();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1_500);

    // A message published while that pull is still out is handed over by the next call.
    const [good] = gkeFixtureEntries().filter(isKubernetesEntry);
    await emulator.publish(PROJECT, topic, [sinkMessage(good)]);
    const batches = await drain(source, 1);
    expect(batches.flatMap(auditIdsOf)).toEqual([auditIdOf(good)]);
    await acknowledgeAll(batches);
  });

  it('answers "nothing new" within the pull wait on an empty subscription, and throws on a missing one', async () => {
    const { entry } = await fixture();
    const source = await openSource(entry);
    const started = Date.now();
    expect(await source.next(new AbortController().signal)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);

    const missing = await openSource(
      Object.assign(new GkePubSubEntry(), { ...entry, subscription: 'no-such-subscription' }),
    );
    await expect(missing.next(new AbortController().signal)).rejects.toThrow(
      /pull from projects\/test-project\/subscriptions\/no-such-subscription failed: .*NOT_FOUND/,
    );
  });

  it('is the definition the registry uses: kind, entry class and constructor', async () => {
    const { topic, entry } = await fixture();
    expect(gkePubSubSource.kind).toBe('gke-pubsub');
    expect(gkePubSubSource.check?.(entry, context())).toEqual([]);
    const source = gkePubSubSource.create(entry, context());
    expect(source.name).toBe(entry.name);
    await source.open(undefined);
    const [good] = gkeFixtureEntries().filter(isKubernetesEntry);
    await emulator.publish(PROJECT, topic, [sinkMessage(good)]);
    let batch: SourceBatch | undefined;
    for (let i = 0; i < 5 && !batch; i++) batch = await source.next(new AbortController().signal);
    expect(batch && auditIdsOf(batch)).toEqual([auditIdOf(good)]);
    await batch?.acknowledge?.();
    await source.close();
  });
});
