import { randomBytes } from 'node:crypto';
import { CorpusEvent, loadCorpus } from './corpus';

/**
 * The corpus events that touch Secrets, tokens, exec and pods, with the bodies a
 * RequestResponse policy would have recorded (the corpus Secret events are Metadata-level:
 * the apiserver recorded who and what, not the values). Metadata, users, times and URIs are
 * the corpus's own; the secret values are random per run, so no test can know them in advance.
 */
export interface SensitiveEvents {
  events: Record<string, unknown>[];
  /** Every secret value as it appears in the events (plain, and base64 where `data` holds it). */
  values: string[];
  /** The Secret whose create, update, patch and read are all in `events`. */
  object: { namespace: string; name: string };
  /** Named values, to check markers against each other. */
  named: Record<'password' | 'newPassword' | 'apiKey' | 'bearer' | 'jwt' | 'cliToken', string>;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function b64(value: string): string {
  return Buffer.from(value).toString('base64');
}

function secretValue(label: string): string {
  return `${label}-${randomBytes(9).toString('hex')}`;
}

/** A JWT shape (header and claims are JSON, base64url), as TokenRequest issues them. */
function jwt(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'RS256', kid: randomBytes(6).toString('hex') });
  const claims = part({
    sub: 'system:serviceaccount:default:myacct',
    jti: randomBytes(8).toString('hex'),
  });
  return `${header}.${claims}.${randomBytes(24).toString('base64url')}`;
}

function corpusEvent(
  corpus: CorpusEvent[],
  file: string,
  resource?: string,
): Record<string, unknown> {
  const found = corpus.find(
    (item) =>
      item.file.endsWith(file) &&
      (resource === undefined ||
        (item.raw.objectRef as { resource?: string } | undefined)?.resource === resource),
  );
  if (!found) throw new Error(`corpus event ${file} (${resource ?? 'any'}) not found`);
  return structuredClone(found.raw);
}

/** The same corpus event as another request: its own auditID, and times `seconds` later. */
function later(
  event: Record<string, unknown>,
  seconds: number,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const shift = (time: unknown) =>
    new Date(Date.parse(String(time)) + seconds * 1000).toISOString().replace('Z', '000Z');
  return {
    ...event,
    auditID: `${String(event.auditID).slice(0, 24)}${randomBytes(6).toString('hex')}`,
    requestReceivedTimestamp: shift(event.requestReceivedTimestamp),
    stageTimestamp: shift(event.stageTimestamp),
    ...changes,
  };
}

