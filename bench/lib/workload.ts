import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readAuditFile } from '../../src/import/audit-file-reader';
import { repoRoot } from './args';

type Obj = Record<string, unknown>;

/** Small deterministic PRNG (mulberry32) so two runs post the same mix. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return name.endsWith('.json') || name.endsWith('.log') ? [path] : [];
  });
}

/** Every event of test/fixtures/corpus that has what storage needs (auditID, stage, verb). */
export async function loadCorpusTemplates(): Promise<Obj[]> {
  const dir = join(repoRoot(), 'test', 'fixtures', 'corpus');
  const out: Obj[] = [];
  for (const path of filesUnder(dir).sort()) {
    for await (const item of readAuditFile(path)) {
      if (item.kind !== 'event' || typeof item.raw !== 'object' || item.raw === null) continue;
      const raw = item.raw as Obj;
      if (
        typeof raw.auditID === 'string' &&
        typeof raw.stage === 'string' &&
        typeof raw.verb === 'string'
      ) {
        out.push(raw);
      }
    }
  }
  return out;
}

const USERS = [
  ...Array.from({ length: 20 }, (_, i) => `system:node:worker-${i}`),
  ...Array.from({ length: 20 }, (_, i) => `system:serviceaccount:team-${i % 7}:deployer-${i}`),
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:apiserver',
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:serviceaccount:kube-system:replicaset-controller',
  'alice@example.com',
  'bob@example.com',
  'oidc:carol',
  'kubernetes-admin',
];
const NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'monitoring',
  'ingress-nginx',
  'cert-manager',
  ...Array.from({ length: 34 }, (_, i) => `team-${i}`),
];
const AGENTS = [
  'kubelet/v1.30.4 (linux/amd64) kubernetes/a51b3b7',
  'kube-controller-manager/v1.30.4 (linux/amd64) kubernetes/a51b3b7/system:serviceaccount:kube-system:replicaset-controller',
  'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
  'argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format',
  'Go-http-client/2.0',
];
const CODES = [200, 200, 200, 200, 201, 200, 404, 409, 403, 200];

