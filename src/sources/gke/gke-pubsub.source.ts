/**
 * GKE audit logs through a Cloud Logging Log Router sink whose destination is a Pub/Sub topic:
 * each message's data is one `LogEntry` (JSON). This source pulls the sink's subscription
 * synchronously (`Pull`, no streaming listener: nothing is acknowledged or lease-extended behind
 * the runner's back) and hands each cluster's entries to the runner as one batch whose
 * `acknowledge` acks exactly the messages it carries, after the runner's commit. Pub/Sub's ack
 * is the checkpoint: a message pulled and not acknowledged comes back after the subscription's
 * ack deadline (or at once, after `close`, which gives its unacknowledged messages back), and
 * the content hash drops the copy that was already stored. See docs/sources/gke-pubsub.md.
 */

import { PubSub, v1 } from '@google-cloud/pubsub';
import type { ClientConfig, protos } from '@google-cloud/pubsub';

type SubscriberOptions = NonNullable<ConstructorParameters<typeof v1.SubscriberClient>[0]>;
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CLUSTER_NAME } from '../../config/app-config';
import { extractEventsDetailed } from '../../import/extract-events';
import { DEFAULT_CLUSTER } from '../../ingest/webhook-cluster';
import type { AuditSource, RejectedRecord, SourceBatch } from '../audit-source';
import type { SourceContext, SourceDefinition, SourceEntryBase } from '../source-definition';

export const GKE_KIND = 'gke-pubsub';

/** Messages per pull unless the entry says otherwise (Pub/Sub's own maximum is 1000). */
export const DEFAULT_MAX_MESSAGES = 500;
/**
 * A message bigger than this is refused unread (quarantined with its first bytes). Pub/Sub's
 * limit is 10 MB and a Cloud Logging entry is at most 256 KB, so only a foreign publisher
 * gets here.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** How much of an unreadable message the quarantine keeps (its size is in the reason). */
export const MAX_REJECTED_CHARS = 64 * 1024;
/**
 * How long one pull waits for messages before `next` answers "nothing new". Pub/Sub holds a
 * pull without returnImmediately (deprecated) until a message comes or its own bounded wait
 * ends; the call's deadline bounds it on our side.
 */