export async function sensitiveEvents(): Promise<SensitiveEvents> {
  const corpus = await loadCorpus();
  const named = {
    password: secretValue('pw'),
    newPassword: secretValue('pw2'),
    apiKey: secretValue('key'),
    bearer: secretValue('bearer'),
    jwt: jwt(),
    cliToken: secretValue('cli'),
  };
  const stringOnly = secretValue('str');
  const patched = secretValue('patched');
  const listed = secretValue('listed');
  const bootstrap = secretValue('boot');
  const saToken = jwt();

  const create = corpusEvent(corpus, 'falcosecurity-falco/create_secret.json');
  const ref = create.objectRef as { namespace: string; name: string };
  const meta = { name: ref.name, namespace: ref.namespace };
  const applied = (data: Record<string, string>) =>
    `${JSON.stringify({ apiVersion: 'v1', data, kind: 'Secret', metadata: { annotations: {}, ...meta }, type: 'Opaque' })}\n`;
  const secret = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: {
      ...meta,
      uid: 'a1d5f0f2-3c55-4d2e-9d1e-5f3f0b7c9a10',
      resourceVersion: '4711',
      annotations: { [LAST_APPLIED]: applied(data) },
    },
    data,
    type: 'Opaque',
    ...extra,
  });
  const firstData = { password: b64(named.password), 'api-key': b64(named.apiKey) };
  const secondData = { password: b64(named.newPassword), 'api-key': b64(named.apiKey) };
  const uri = `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`;

  const events: Record<string, unknown>[] = [
    {
      ...create,
      level: 'RequestResponse',
      requestObject: secret(firstData, { stringData: { extra: stringOnly } }),
      responseObject: secret({ ...firstData, extra: b64(stringOnly) }),
    },
    later(create, 10, {
      level: 'RequestResponse',
      verb: 'update',
      requestURI: uri,
      responseStatus: { metadata: {}, code: 200 },
      requestObject: secret(secondData),
      responseObject: secret(secondData),
    }),
    // kubectl apply: a strategic merge patch carrying the new last-applied copy.
    later(create, 20, {
      level: 'RequestResponse',
      verb: 'patch',
      requestURI: `${uri}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
      responseStatus: { metadata: {}, code: 200 },
      requestObject: {
        data: { password: b64(patched) },
        metadata: {
          annotations: { [LAST_APPLIED]: applied({ ...secondData, password: b64(patched) }) },
        },
      },
      responseObject: secret({ ...secondData, password: b64(patched) }),
    }),
    // A JSON patch (kubectl patch --type=json) setting the value back.
    later(create, 30, {
      level: 'Request',
      verb: 'patch',
      requestURI: uri,
      responseStatus: { metadata: {}, code: 200 },
      requestObject: [{ op: 'replace', path: '/data/password', value: b64(named.newPassword) }],
    }),
    later(create, 40, {
      level: 'RequestResponse',
      verb: 'get',
      requestURI: uri,
      responseStatus: { metadata: {}, code: 200 },
      responseObject: secret(secondData),
    }),
  ];

  const bootstrapCreate = corpusEvent(corpus, 'create_kube_system_secret.json');
  events.push({
    ...bootstrapCreate,
    level: 'Request',
    requestObject: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'bootstrap-token-ne7bxu', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: { 'token-id': 'ne7bxu', 'token-secret': bootstrap },
    },
  });
  const saSecret = corpusEvent(corpus, 'create_service_account_token_secret.json');
  events.push({
    ...saSecret,
    level: 'RequestResponse',
    responseObject: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'default-token-7v4pb', namespace: 'test2' },
      type: 'kubernetes.io/service-account-token',
      data: { token: b64(saToken), namespace: b64('test2') },
    },
  });
  const list = corpusEvent(corpus, 'liggitt-audit2rbac/demo.log', 'secrets');
  events.push({
    ...list,
    level: 'RequestResponse',
    responseStatus: { metadata: {}, code: 200 },
    responseObject: {
      kind: 'SecretList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '900' },
      items: [
        { metadata: { name: 'db', namespace: 'ns1' }, data: { url: b64(listed) }, type: 'Opaque' },
      ],
    },
  });
  const deleted = corpusEvent(corpus, 'falcosecurity-falco/delete_secret.json');
  events.push({
    ...later(deleted, 50, {}),
    level: 'RequestResponse',
    responseObject: secret(secondData),
  });

  // `kubectl create token myacct`: the response carries the issued JWT.
  const account = corpusEvent(corpus, 'falcosecurity-falco/create_serviceaccount.json');
  events.push(
    later(account, 5, {
      requestURI: '/api/v1/namespaces/default/serviceaccounts/myacct/token',
      objectRef: { ...(account.objectRef as object), subresource: 'token' },
      level: 'RequestResponse',
      requestObject: {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        spec: { audiences: null, expirationSeconds: 3600 },
      },
      responseObject: {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600 },
        status: { token: named.jwt, expirationTimestamp: '2018-10-26T14:19:22Z' },
      },
    }),
  );

  // exec with credentials on the command line (kubectl sends one command= per argument).
  const exec = corpusEvent(corpus, 'falcosecurity-falco/exec_pod.json');
  const command = [
    'sh',
    '-c',
    `curl -H "Authorization: Bearer ${named.bearer}" https://api`,
    'kubectl',
    `--token=${named.cliToken}`,
    '--token',
    named.cliToken,
    named.jwt,
  ];
  const query = command.map((arg) => new URLSearchParams([['command', arg]]).toString()).join('&');
  events.push(
    later(exec, 1, {
      requestURI: String(exec.requestURI).replace('command=bash', query),
    }),
  );

  // A Pod whose container passes a token in its args, env and probe header.
  const pod = corpusEvent(corpus, 'falcosecurity-falco/create_nginx_pod_unprivileged.json');
  const withTokens = (body: unknown) => {
    const copy = structuredClone(body) as { spec: { containers: Record<string, unknown>[] } };
    Object.assign(copy.spec.containers[0], {
      args: ['--token', named.cliToken, `--header=Authorization: Bearer ${named.bearer}`],
      env: [
        { name: 'SA_TOKEN', value: named.jwt },
        { name: 'MODE', value: 'fast' },
      ],
    });
    return copy;
  };
  events.push({
    ...pod,
    requestObject: withTokens(pod.requestObject),
    responseObject: withTokens(pod.responseObject),
  });

  const plain = [...Object.values(named), stringOnly, patched, listed, bootstrap, saToken];
  return { events, values: [...plain, ...plain.map(b64)], object: meta, named };
}
