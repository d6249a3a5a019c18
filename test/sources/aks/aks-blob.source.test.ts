import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BlobServiceClient,
  ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { AuditSource } from '../../../src/sources/audit-source';
import { AksBlobEntry, aksBlobSource, BATCH_LINES } from '../../../src/sources/aks/aks-blob.source';
import { MAX_TRACKED } from '../../../src/sources/aks/aks-blob-cursor';
import type { SourceContext } from '../../../src/sources/source-definition';
import { Azurite, azuriteAvailable, DEV_ACCOUNT, DEV_ACCOUNT_KEY } from '../../support/azurite';
import {
  aksLine,
  append,
  auditEvent,
  blobName,
  drain,
  lines,
  resourceHead,
} from './aks-blob-helpers';

jest.setTimeout(120_000);

const HOUR = 3600_000;
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'managed', 'aks');

function fixtureBlob(): { name: string; text: string } {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  const [file] = walk(FIXTURES).filter((f) => f.endsWith('PT1H.json'));
  const name = file.slice(join(FIXTURES, 'insights-logs-kube-audit').length + 1);
  return { name, text: readFileSync(file, 'utf8') };
}

const run = azuriteAvailable() ? describe : describe.skip;

run('aks-blob source against Azurite (the Azure Storage emulator)', () => {
  const azurite = new Azurite();
  let service: BlobServiceClient;
  /** The test's clock: real time moved to `base`, plus whatever a test adds. */
  const realStart = Date.now();
  let shift = 0;
  const base = Date.UTC(2026, 10, 30, 13, 20);
  const now = () => base + shift + (Date.now() - realStart);
  const logs: string[] = [];
  const opened: AuditSource[] = [];

  beforeAll(async () => {
    await azurite.start();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await azurite.stop();
  });
  beforeEach(() => {
    shift = 0;
    logs.length = 0;
  });

  function context(env: Record<string, string> = {}): SourceContext {
    return {
      env: { AKS_STORAGE: azurite.connectionString, ...env },
      log: (level, message) => logs.push(`${level} ${message}`),
      now,
    };
  }

  async function newContainer(): Promise<ContainerClient> {
    const container = service.getContainerClient(`kube-audit-${randomBytes(4).toString('hex')}`);
    await container.create();
    return container;
  }

  function entry(fields: Record<string, unknown>): AksBlobEntry {
    const e = plainToInstance(AksBlobEntry, {
      name: 'aks-test',
      kind: 'aks-blob',
      cluster: 'aks-test',
      connectionStringEnv: 'AKS_STORAGE',
      pollSeconds: 1,
      startFrom: 'beginning',
      ...fields,
    });
    const errors = validateSync(e, { whitelist: true, forbidNonWhitelisted: true });
    expect(errors).toEqual([]);
    return e;
  }

  async function openSource(
    fields: Record<string, unknown>,
    checkpoint?: string,
    env?: Record<string, string>,
  ): Promise<AuditSource> {
    const ctx = context(env);
    const e = entry(fields);
    expect(aksBlobSource.check?.(e, ctx)).toEqual([]);
    const source = aksBlobSource.create(e, ctx);
    opened.push(source);
    await source.open(checkpoint);
    return source;
  }

  it('reads the AKS fixture blob as the diagnostic setting lays it out: its 5 events, for the configured cluster', async () => {
    const container = await newContainer();
    const fixture = fixtureBlob();
    await append(container, fixture.name, fixture.text);
    const source = await openSource({ container: container.containerName });
    const out = await drain(source);
    expect(out.ids).toHaveLength(5);
    expect(new Set(out.ids).size).toBe(5);
    expect(out.rejected).toEqual([]);
    expect(out.batches.every((b) => b.cluster === 'aks-test')).toBe(true);
    // The events are the apiserver's own, out of properties.log.
    const first = out.batches[0].items[0] as { kind: string; auditID: string };
    expect(first.kind).toBe('Event');
    expect(first.auditID).toBe('e5a1c0de-1b2c-4d3e-8f90-000000000200');
    expect(JSON.parse(out.checkpoint ?? '{}').v).toBe(1);
  });

  it('follows a blob as lines are appended during the hour, and resumes from a checkpoint with only what came after', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now());
    const a = lines(3);
    await append(container, name, a.text);
    const source = await openSource({ container: container.containerName });
    const first = await drain(source);
    expect(first.ids).toEqual(a.ids);

    const b = lines(4);
    await append(container, name, b.text);
    const second = await drain(source);
    expect(second.ids).toEqual(b.ids);
    await source.close();

    // Appended while nobody was reading: a new source from the last checkpoint reads only these.
    const c = lines(2);
    await append(container, name, c.text);
    const resumed = await openSource({ container: container.containerName }, second.checkpoint);
    const third = await drain(resumed);
    expect(third.ids).toEqual(c.ids);
  });

  it('does not read a half-written last line until it is complete, then reads it once', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now());
    const whole = lines(2);
    const last = aksLine(auditEvent('half-written-line'));
    const cut = Math.floor(last.length / 2);
    await append(container, name, whole.text + last.slice(0, cut));
    const source = await openSource({ container: container.containerName });
    const before = await drain(source);
    expect(before.ids).toEqual(whole.ids);
    expect(before.rejected).toEqual([]);
    // The checkpoint stops before the half line: a restart now would not read half of it either.
    const offset = Buffer.byteLength(whole.text);
    expect(JSON.stringify(JSON.parse(before.checkpoint ?? '{}').b)).toContain(`:${offset}}`);

    await append(container, name, last.slice(cut));
    const after = await drain(source);
    expect(after.ids).toEqual(['half-written-line']);
    expect(after.rejected).toEqual([]);
  });

  it('skips records of other categories (counted), rejects garbage with the reason and keeps reading', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now());
    const good = lines(2);
    const text =
      good.text.split('\n')[0] +
      '\n' +
      aksLine(auditEvent('kube-apiserver-log'), 'kube-apiserver') +
      'this is not JSON\n' +
      JSON.stringify({ category: 'kube-audit', properties: { log: '{"kind":"Event", trunc' } }) +
      '\n' +
      '\n' +
      good.text.split('\n')[1] +
      '\n';
    await append(container, name, text);
    const source = await openSource({ container: container.containerName });
    const out = await drain(source);
    expect(out.ids).toEqual(good.ids);
    expect(out.skipped).toBe(1);
    expect(out.rejected).toHaveLength(2);
    expect(out.rejected[0].record).toBe('this is not JSON');
    expect(out.rejected[0].reason).toMatch(/PT1H\.json at byte \d+: not valid JSON/);
    expect(out.rejected[1].reason).toMatch(/properties\.log: not valid JSON/);
    // Reasons are logged: they say where, never what (the record itself is in quarantine).
    for (const { reason } of out.rejected) expect(reason).not.toMatch(/this is not|trunc/);
  });

  it('reads lines with CRLF endings and a leading byte-order mark', async () => {
    const container = await newContainer();
    const a = lines(3);
    const crlf = '\uFEFF' + a.text.replace(/\n/g, '\r\n');
    await append(container, blobName('aks-test', now()), crlf);
    const source = await openSource({ container: container.containerName });
    const out = await drain(source);
    expect(out.rejected).toEqual([]);
    expect(out.ids).toEqual(a.ids);
  });

  it("picks up the next hour's blob and other clusters' blobs, oldest hour first", async () => {
    const container = await newContainer();
    const hour13 = blobName('aks-test', now());
    const a = lines(2);
    await append(container, hour13, a.text);
    const source = await openSource({ container: container.containerName });
    expect((await drain(source)).ids).toEqual(a.ids);

    shift += HOUR; // 14:20: the diagnostic setting opens a new blob
    const hour14 = blobName('aks-test', now());
    const other = blobName('aks-other', now());
    const b = lines(2);
    const c = lines(1);
    const late = lines(1);
    await append(container, hour14, b.text);
    await append(container, other, c.text);
    await append(container, hour13, late.text); // the old hour still gets a late line
    const out = await drain(source);
    // The 13:00 blob first, then 14:00's by name (AKS-OTHER before AKS-TEST).
    expect(out.ids).toEqual([...late.ids, ...c.ids, ...b.ids]);
  });

  it('keeps the checkpoint bounded: two days of finished hours of three clusters drop out of it', async () => {
    const container = await newContainer();
    const clusters = ['aks-a', 'aks-b', 'aks-c'];
    const expected: string[] = [];
    for (let h = 48; h >= 0; h--) {
      for (const cluster of clusters) {
        const l = lines(1);
        expected.push(...l.ids);
        await append(container, blobName(cluster, now() - h * HOUR), l.text);
      }
    }
    const source = await openSource({ container: container.containerName });
    const out = await drain(source);
    expect(out.ids).toHaveLength(expected.length);
    expect(new Set(out.ids)).toEqual(new Set(expected));
    const checkpoint = JSON.parse(out.checkpoint ?? '{}') as {
      w: string;
      b: Record<string, Record<string, number>>;
    };
    // Only the hours that may still grow (the last two, the current one) are followed.
    const followed = Object.values(checkpoint.b).flatMap((hours) => Object.keys(hours));
    expect(followed.length).toBeLessThanOrEqual(clusters.length * 4);
    expect(checkpoint.w).toBe('202611301100');
    expect((out.checkpoint ?? '').length).toBeLessThan(2000);
    process.stdout.write(
      `[aks-blob] 147 blobs read: checkpoint ${out.checkpoint?.length} chars, ${followed.length} blobs followed\n`,
    );
    // Resuming from it reads none of the 147 blobs again.
    const resumed = await openSource({ container: container.containerName }, out.checkpoint);
    expect((await drain(resumed)).ids).toEqual([]);
    expect(MAX_TRACKED).toBeLessThanOrEqual(128);
  });

  it('startFrom now: what the blobs hold at the first listing is not read, what is appended after is', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now());
    const old = blobName('aks-test', now() - 5 * HOUR);
    await append(container, old, lines(3).text);
    await append(container, name, lines(3).text);
    const source = await openSource({ container: container.containerName, startFrom: 'now' });
    const first = await drain(source);
    expect(first.ids).toEqual([]);
    // The position is committed even without events, so a restart does not move "now".
    expect(first.checkpoint).toBeDefined();
    const fresh = lines(2);
    await append(container, name, fresh.text);
    const resumed = await openSource(
      { container: container.containerName, startFrom: 'now' },
      first.checkpoint,
    );
    expect((await drain(resumed)).ids).toEqual(fresh.ids);
  });

  it('bounds a batch to its line count, and the batches together hold every line once', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now());
    const many = lines(BATCH_LINES + 500);
    await append(container, name, many.text);
    const source = await openSource({ container: container.containerName });
    const out = await drain(source);
    expect(out.batches[0].items).toHaveLength(BATCH_LINES);
    expect(out.ids).toEqual(many.ids);
    // Each batch's checkpoint is right after its lines: resuming from the first reads the rest.
    const resumed = await openSource(
      { container: container.containerName },
      out.batches[0].checkpoint,
    );
    expect((await drain(resumed)).ids).toEqual(many.ids.slice(BATCH_LINES));
  });

  it('rejects a line over the 4 MiB read bound (a sample kept) and skips past it to the next line', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now());
    const before = lines(1);
    const after = lines(1);
    const huge = aksLine({ ...auditEvent('huge'), padding: 'x'.repeat(5 * 1024 * 1024) });
    await append(container, name, before.text + huge + after.text);
    const source = await openSource({ container: container.containerName });
    const out = await drain(source);
    expect(out.ids).toEqual([...before.ids, ...after.ids]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0].reason).toMatch(/line longer than 4194304 bytes/);
    expect(String(out.rejected[0].record).length).toBeLessThanOrEqual(1024);
  });

  it('reads the unterminated last line of an hour that ended long ago (nothing will complete it)', async () => {
    const container = await newContainer();
    const name = blobName('aks-test', now() - 4 * HOUR);
    const a = lines(2);
    await append(container, name, a.text.replace(/\n$/, ''));
    const source = await openSource({ container: container.containerName });
    expect((await drain(source)).ids).toEqual(a.ids);
  });

  it('reads with a container SAS (read + list only) given as accountUrl + sasTokenEnv, and only under prefix', async () => {
    const container = await newContainer();
    const mine = lines(2);
    await append(container, blobName('aks-test', now()), mine.text);
    await append(container, blobName('aks-other', now()), lines(2).text);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: container.containerName,
        permissions: ContainerSASPermissions.parse('rl'),
        expiresOn: new Date(Date.now() + HOUR),
      },
      new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
    ).toString();
    const source = await openSource(
      {
        container: container.containerName,
        connectionStringEnv: undefined,
        accountUrl: azurite.accountUrl,
        sasTokenEnv: 'AKS_SAS',
        prefix: `${resourceHead('aks-test')}/`,
      },
      undefined,
      { AKS_SAS: `?${sas}` },
    );
    expect((await drain(source)).ids).toEqual(mine.ids);

    // The same SAS as a connection string (BlobEndpoint + SharedAccessSignature).
    const bySasString = await openSource(
      {
        container: container.containerName,
        connectionStringEnv: 'AKS_SAS_CONNECTION',
        prefix: `${resourceHead('aks-test')}/`,
      },
      undefined,
      { AKS_SAS_CONNECTION: `BlobEndpoint=${azurite.accountUrl};SharedAccessSignature=${sas}` },
    );
    expect((await drain(bySasString)).ids).toEqual(mine.ids);

    // A wrong signature is an error naming the status, without the token.
    const bad = aksBlobSource.create(
      entry({
        container: container.containerName,
        connectionStringEnv: undefined,
        accountUrl: azurite.accountUrl,
        sasTokenEnv: 'AKS_SAS',
      }),
      context({ AKS_SAS: sas.replace(/sig=[^&]+/, 'sig=AAAA') }),
    );
    await bad.open(undefined);
    const error = await bad.next(AbortSignal.timeout(30_000)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/listing container .* failed: HTTP 403/);
    expect(error?.message).not.toContain(DEV_ACCOUNT_KEY);
    expect(error?.message).not.toMatch(/sig=A/);
  });

  it('waits, with one warning, for a container Azure has not created yet, then reads it', async () => {
    const container = service.getContainerClient(`kube-audit-${randomBytes(4).toString('hex')}`);
    const source = await openSource({ container: container.containerName });
    expect(await source.next(AbortSignal.timeout(30_000))).toBeUndefined();
    expect(await source.next(AbortSignal.timeout(30_000))).toBeUndefined();
    expect(logs.filter((l) => l.includes('does not exist'))).toHaveLength(1);
    await container.create();
    const a = lines(2);
    await append(container, blobName('aks-test', now()), a.text);
    expect((await drain(source)).ids).toEqual(a.ids);
  });

  it('check() names the unset environment variable, the conflicting fields and a lower-case resource id', () => {
    const ctx = context();
    const problems = (fields: Record<string, unknown>) => aksBlobSource.check?.(entry(fields), ctx);
    expect(problems({ connectionStringEnv: 'NOT_SET_ANYWHERE' })).toEqual([
      'connectionStringEnv: the environment variable NOT_SET_ANYWHERE is not set',
    ]);
    expect(
      problems({ accountUrl: 'https://acct.blob.core.windows.net', sasTokenEnv: 'X' }),
    ).toEqual([
      'connectionStringEnv: give either connectionStringEnv or accountUrl with sasTokenEnv, not both',
    ]);
    expect(
      problems({
        connectionStringEnv: undefined,
        accountUrl: 'https://acct.blob.core.windows.net',
      }),
    ).toEqual(['sasTokenEnv: is required with accountUrl']);
    expect(problems({ connectionStringEnv: undefined })).toEqual([
      'connectionStringEnv: give connectionStringEnv, or accountUrl with sasTokenEnv',
    ]);
    expect(
      aksBlobSource.check?.(
        entry({ connectionStringEnv: 'BAD' }),
        context({ BAD: 'not a connection string' }),
      ),
    ).toEqual(['connectionStringEnv: BAD is not a storage account connection string']);
    expect(problems({ prefix: 'resourceId=/subscriptions/x/' })?.[0]).toMatch(
      /^prefix: Azure writes/,
    );

    // Defaults, and the class refuses what it does not know.
    const defaults = plainToInstance(AksBlobEntry, { name: 'a', kind: 'aks-blob', cluster: 'c' });
    expect(defaults.container).toBe('insights-logs-kube-audit');
    expect(defaults.pollSeconds).toBe(30);
    expect(defaults.startFrom).toBe('now');
    const wrong = plainToInstance(AksBlobEntry, {
      name: 'a',
      kind: 'aks-blob',
      pollSeconds: 0,
      startFrom: 'yesterday',
      container: 'Bad_Name',
      extra: 1,
    });
    const fields = validateSync(wrong, { whitelist: true, forbidNonWhitelisted: true })
      .map((e) => e.property)
      .sort();
    expect(fields).toEqual(['cluster', 'container', 'extra', 'pollSeconds', 'startFrom']);
  });
});