function userInfo(user: string, rnd: () => number): Obj {
  const uid = `${Math.floor(rnd() * 1e9).toString(16)}-5c1e-4b8e-9f0a-${Math.floor(rnd() * 1e12).toString(16)}`;
  if (user.startsWith('system:serviceaccount:')) {
    const ns = user.split(':')[2];
    return {
      username: user,
      uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${uid}`],
        'authentication.kubernetes.io/node-name': [`worker-${Math.floor(rnd() * 20)}`],
        'authentication.kubernetes.io/pod-name': [
          `${ns}-runner-${Math.floor(rnd() * 1e6).toString(36)}`,
        ],
        'authentication.kubernetes.io/pod-uid': [uid],
      },
    };
  }
  if (user.startsWith('system:node:')) {
    return { username: user, groups: ['system:nodes', 'system:authenticated'] };
  }
  return {
    username: user,
    uid,
    groups: ['system:masters', 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/credential-id': [`X509SHA256=${uid.replace(/-/g, '')}`],
    },
  };
}

/** A Metadata-level event is what most audit policies log: ~1 KB with the RBAC annotations. */
function metadataVariant(
  template: Obj,
  rnd: () => number,
  user: string,
  ns: string,
  name: string,
): Obj {
  const {
    requestObject: _q,
    responseObject: _r,
    timestamp: _t,
    metadata: _m,
    kind: _k,
    apiVersion: _v,
    ...rest
  } = template;
  const ref: Obj = { ...(rest.objectRef as Obj | undefined), namespace: ns, name };
  const resource = String(ref.resource ?? 'pods');
  const annotations: Record<string, string> = {
    'authorization.k8s.io/decision': 'allow',
    'authorization.k8s.io/reason': `RBAC: allowed by ClusterRoleBinding "binding-${user.length}" of ClusterRole "edit" to User "${user}"`,
  };
  if (resource === 'pods' && rnd() < 0.5) {
    annotations['pod-security.kubernetes.io/enforce-policy'] = 'baseline:latest';
  }
  return {
    ...rest,
    level: 'Metadata',
    requestURI: `/api/v1/namespaces/${ns}/${resource}/${name}`,
    user: userInfo(user, rnd),
    sourceIPs: [
      `10.${Math.floor(rnd() * 250)}.${Math.floor(rnd() * 250)}.${Math.floor(rnd() * 250)}`,
    ],
    userAgent: AGENTS[Math.floor(rnd() * AGENTS.length)],
    objectRef: ref,
    responseStatus: { metadata: {}, code: CODES[Math.floor(rnd() * CODES.length)] },
    annotations,
  };
}

/** A RequestResponse event of a few KB: the template's objects plus a last-applied annotation. */
function requestResponseVariant(
  template: Obj,
  rnd: () => number,
  user: string,
  ns: string,
  name: string,
): Obj {
  const base = metadataVariant(template, rnd, user, ns, name);
  const targetPad = 300 + Math.floor(rnd() * rnd() * 5000);
  const withPad = (object: unknown): unknown => {
    if (typeof object !== 'object' || object === null) return object;
    const o = object as Obj;
    const metadata: Obj = { ...(o.metadata as Obj | undefined), name, namespace: ns };
    let applied = JSON.stringify({ ...o, metadata: { name, namespace: ns } });
    while (applied.length < targetPad)
      applied += JSON.stringify({ name: `${name}-${applied.length}`, ns });
    metadata.annotations = {
      ...(metadata.annotations as Obj | undefined),
      'kubectl.kubernetes.io/last-applied-configuration': applied.slice(0, targetPad),
    };
    return { ...o, metadata };
  };
  return {
    ...base,
    level: 'RequestResponse',
    requestObject: withPad(template.requestObject),
    responseObject: withPad(template.responseObject ?? template.requestObject),
  };
}

const MARKER = /@@(AID|RRT|STT)@@/;

/** A variant event serialized once, split at its auditID and timestamps. */
interface Variant {
  parts: string[];
  bytes: number;
  requestResponse: boolean;
}

function splitVariant(event: Obj, requestResponse: boolean): Variant {
  const json = JSON.stringify({
    ...event,
    auditID: '@@AID@@',
    requestReceivedTimestamp: '@@RRT@@',
    stageTimestamp: '@@STT@@',
  });
  return { parts: json.split(MARKER), bytes: json.length, requestResponse };
}

export interface WorkloadOptions {
  batch: number;
  /** Share of RequestResponse events (several KB each); the rest are ~1 KB Metadata events. */
  requestResponseShare: number;
  variants: number;
  seed: number;
}

/**
 * Realistic webhook bodies from corpus templates: varied users, namespaces, objects and sizes;
 * every event gets a fresh auditID and timestamps, so no two posted events are duplicates.
 * A body is assembled by concatenating pre-serialized parts, which keeps the client cheap.
 */
export class Workload {
  private readonly variants: Variant[];
  private readonly rnd: () => number;
  private sequence = 0;
  private clockMicros: number;
  readonly runId: string;

  private constructor(
    templates: Obj[],
    private readonly options: WorkloadOptions,
  ) {
    this.rnd = prng(options.seed);
    const rnd = this.rnd;
    const withObjects = templates.filter(
      (t) => t.requestObject !== undefined || t.responseObject !== undefined,
    );
    this.variants = Array.from({ length: options.variants }, () => {
      const user = USERS[Math.floor(rnd() * USERS.length)];
      const ns = NAMESPACES[Math.floor(rnd() * NAMESPACES.length)];
      const name = `obj-${Math.floor(rnd() * 1e6).toString(36)}`;
      if (rnd() < options.requestResponseShare && withObjects.length > 0) {
        const template = withObjects[Math.floor(rnd() * withObjects.length)];
        return splitVariant(requestResponseVariant(template, rnd, user, ns, name), true);
      }
      const template = templates[Math.floor(rnd() * templates.length)];
      return splitVariant(metadataVariant(template, rnd, user, ns, name), false);
    });
    this.clockMicros = (Date.now() - 3_600_000) * 1000;
    this.runId = `${process.pid.toString(16)}${Date.now().toString(16)}`;
  }

  static async create(options: Partial<WorkloadOptions> = {}): Promise<Workload> {
    const templates = await loadCorpusTemplates();
    return new Workload(templates, {
      batch: 400,
      requestResponseShare: 0.15,
      variants: 3000,
      seed: 42,
      ...options,
    });
  }

  /** Average and spread of the event sizes (JSON bytes) this workload posts. */
  describe(): {
    variants: number;
    meanBytes: number;
    metadataMean: number;
    rrMean: number;
    rrShare: number;
  } {
    const rr = this.variants.filter((v) => v.requestResponse);
    const md = this.variants.filter((v) => !v.requestResponse);
    const mean = (vs: Variant[]) => vs.reduce((s, v) => s + v.bytes, 0) / Math.max(1, vs.length);
    return {
      variants: this.variants.length,
      meanBytes: mean(this.variants),
      metadataMean: mean(md),
      rrMean: mean(rr),
      rrShare: rr.length / this.variants.length,
    };
  }

  private microTime(micros: number): string {
    const ms = Math.floor(micros / 1000);
    return `${new Date(ms).toISOString().slice(0, 20)}${String(micros % 1_000_000).padStart(6, '0')}Z`;
  }

  /** One serialized event with a fresh identity. */
  nextEvent(): string {
    const variant = this.variants[Math.floor(this.rnd() * this.variants.length)];
    const id = `${this.runId}-${(this.sequence++).toString(16).padStart(10, '0')}`;
    const received = (this.clockMicros += 1 + Math.floor(this.rnd() * 200));
    const staged = received + 200 + Math.floor(this.rnd() * 20_000);
    const values: Record<string, string> = {
      AID: id,
      RRT: this.microTime(received),
      STT: this.microTime(staged),
    };
    const { parts } = variant;
    let out = parts[0];
    for (let i = 1; i < parts.length; i += 2) out += values[parts[i]] + parts[i + 1];
    return out;
  }

  /** One EventList body of `batch` events, as the apiserver's webhook posts it. */
  nextBody(): string {
    const items: string[] = new Array(this.options.batch);
    for (let i = 0; i < items.length; i++) items[i] = this.nextEvent();
    return `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${items.join(',')}]}`;
  }
}