export const PULL_WAIT_MS = 5_000;
/** Acknowledge and modifyAckDeadline calls: retried on UNAVAILABLE up to this long. */
const ACK_TIMEOUT_MS = 30_000;
/** Ack ids per Acknowledge/ModifyAckDeadline request (the API's request limit is 512 KB). */
const ACK_IDS_PER_REQUEST = 500;
/** Reasons of one message's conversion errors kept in its quarantine reason. */
const MAX_REASONS = 3;

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A project id (6-30 characters), optionally domain-scoped (`example.com:my-project`). */
const PROJECT_ID = /^([a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** A subscription id (3-255 characters, not starting with goog) or its full resource name. */
const SUBSCRIPTION_ID = '(?!goog)[A-Za-z][A-Za-z0-9._~+%-]{2,254}';
const SUBSCRIPTION = new RegExp(
  `^(projects/([a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]/subscriptions/)?${SUBSCRIPTION_ID}$`,
);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** `host:port`, `[v6]:port` or `http://host:port` (what PUBSUB_EMULATOR_HOST holds). */
const EMULATOR_HOST = /^(?:https?:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/;

const MAX_MESSAGES_MESSAGE = 'must be a whole number from 1 to 1000';

/** One `gke-pubsub` entry of the sources file. */
export class GkePubSubEntry implements SourceEntryBase {
  @Matches(SOURCE_NAME, { message: 'must match [a-z0-9][a-z0-9-]{0,62}' })
  name!: string;

  @IsIn([GKE_KIND], { message: `must be ${GKE_KIND}` })
  kind!: typeof GKE_KIND;

  /** Every event is stored under this cluster; unset: each LogEntry's resource.labels.cluster_name. */
  @IsOptional()
  @Matches(CLUSTER_NAME, {
    message:
      'must be 1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit',
  })
  cluster?: string;

  /** The project the subscription's short name belongs to (and the client's quota project). */
  @Matches(PROJECT_ID, { message: 'is required: a Google Cloud project id such as acme-prod' })
  projectId!: string;

  /** `audit-sub` or `projects/<project>/subscriptions/audit-sub`. */
  @Matches(SUBSCRIPTION, {
    message:
      'is required: a subscription id (3-255 characters: letters, digits, . _ ~ + % -, starting with a letter) or projects/<project>/subscriptions/<id>',
  })
  subscription!: string;

  /** Messages per pull, 1 to 1000 (default 500): the largest batch this source hands over. */
  @IsOptional()
  @IsInt({ message: MAX_MESSAGES_MESSAGE })
  @Min(1, { message: MAX_MESSAGES_MESSAGE })
  @Max(1000, { message: MAX_MESSAGES_MESSAGE })
  maxMessages?: number;

  /**
   * The name of an environment variable holding the path of a service-account JSON key file;
   * unset: Google's Application Default Credentials (Workload Identity on GKE).
   */
  @IsOptional()
  @Matches(ENV_NAME, { message: 'must be the name of an environment variable' })
  credentialsFileEnv?: string;
}

/** The subscription's full resource name. */
export function subscriptionPath(
  entry: Pick<GkePubSubEntry, 'projectId' | 'subscription'>,
): string {
  return entry.subscription.startsWith('projects/')
    ? entry.subscription
    : `projects/${entry.projectId}/subscriptions/${entry.subscription}`;
}

/** Limits a test may lower (the sources file cannot). */
export interface GkePubSubLimits {
  maxMessageBytes: number;
  pullWaitMs: number;
}

type Received = protos.google.pubsub.v1.IReceivedMessage;
type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** gRPC status codes met here. */
const DEADLINE_EXCEEDED = 4;

function grpcCode(error: unknown): number | undefined {
  const code = isObject(error) ? error.code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** What one message turned into. */
interface Converted {
  /** undefined: the message is skipped or rejected without a usable cluster. */
  cluster: string | undefined;
  items: unknown[];
  rejected?: RejectedRecord;
  skipped: number;
}

interface PendingBatch {
  cluster: string;
  items: unknown[];
  rejected: RejectedRecord[];
  skipped: number;
  ackIds: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * The cluster a LogEntry's events belong to: the entry's configured cluster, else
 * `resource.labels.cluster_name` when it is a usable cluster name.
 */
function clusterOf(
  doc: unknown,
  configured: string | undefined,
): { ok: true; cluster: string } | { ok: false; reason: string } {
  if (configured !== undefined) return { ok: true, cluster: configured };
  const resource = isObject(doc) ? doc.resource : undefined;
  const labels = isObject(resource) ? resource.labels : undefined;
  const name = isObject(labels) ? labels.cluster_name : undefined;
  if (name === undefined) {
    return {
      ok: false,
      reason: 'no resource.labels.cluster_name, and the source names no cluster',
    };
  }
  if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
    return {
      ok: false,
      reason: `resource.labels.cluster_name ${cut(JSON.stringify(name) ?? String(name), 80)} is not a usable cluster name (1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit)`,
    };
  }
  return { ok: true, cluster: name };
}

/**
 * One Pub/Sub message to events (pure): bounded size, UTF-8, JSON, then the importer's
 * converters (`extractEventsDetailed`: a GKE LogEntry becomes an Event, other services'
 * entries are skipped). Reasons name the message id, never its content.
 */
export function convertMessage(
  received: Received,
  configuredCluster: string | undefined,
  maxMessageBytes = MAX_MESSAGE_BYTES,
): Converted {
  const message = received.message ?? {};
  const id = `Pub/Sub message ${message.messageId ?? '(no id)'}`;
  const raw = message.data;
  const data =
    raw === undefined || raw === null
      ? Buffer.alloc(0)
      : typeof raw === 'string'
        ? Buffer.from(raw, 'base64')
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const reject = (record: unknown, reason: string, cluster = configuredCluster): Converted => ({
    cluster,
    items: [],
    rejected: { record, reason: `${id}: ${reason}` },
    skipped: 0,
  });
  const head = () =>
    lenientUtf8.decode(data.subarray(0, MAX_REJECTED_CHARS * 4)).slice(0, MAX_REJECTED_CHARS);
  if (data.length > maxMessageBytes) {
    return reject(
      head(),
      `${data.length} bytes, over the ${maxMessageBytes}-byte limit: not read (its first ${MAX_REJECTED_CHARS} characters kept)`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return reject(head(), `data is not UTF-8 (${data.length} bytes)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: V8 quotes the text in it, and reasons are logged.
    const kept =
      text.length > MAX_REJECTED_CHARS ? `; its first ${MAX_REJECTED_CHARS} characters kept` : '';
    return reject(
      text.slice(0, MAX_REJECTED_CHARS),
      `data is not JSON (${data.length} bytes${kept})`,
    );
  }
  const extraction = extractEventsDetailed(doc);
  if (extraction.events.length === 0 && extraction.errors.length === 0) {
    return { cluster: undefined, items: [], skipped: 1 };
  }
  const cluster = clusterOf(doc, configuredCluster);
  if (!cluster.ok) return reject(doc, cluster.reason, undefined);
  const converted: Converted = { cluster: cluster.cluster, items: extraction.events, skipped: 0 };
  if (extraction.errors.length > 0) {
    const reasons = extraction.errors.slice(0, MAX_REASONS).map((e) => cut(e.reason, 300));
    const more = extraction.errors.length - reasons.length;
    converted.rejected = {
      record: doc,
      reason: `${id}: ${reasons.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    };
  }
  return converted;
}

/**
 * A pull's messages as one batch per cluster, in the order clusters first appear. Skipped
 * messages ride with the first batch; a rejected message without a usable cluster is
 * quarantined under `default`, as the webhook names a batch whose URL names no cluster.
 */
export function groupByCluster(
  received: Received[],
  configuredCluster: string | undefined,
  maxMessageBytes = MAX_MESSAGE_BYTES,
): PendingBatch[] {
  const batches = new Map<string, PendingBatch>();
  const batchOf = (cluster: string): PendingBatch => {
    let batch = batches.get(cluster);
    if (!batch) {
      batch = { cluster, items: [], rejected: [], skipped: 0, ackIds: [] };
      batches.set(cluster, batch);
    }
    return batch;
  };
  const skippedAckIds: string[] = [];
  let skipped = 0;
  for (const message of received) {
    const ackId = message.ackId ?? '';
    const converted = convertMessage(message, configuredCluster, maxMessageBytes);
    if (converted.skipped > 0 && converted.cluster === undefined) {
      skipped += converted.skipped;
      if (ackId) skippedAckIds.push(ackId);
      continue;
    }
    const batch = batchOf(converted.cluster ?? DEFAULT_CLUSTER);
    batch.items.push(...converted.items);
    if (converted.rejected) batch.rejected.push(converted.rejected);
    batch.skipped += converted.skipped;
    if (ackId) batch.ackIds.push(ackId);
  }
  if (skipped > 0) {
    const first = batches.values().next().value ?? batchOf(configuredCluster ?? DEFAULT_CLUSTER);
    first.skipped += skipped;
    first.ackIds.push(...skippedAckIds);
  }
  return [...batches.values()];
}

/** Client options from the entry and the context's environment only (never process.env). */
export function clientConfig(entry: GkePubSubEntry, env: SourceContext['env']): SubscriberOptions {
  const emulator = env.PUBSUB_EMULATOR_HOST?.trim();
  if (emulator) {
    const match = EMULATOR_HOST.exec(emulator);
    if (!match) throw new Error('PUBSUB_EMULATOR_HOST must be host:port');
    // PubSub works out the emulator's options (plain-text gRPC, no credentials) from these.
    const { options } = new PubSub({
      projectId: entry.projectId,
      apiEndpoint: `${match[1]}:${match[2]}`,
      emulatorMode: true,
    });
    // A universe domain given up front: the client then does not look for credentials (the
    // emulator takes none), which would probe the GCE metadata server.
    return {
      ...subscriberOptions(options),
      // Parsed here: PubSub's own parsing splits an IPv6 address at its first colon.
      servicePath: match[1],
      port: Number(match[2]),
      universeDomain: 'googleapis.com',
    };
  }
  const keyFilename = entry.credentialsFileEnv ? env[entry.credentialsFileEnv] : undefined;
  const { options } = new PubSub({
    projectId: entry.projectId,
    // Explicit, so that a PUBSUB_EMULATOR_HOST in the process environment changes nothing.
    apiEndpoint: 'pubsub.googleapis.com',
    emulatorMode: false,
    ...(keyFilename ? { keyFilename } : {}),
  });
  return subscriberOptions(options);
}

function subscriberOptions(options: ClientConfig): SubscriberOptions {
  const { port, ...rest } = options;
  return { ...rest, ...(port === undefined ? {} : { port: Number(port) }) };
}

interface Pull {
  /** Settles with the pulled messages (empty when the wait ended with none). */
  messages: Promise<Received[]>;
}

export class GkePubSubSource implements AuditSource {
  readonly kind = GKE_KIND;
  readonly name: string;
  private client?: v1.SubscriberClient;
  private readonly subscription: string;
  private readonly maxMessages: number;
  private readonly limits: GkePubSubLimits;
  /** Batches of the last pull not handed out yet. */
  private pending: PendingBatch[] = [];
  /** Ack ids handed out in batches and not acknowledged yet. */
  private readonly outstanding = new Set<string>();
  /** A pull whose answer is not used yet (an aborted `next` leaves it for the next call). */
  private inFlight?: Pull;

  constructor(
    private readonly entry: GkePubSubEntry,
    private readonly context: SourceContext,
    limits: Partial<GkePubSubLimits> = {},
  ) {
    this.name = entry.name;
    this.subscription = subscriptionPath(entry);
    this.maxMessages = entry.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.limits = {
      maxMessageBytes: limits.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      pullWaitMs: limits.pullWaitMs ?? PULL_WAIT_MS,
    };
  }

  /** Pub/Sub keeps the position (what is not acknowledged comes back): no checkpoint is read. */
  async open(_checkpoint: string | undefined): Promise<void> {
    if (this.client) await this.close();
    this.client = new v1.SubscriberClient(clientConfig(this.entry, this.context.env));
  }

  async next(signal: AbortSignal): Promise<SourceBatch | undefined> {
    const client = this.client;
    if (!client) throw new Error(`source ${this.name} is not open`);
    const ready = this.pending.shift();
    if (ready) return this.handOut(ready);
    if (signal.aborted) return undefined;
    const pull = this.inFlight ?? this.startPull(client);
    this.inFlight = pull;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    let outcome: Received[] | 'aborted';
    try {
      // Aborted: answer at once; the pull (bounded by its deadline) stays for the next call
      // or for close, which gives its messages back.
      outcome = await Promise.race([pull.messages, aborted]);
    } catch (error) {
      this.inFlight = undefined;
      throw error;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
    if (outcome === 'aborted') return undefined;
    this.inFlight = undefined;
    if (outcome.length === 0) return undefined;
    this.pending = groupByCluster(outcome, this.entry.cluster, this.limits.maxMessageBytes);
    const first = this.pending.shift();
    return first ? this.handOut(first) : undefined;
  }

  /**
   * Gives every message this source holds unacknowledged back to Pub/Sub (ack deadline 0, so
   * it is redelivered now rather than after the deadline): a batch the runner committed but
   * did not acknowledge comes back once and is dropped as a duplicate.
   */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    const held = [...this.outstanding, ...this.pending.flatMap((batch) => batch.ackIds)];
    this.pending = [];
    this.outstanding.clear();
    const pull = this.inFlight;
    this.inFlight = undefined;
    if (pull) {
      const messages = await pull.messages.catch(() => []);
      held.push(...messages.map((m) => m.ackId ?? '').filter((id) => id !== ''));
    }
    try {
      for (let i = 0; i < held.length; i += ACK_IDS_PER_REQUEST) {
        await client.modifyAckDeadline(
          {
            subscription: this.subscription,
            ackIds: held.slice(i, i + ACK_IDS_PER_REQUEST),
            ackDeadlineSeconds: 0,
          },
          { timeout: ACK_TIMEOUT_MS },
        );
      }
    } catch (error) {
      // They come back after the subscription's ack deadline all the same.
      this.context.log(
        'warn',
        `source ${this.name}: ${held.length} unacknowledged messages not given back (${this.describe(error)}); Pub/Sub redelivers them after the ack deadline`,
      );
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  private startPull(client: v1.SubscriberClient): Pull {
    const messages = client
      .pull(
        { subscription: this.subscription, maxMessages: this.maxMessages },
        // One attempt bounded by the wait; the runner retries (with back-off) on errors.
        { timeout: this.limits.pullWaitMs, retry: { retryCodes: [] } },
      )
      .then(
        ([response]) => response.receivedMessages ?? [],
        (error: unknown) => {
          if (grpcCode(error) === DEADLINE_EXCEEDED) return [];
          throw new Error(`pull from ${this.subscription} failed: ${this.describe(error)}`);
        },
      );
    // An aborted next() may leave the pull unawaited until the next call: no unhandled rejection.
    messages.catch(() => undefined);
    return { messages };
  }

  private handOut(batch: PendingBatch): SourceBatch {
    for (const id of batch.ackIds) this.outstanding.add(id);
    let acknowledged = false;
    return {
      cluster: batch.cluster,
      items: batch.items,
      rejected: batch.rejected,
      skipped: batch.skipped,
      acknowledge: async () => {
        if (acknowledged) return;
        const client = this.client;
        if (!client) {
          throw new Error(
            `source ${this.name} was closed before the acknowledgement: its ${batch.ackIds.length} messages come back and are stored once`,
          );
        }
        for (let i = 0; i < batch.ackIds.length; i += ACK_IDS_PER_REQUEST) {
          await client.acknowledge(
            {
              subscription: this.subscription,
              ackIds: batch.ackIds.slice(i, i + ACK_IDS_PER_REQUEST),
            },
            { timeout: ACK_TIMEOUT_MS },
          );
        }
        acknowledged = true;
        for (const id of batch.ackIds) this.outstanding.delete(id);
      },
    };
  }

  /** An SDK error as code and message (no payload: the SDK's messages carry none). */
  private describe(error: unknown): string {
    const code = grpcCode(error);
    const message = error instanceof Error ? error.message : String(error);
    return cut(code === undefined ? message : `${message} (gRPC code ${code})`, 500);
  }
}

export const gkePubSubSource: SourceDefinition<GkePubSubEntry> = {
  kind: GKE_KIND,
  entryClass: GkePubSubEntry,
  check(entry, context) {
    const problems: string[] = [];
    if (entry.credentialsFileEnv !== undefined && !context.env[entry.credentialsFileEnv]) {
      problems.push(
        `credentialsFileEnv: the environment variable ${entry.credentialsFileEnv} is not set (it must hold the path of a service-account key file)`,
      );
    }
    const emulator = context.env.PUBSUB_EMULATOR_HOST?.trim();
    if (emulator && !EMULATOR_HOST.exec(emulator)) {
      problems.push('PUBSUB_EMULATOR_HOST (environment) must be host:port');
    }
    return problems;
  },
  create(entry, context) {
    return new GkePubSubSource(entry, context);
  },
};
