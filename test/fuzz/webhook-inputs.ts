import fc from 'fast-check';
import {
  deepJsonText,
  hostileJson,
  hostileJsonText,
  hostileParam,
  hostileString,
  hugeString,
  invalidUtf8,
  percentEncode,
  printable,
  PROTO_KEYS,
} from './hostile';

/** A generated webhook request, still without its cluster (each run gets a fresh one). */
export type WebhookPlan = MixedBatchPlan | RawBodyPlan | ClusterRoutePlan;

/**
 * A well-formed batch (EventList, `{items}`, bare array or one Event) of real corpus events and
 * hostile items, shuffled: it must be answered 200 and every corpus event in it stored.
 */
export interface MixedBatchPlan {
  kind: 'mixed';
  wrap: 'EventList' | 'items' | 'array' | 'single';
  route: 'path' | 'query';
  /** Corpus indices of the untouched events. */
  valid: number[];
  /** Each hostile item as JSON text. */
  hostile: string[];
  order: number[];
}

/** Bytes no well-behaved apiserver sends: truncated, mis-encoded, mislabelled, empty. */
export interface RawBodyPlan {
  kind: 'raw';
  /** `null`: no content-type header. */
  contentType: string | null;
  /** Builds the body from one valid batch of corpus events. */
  body: (validBatch: Buffer) => Buffer;
  label: string;
}

/** A valid batch sent to a hostile cluster path or query. */
export interface ClusterRoutePlan {
  kind: 'cluster';
  /** Path and query after `/webhook/audit`, percent-encoded where HTTP requires it. */
  suffix: string;
  valid: number[];
}

/** Top-level fields of audit.k8s.io/v1 Event, and nested ones, each replaced in turn. */
const EVENT_FIELDS = [
  'kind',
  'apiVersion',
  'level',
  'auditID',
  'stage',
  'requestURI',
  'verb',
  'user',
  'user.username',
  'user.groups',
  'user.extra',
  'impersonatedUser',
  'impersonatedUser.username',
  'sourceIPs',
  'userAgent',
  'objectRef',
  'objectRef.resource',
  'objectRef.namespace',
  'objectRef.name',
  'objectRef.apiGroup',
  'objectRef.subresource',
  'responseStatus',
  'responseStatus.code',
  'requestObject',
  'responseObject',
  'requestReceivedTimestamp',
  'stageTimestamp',
  'timestamp',
  'annotations',
  'annotations.authorization.k8s.io/decision',
] as const;

const PLACEHOLDER = '\u0000fuzz-placeholder\u0000';

/** A field's replacement, as JSON text (so it can be 100,000 levels deep). */
const hostileFieldText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.constant('null') },
  { weight: 2, arbitrary: fc.integer().map(String) },
  {
    weight: 2,
    arbitrary: fc.array(hostileString(), { maxLength: 3 }).map((a) => JSON.stringify(a)),
  },
  { weight: 1, arbitrary: deepJsonText },
  { weight: 1, arbitrary: hugeString.map((s) => JSON.stringify(s)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...PROTO_KEYS)
      .map((key) => `{"${key}":{"polluted":1},"username":"x","groups":["a"]}`),
  },
);

/** A corpus event with one field (or every field) replaced by something hostile. */
function mutatedEvent(corpus: Record<string, unknown>[]): fc.Arbitrary<string> {
  return fc
    .record({
      index: fc.nat({ max: corpus.length - 1 }),
      fields: fc.uniqueArray(fc.constantFrom(...EVENT_FIELDS), { minLength: 1, maxLength: 4 }),
      values: fc.array(hostileFieldText, { minLength: 4, maxLength: 4 }),
    })
    .map(({ index, fields, values }) => {
      const event = structuredClone(corpus[index]);
      fields.forEach((field, i) => setPath(event, field, `${PLACEHOLDER}${i}`));
      let text = JSON.stringify(event);
      fields.forEach((_, i) => {
        text = text.replace(JSON.stringify(`${PLACEHOLDER}${i}`), () => values[i]);
      });
      return text;
    });
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  // Annotation keys contain dots: only the first dot separates the parent field.
  const dot = path.indexOf('.');
  if (dot < 0) {
    target[path] = value;
    return;
  }
  const parent = path.slice(0, dot);
  const child = target[parent];
  const object =
    typeof child === 'object' && child !== null && !Array.isArray(child)
      ? (child as Record<string, unknown>)
      : {};
  object[path.slice(dot + 1)] = value;
  target[parent] = object;
}

const hostileItem = (corpus: Record<string, unknown>[]) =>
  fc.oneof(
    { weight: 3, arbitrary: mutatedEvent(corpus) },
    { weight: 2, arbitrary: hostileJsonText },
  );

function mixedBatch(corpus: Record<string, unknown>[]): fc.Arbitrary<MixedBatchPlan> {
  const index = fc.nat({ max: corpus.length - 1 });
  return fc
    .record({
      wrap: fc.constantFrom('EventList', 'items', 'array', 'single') as fc.Arbitrary<
        MixedBatchPlan['wrap']
      >,
      route: fc.constantFrom('path', 'query') as fc.Arbitrary<MixedBatchPlan['route']>,
      valid: fc.array(index, { minLength: 1, maxLength: 6 }),
      hostile: fc.array(hostileItem(corpus), { maxLength: 5 }),
      seed: fc.nat(),
    })
    .map(({ wrap, route, valid, hostile, seed }) => {
      // A single Event is one item: either a real event or a hostile one.
      if (wrap === 'single') {
        const pickHostile = hostile.length > 0 && seed % 2 === 0;
        return {
          kind: 'mixed',
          wrap,
          route,
          valid: pickHostile ? [] : valid.slice(0, 1),
          hostile: pickHostile ? hostile.slice(0, 1) : [],
          order: [0],
        };
      }
      const count = valid.length + hostile.length;
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1, s = seed; i > 0; i--, s = Math.floor(s / 7) + i) {
        const j = s % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      return { kind: 'mixed', wrap, route, valid, hostile, order };
    });
}

