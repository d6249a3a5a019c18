import { v1 } from '@google-cloud/pubsub';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientConfig } from '../../src/sources/gke/gke-pubsub.source';
import { ChildService, OutputTail, portListening } from './child-service';
import { freeLoopbackPort } from './server-child';

const OUTPUT_TAIL_CHARS = 10_000;
/** Messages per Publish request (the API takes at most 1000 and 10 MB). */
const PUBLISH_CHUNK = 500;

let available: boolean | undefined;

/**
 * Whether the Pub/Sub emulator suites run, decided synchronously so `describe` can use it:
 * gcloud with its `pubsub-emulator` component (and Java). In CI (CI=true) or with
 * REQUIRE_PUBSUB_EMULATOR=1 a missing emulator fails the run; elsewhere the suites are skipped
 * with a loud warning (as the MariaDB suites are).
 */
export function pubsubEmulatorAvailable(): boolean {
  if (available !== undefined) return available;
  const gcloud = spawnSync('gcloud', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const java = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 30_000 });
  let problem: string | undefined;
  if (gcloud.status !== 0) problem = 'gcloud is not installed (or does not run)';
  else if (!/pubsub-emulator/.test(gcloud.stdout)) {
    problem =
      "gcloud's pubsub-emulator component is not installed (gcloud components install pubsub-emulator)";
  } else if (java.status !== 0) problem = 'java (needed by the Pub/Sub emulator) is not installed';
  available = problem === undefined;
  if (problem) {
    if (process.env.CI === 'true' || process.env.REQUIRE_PUBSUB_EMULATOR === '1') {
      throw new Error(`${problem}; CI requires the Pub/Sub emulator (GKE source) suites`);
    }
    console.warn(`\n!!!!! ${problem}: SKIPPING the Pub/Sub emulator (GKE source) suites !!!!!\n`);
  }
  return available;
}

/** A message to publish: its data (a LogEntry's JSON, or anything) and attributes. */
export interface Publishable {
  data: Buffer | string;
  attributes?: Record<string, string>;
}

/**
 * Google's Pub/Sub emulator (`gcloud beta emulators pubsub start`: the same gRPC API as the
 * real service, used through the real SDK) on a free loopback port, its data in a temporary
 * directory removed on stop. gcloud runs the emulator as a Java child: the whole process
 * group is stopped.
 */
export class PubSubEmulator {
  private child?: ChildService;
  private readonly output = new OutputTail(OUTPUT_TAIL_CHARS);
  private dataDir?: string;
  private port = 0;

  /** `127.0.0.1:<port>`, what PUBSUB_EMULATOR_HOST holds. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The environment a source (or the server) needs to talk to this emulator. */
  get env(): Record<string, string> {
    return { PUBSUB_EMULATOR_HOST: this.host };
  }

  async start(withinMs = 60_000): Promise<void> {
    this.port = await freeLoopbackPort();
    this.dataDir = mkdtempSync(join(tmpdir(), 'pubsub-emulator-'));
    const child = new ChildService(
      'gcloud',
      [
        'beta',
        'emulators',
        'pubsub',
        'start',
        `--host-port=${this.host}`,
        `--data-dir=${this.dataDir}`,
        '--quiet',
      ],
      // A process group of its own, so that stop() reaches the Java child too.
      { detached: true },
      this.output,
    );
    this.child = child;
    await child.waitReady({
      ready: async () => (await portListening(this.port)) && (await this.answers()),
      withinMs,
      everyMs: 250,
      exited: 'the Pub/Sub emulator exited',
      timedOut: `the Pub/Sub emulator did not start within ${withinMs} ms`,
      onTimeout: () => this.stop(),
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    // The whole group, SIGKILLed after the exit too: gcloud may exit before its Java child.
    if (child?.child.pid !== undefined && child.running) await child.stop(5_000);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = undefined;
  }

  /** What the emulator printed (for failure messages). */
  log(): string {
    return this.output.text;
  }

  /** A topic and a pull subscription to it (ack deadline in seconds, 10 to 600). */
  async createTopicAndSubscription(
    projectId: string,
    topic: string,
    subscription: string,
    ackDeadlineSeconds = 10,
  ): Promise<void> {
    const options = clientConfig(
      { name: 'test', kind: 'gke-pubsub', projectId, subscription },
      this.env,
    );
    const publisher = new v1.PublisherClient(options);
    const subscriber = new v1.SubscriberClient(options);
    try {
      await publisher.createTopic({ name: `projects/${projectId}/topics/${topic}` });
      await subscriber.createSubscription({
        name: `projects/${projectId}/subscriptions/${subscription}`,
        topic: `projects/${projectId}/topics/${topic}`,
        ackDeadlineSeconds,
      });
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  }

  /** Publishes the messages in order (Publish requests of 500); returns their message ids. */
  async publish(projectId: string, topic: string, messages: Publishable[]): Promise<string[]> {
    const publisher = new v1.PublisherClient(
      clientConfig(
        { name: 'test', kind: 'gke-pubsub', projectId, subscription: 'unused' },
        this.env,
      ),
    );
    const ids: string[] = [];
    try {
      for (let i = 0; i < messages.length; i += PUBLISH_CHUNK) {
        const [response] = await publisher.publish({
          topic: `projects/${projectId}/topics/${topic}`,
          messages: messages.slice(i, i + PUBLISH_CHUNK).map((m) => ({
            data: typeof m.data === 'string' ? Buffer.from(m.data, 'utf8') : m.data,
            attributes: m.attributes ?? {},
          })),
        });
        ids.push(...(response.messageIds ?? []));
      }
    } finally {
      await publisher.close();
    }
    return ids;
  }

  /** The gRPC API answers (the port opens a moment before the service is ready). */
  private async answers(): Promise<boolean> {
    const publisher = new v1.PublisherClient(
      clientConfig(
        { name: 'probe', kind: 'gke-pubsub', projectId: 'probe-project', subscription: 'probe' },
        this.env,
      ),
    );
    try {
      await publisher.listTopics(
        { project: 'projects/probe-project' },
        { timeout: 2_000, retry: { retryCodes: [] }, autoPaginate: false },
      );
      return true;
    } catch {
      return false;
    } finally {
      await publisher.close();
    }
  }
}
