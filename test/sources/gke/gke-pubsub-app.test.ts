import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PubSubEmulator, pubsubEmulatorAvailable } from '../../support/pubsub-emulator';
import { backends, startTestApp, TestApp } from '../../support/test-app';
import {
  auditIdOf,
  expectNothingLeft,
  gkeFixtureEntries,
  inCluster,
  isKubernetesEntry,
  sinkMessage,
} from './gke-fixtures';

jest.setTimeout(120_000);

const PROJECT = 'test-project';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeIfEmulator = pubsubEmulatorAvailable() ? describe : describe.skip;

interface Item {
  auditID: string;
  verb: string;
}

describeIfEmulator('gke-pubsub through the app (SOURCES_FILE, the runner, the events API)', () => {
  const emulator = new PubSubEmulator();
  let dir: string;
  const savedEmulatorHost = process.env.PUBSUB_EMULATOR_HOST;

  beforeAll(async () => {
    await emulator.start();
    dir = mkdtempSync(join(tmpdir(), 'gke-sources-'));
    // The runner hands sources the process environment (as in production).
    process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  });
  afterAll(async () => {
    if (savedEmulatorHost === undefined) delete process.env.PUBSUB_EMULATOR_HOST;
    else process.env.PUBSUB_EMULATOR_HOST = savedEmulatorHost;
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(backends())('on %s', (backend) => {
    let app: TestApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('stores the sink’s events under their cluster, quarantines garbage, and acknowledges all of it', async () => {
      const id = randomBytes(4).toString('hex');
      const topic = `e2e-${id}`;
      const subscription = `e2e-${id}-sub`;
      const cluster = `gke-${backend}-${id}`;
      await emulator.createTopicAndSubscription(PROJECT, topic, subscription, 10);
      const sourcesFile = join(dir, `sources-${id}.yaml`);
      writeFileSync(
        sourcesFile,
        [
          'sources:',
          `  - name: gke-${id}`,
          '    kind: gke-pubsub',
          `    projectId: ${PROJECT}`,
          `    subscription: projects/${PROJECT}/subscriptions/${subscription}`,
          '    maxMessages: 4',
          '',
        ].join('\n'),
      );
      const entries = gkeFixtureEntries().map((e) => inCluster(e, cluster));
      const k8s = entries.filter(isKubernetesEntry);
      await emulator.publish(PROJECT, topic, [
        ...entries.map(sinkMessage),
        { data: 'not a LogEntry at all' },
      ]);

      app = await startTestApp(backend, {
        SOURCES_FILE: sourcesFile,
        PUBSUB_EMULATOR_HOST: emulator.host,
      });
      const url = `${app.url}/api/v1/events?cluster=${cluster}&limit=100`;
      let items: Item[] = [];
      const until = Date.now() + 60_000;
      while (items.length < k8s.length && Date.now() < until) {
        const response = await fetch(url);
        expect(response.status).toBe(200);
        items = ((await response.json()) as { items: Item[] }).items;
        if (items.length < k8s.length) await sleep(200);
      }
      expect(items.map((item) => item.auditID).sort()).toEqual(k8s.map(auditIdOf).sort());
      // Converted, then read back like any stored event (the exec entry is a create of pods/exec).
      expect(items.find((item) => item.auditID === auditIdOf(k8s[0]))?.verb).toBe('create');

      // The unparseable message went to quarantine with its reason (under "default": it names no cluster).
      const dataSource = app.app.get(DataSource);
      let quarantined: { cluster: string; reason: string; raw: string }[] = [];
      for (let i = 0; i < 50 && quarantined.length === 0; i++) {
        quarantined = (await dataSource.query(
          `SELECT cluster, reason, raw FROM audit_quarantine WHERE reason LIKE ?`,
          ['%data is not JSON%'],
        )) as typeof quarantined;
        if (quarantined.length === 0) await sleep(200);
      }
      expect(quarantined).toHaveLength(1);
      expect(quarantined[0].cluster).toBe('default');
      expect(quarantined[0].raw).toContain('not a LogEntry at all');

      // The runner's metrics name the source.
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`source="gke-${id}"`));

      // A graceful stop finishes the acknowledgements: a new reader finds nothing left.
      await app.close();
      app = undefined;
      await expectNothingLeft(emulator, PROJECT, subscription);
    });
  });
});