const CONTENT_TYPES = [
  null,
  '',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/json, text/plain',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/x-ndjson',
  '*/*',
  '\u00e9',
];

function splice(valid: Buffer, at: number, bytes: Buffer): Buffer {
  const cut = at % (valid.length + 1);
  return Buffer.concat([valid.subarray(0, cut), bytes, valid.subarray(cut)]);
}

const rawBody: fc.Arbitrary<RawBodyPlan> = fc.oneof(
  fc
    .record({ at: fc.nat(), ct: fc.constantFrom(...CONTENT_TYPES) })
    .map(({ at, ct }): RawBodyPlan => ({
      kind: 'raw',
      contentType: ct,
      label: `valid batch truncated at ${at}`,
      body: (valid) => valid.subarray(0, at % valid.length),
    })),
  fc.record({ at: fc.nat(), bytes: invalidUtf8 }).map(({ at, bytes }): RawBodyPlan => ({
    kind: 'raw',
    contentType: 'application/json',
    label: `bytes ${bytes.toString('hex')} spliced at ${at}`,
    body: (valid) => splice(valid, at, bytes),
  })),
  fc.constantFrom(...CONTENT_TYPES).map((ct): RawBodyPlan => ({
    kind: 'raw',
    contentType: ct,
    label: 'valid batch after a UTF-8 BOM',
    body: (valid) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]),
  })),
  fc
    .record({ ct: fc.constantFrom(...CONTENT_TYPES), n: fc.integer({ min: 0, max: 64 }) })
    .map(({ ct, n }): RawBodyPlan => ({
      kind: 'raw',
      contentType: ct,
      label: `${n} NUL bytes`,
      body: () => Buffer.alloc(n),
    })),
  fc
    .record({ ct: fc.constantFrom(...CONTENT_TYPES), text: hostileJsonText })
    .map(({ ct, text }): RawBodyPlan => ({
      kind: 'raw',
      contentType: ct,
      label: `hostile document (${text.length} chars)`,
      body: () => Buffer.from(text),
    })),
  fc
    .record({ ct: fc.constantFrom(...CONTENT_TYPES), bytes: fc.uint8Array({ maxLength: 2048 }) })
    .map(({ ct, bytes }): RawBodyPlan => ({
      kind: 'raw',
      contentType: ct,
      label: `${bytes.length} random bytes`,
      body: () => Buffer.from(bytes),
    })),
  fc.constantFrom(...CONTENT_TYPES).map((ct): RawBodyPlan => ({
    kind: 'raw',
    contentType: ct,
    label: 'valid batch, any content type',
    body: (valid) => valid,
  })),
);

/** Odd ways to name a cluster: encoded slashes and dots, `%zz`, repeats, arrays, prototypes. */
const clusterSuffix: fc.Arbitrary<string> = fc.oneof(
  hostileParam.map((s) => `/${percentEncode(s)}`),
  hostileParam.map((s) => `?cluster=${percentEncode(s)}`),
  fc.constantFrom(
    '/%2e%2e',
    '/..%2f..%2fetc',
    '/a%2Fb',
    '/%zz',
    '/%E0%A4%A',
    '/%C0%AF',
    '/%00',
    '/a/b',
    '//',
    '/%20prod',
    '?cluster=%zz',
    '?cluster=a&cluster=b',
    '?cluster[]=a',
    '?cluster[__proto__]=a',
    '?__proto__[cluster]=a',
    '?constructor[prototype][cluster]=a',
    '?cluster',
    '?cluster=',
    '?cluster=%00',
    '/ok?cluster=other',
    '/UPPER',
    `/${'a'.repeat(64)}`,
    // Just under Node's 16 KiB header limit: our own check must answer. Past the limit Node's
    // parser answers 431 and closes while the client may still be writing the request line, so
    // the client can see a reset instead (seen under load); that answer is Node's, not ours.
    `/${'a'.repeat(15_000)}`,
  ),
);

export function webhookPlan(corpus: Record<string, unknown>[]): fc.Arbitrary<WebhookPlan> {
  const index = fc.nat({ max: corpus.length - 1 });
  const plan: fc.Arbitrary<WebhookPlan> = fc.oneof(
    { weight: 5, arbitrary: mixedBatch(corpus) },
    { weight: 4, arbitrary: rawBody },
    {
      weight: 1,
      arbitrary: fc
        .record({ suffix: clusterSuffix, valid: fc.array(index, { minLength: 1, maxLength: 2 }) })
        .map((p): ClusterRoutePlan => ({ kind: 'cluster', ...p })),
    },
  );
  return printable(plan);
}

/** The body of a mixed batch: its items in their shuffled order, wrapped as planned. */
export function mixedBatchBody(plan: MixedBatchPlan, corpus: Record<string, unknown>[]): string {
  const texts = [...plan.valid.map((i) => JSON.stringify(corpus[i])), ...plan.hostile];
  const items = plan.order.map((i) => texts[i]);
  if (plan.wrap === 'single') return items[0];
  if (plan.wrap === 'array') return `[${items.join(',')}]`;
  const list = `"items":[${items.join(',')}]`;
  return plan.wrap === 'items'
    ? `{${list}}`
    : `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},${list}}`;
}

/** An EventList of the given corpus events, as the apiserver sends it. */
export function validBatchBody(corpus: Record<string, unknown>[], indices: number[]): string {
  return JSON.stringify({
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v1',
    metadata: {},
    items: indices.map((i) => corpus[i]),
  });
}
