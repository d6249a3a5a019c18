import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  clientConfig,
  convertMessage,
  GkePubSubEntry,
  gkePubSubSource,
  groupByCluster,
  subscriptionPath,
} from './gke-pubsub.source';

function problems(raw: Record<string, unknown>): string[] {
  const entry = plainToInstance(GkePubSubEntry, raw);
  const all = validateSync(entry, { whitelist: true, forbidNonWhitelisted: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`),
  );
  return [...new Set(all)];
}

const base = {
  name: 'gke-prod',
  kind: 'gke-pubsub',
  projectId: 'acme-prod',
  subscription: 'audit-sub',
};

function logEntry(cluster: unknown, serviceName = 'k8s.io'): Record<string, unknown> {
  return {
    insertId: 'i1',
    logName: 'projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity',
    operation: { id: 'a1b2c3', producer: 'k8s.io', first: true, last: true },
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      serviceName,
      methodName: 'io.k8s.core.v1.pods.get',
      resourceName: 'core/v1/namespaces/shop/pods/web',
      authenticationInfo: { principalEmail: 'alice@example.com' },
      status: {},
    },
    resource: { type: 'k8s_cluster', labels: { cluster_name: cluster } },
    timestamp: '2026-11-30T10:00:00.123456Z',
  };
}

function received(data: string | Buffer, id = '42', ackId = `ack-${id}`) {
  return {
    ackId,
    message: { messageId: id, data: typeof data === 'string' ? Buffer.from(data) : data },
  };
}

describe('GkePubSubEntry', () => {
  it('accepts the minimal entry and every optional field', () => {
    expect(problems(base)).toEqual([]);
    expect(
      problems({
        ...base,
        cluster: 'prod-eu',
        subscription: 'projects/other-project/subscriptions/audit-sub',
        maxMessages: 1000,
        credentialsFileEnv: 'GKE_KEY_FILE',
      }),
    ).toEqual([]);
  });

  it('refuses missing or malformed fields, with a message per field', () => {
    expect(problems({ name: 'x', kind: 'gke-pubsub' })).toEqual([
      expect.stringMatching(/^projectId: is required/),
      expect.stringMatching(/^subscription: is required/),
    ]);
    expect(problems({ ...base, maxMessages: 0 })).toEqual([
      'maxMessages: must be a whole number from 1 to 1000',
    ]);
    expect(problems({ ...base, maxMessages: 1001 })).toHaveLength(1);
    expect(problems({ ...base, maxMessages: '10' })).toHaveLength(1);
    expect(problems({ ...base, subscription: 'goog-sub' })).toHaveLength(1);
    expect(problems({ ...base, subscription: 'projects/acme-prod/topics/t' })).toHaveLength(1);
    expect(problems({ ...base, cluster: 'Prod_EU' })).toHaveLength(1);
    expect(problems({ ...base, credentialsFileEnv: '/path/key.json' })).toHaveLength(1);
    expect(problems({ ...base, kind: 'aks-blob' })).toHaveLength(1);
    expect(problems({ ...base, topic: 'audit' })).toEqual([
      'topic: property topic should not exist',
    ]);
  });

  it('checks that the key file variable is set', () => {
    const entry = plainToInstance(GkePubSubEntry, { ...base, credentialsFileEnv: 'GKE_KEY' });
    const context = (env: Record<string, string>) => ({ env, log: () => undefined, now: Date.now });
    expect(gkePubSubSource.check?.(entry, context({}))).toEqual([
      expect.stringMatching(/^credentialsFileEnv: the environment variable GKE_KEY is not set/),
    ]);
    expect(gkePubSubSource.check?.(entry, context({ GKE_KEY: '/k.json' }))).toEqual([]);
    expect(
      gkePubSubSource.check?.(
        plainToInstance(GkePubSubEntry, base),
        context({ PUBSUB_EMULATOR_HOST: 'nope' }),
      ),
    ).toEqual(['PUBSUB_EMULATOR_HOST (environment) must be host:port']);
  });

  it('expands a short subscription id in its project', () => {
    expect(subscriptionPath({ projectId: 'acme-prod', subscription: 'audit-sub' })).toBe(
      'projects/acme-prod/subscriptions/audit-sub',
    );
    expect(
      subscriptionPath({
        projectId: 'acme-prod',
        subscription: 'projects/x-project/subscriptions/s1x',
      }),
    ).toBe('projects/x-project/subscriptions/s1x');
  });
});

describe('clientConfig', () => {
  const entry = plainToInstance(GkePubSubEntry, base);
  const saved = process.env.PUBSUB_EMULATOR_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.PUBSUB_EMULATOR_HOST;
    else process.env.PUBSUB_EMULATOR_HOST = saved;
  });

  it('uses the emulator named in the context, never the process environment', () => {
    process.env.PUBSUB_EMULATOR_HOST = '127.0.0.1:1';
    const real = clientConfig(entry, {});
    expect(real.servicePath).toBe('pubsub.googleapis.com');
    expect(real.sslCreds).toBeUndefined();
    const emulator = clientConfig(entry, { PUBSUB_EMULATOR_HOST: 'localhost:8085' });
    expect(emulator.servicePath).toBe('localhost');
    expect(emulator.port).toBe(8085);
    expect(emulator.sslCreds).toBeDefined();
    expect(clientConfig(entry, { PUBSUB_EMULATOR_HOST: 'http://[::1]:8085/' }).port).toBe(8085);
  });

  it('passes the key file the named variable holds', () => {
    const keyed = plainToInstance(GkePubSubEntry, { ...base, credentialsFileEnv: 'GKE_KEY' });
    expect(clientConfig(keyed, { GKE_KEY: '/etc/gke/key.json' }).keyFilename).toBe(
      '/etc/gke/key.json',
    );
    expect(clientConfig(entry, {}).keyFilename).toBeUndefined();
  });
});

describe('convertMessage and groupByCluster', () => {
  it('converts a k8s.io entry under its cluster_name, or the configured cluster', () => {
    const converted = convertMessage(received(JSON.stringify(logEntry('prod-eu'))), undefined);
    expect(converted.cluster).toBe('prod-eu');
    expect(converted.items).toEqual([expect.objectContaining({ auditID: 'a1b2c3', verb: 'get' })]);
    expect(convertMessage(received(JSON.stringify(logEntry('prod-eu'))), 'mine').cluster).toBe(
      'mine',
    );
  });

  it('skips other services without needing a cluster', () => {
    const skipped = convertMessage(
      received(JSON.stringify(logEntry(undefined, 'container.googleapis.com'))),
      undefined,
    );
    expect(skipped).toEqual({ cluster: undefined, items: [], skipped: 1 });
  });

  it('rejects unusable cluster names, whatever their type', () => {
    for (const bad of ['', 'x'.repeat(64), 'a_b', '-a', 42, { a: 1 }]) {
      const c = convertMessage(received(JSON.stringify(logEntry(bad))), undefined);
      expect(c.cluster).toBeUndefined();
      expect(c.rejected?.reason).toMatch(
        /^Pub\/Sub message 42: resource.labels.cluster_name .* is not a usable cluster name/,
      );
    }
  });

  it('bounds what it keeps of unreadable data', () => {
    const big = 'y'.repeat(200_000);
    const c = convertMessage(received(big), undefined);
    expect(c.rejected?.reason).toBe(
      'Pub/Sub message 42: data is not JSON (200000 bytes; its first 65536 characters kept)',
    );
    expect((c.rejected?.record as string).length).toBe(65536);
    const over = convertMessage(received(big), undefined, 1000);
    expect(over.rejected?.reason).toMatch(/200000 bytes, over the 1000-byte limit/);
    const empty = convertMessage({ ackId: 'a', message: { messageId: '7' } }, undefined);
    expect(empty.rejected?.reason).toBe('Pub/Sub message 7: data is not JSON (0 bytes)');
  });

  it('makes one batch per cluster; skipped messages ride with the first; each ack id once', () => {
    const batches = groupByCluster(
      [
        received(JSON.stringify(logEntry('b-cluster')), '1'),
        received(JSON.stringify(logEntry(undefined, 'container.googleapis.com')), '2'),
        received(JSON.stringify(logEntry('a-cluster')), '3'),
        received('garbage', '4'),
        received(JSON.stringify(logEntry('b-cluster')), '5'),
      ],
      undefined,
    );
    expect(
      batches.map((b) => [b.cluster, b.items.length, b.rejected.length, b.skipped, b.ackIds]),
    ).toEqual([
      ['b-cluster', 2, 0, 1, ['ack-1', 'ack-5', 'ack-2']],
      ['a-cluster', 1, 0, 0, ['ack-3']],
      ['default', 0, 1, 0, ['ack-4']],
    ]);
    // Only skipped messages: one empty batch carries their acknowledgement.
    expect(
      groupByCluster(
        [received(JSON.stringify(logEntry(undefined, 'x.googleapis.com')), '9')],
        undefined,
      ),
    ).toEqual([{ cluster: 'default', items: [], rejected: [], skipped: 1, ackIds: ['ack-9'] }]);
  });
});
