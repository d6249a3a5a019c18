import type { EventRecord, QuarantineRecord } from '../database/events-table';
import { CommittedEventsFeed } from '../feed/committed-events.feed';
import { AuditMetrics } from '../ops/audit-metrics';
import { EventWriter, StorageUnavailableError, WriteResult } from './event-writer.repository';
import { IngestService } from './ingest.service';
import { parseEnvironment } from '../config/environment';
import { EventRedactor } from './event-redactor';
import type { RedactionKeyStore } from './redaction-key.repository';

/** The database's part of the key: insert if absent, then read. */
class FakeKeyStore implements RedactionKeyStore {
  stored?: string;
  async keyOr(candidate: string): Promise<string> {
    this.stored ??= candidate;
    return this.stored;
  }
}

async function redactor(env: Record<string, string>, keys = new FakeKeyStore()) {
  const redactor = new EventRedactor(parseEnvironment({ HTTP_PORT: '1', ...env }), keys);
  await redactor.onModuleInit();
  return redactor;
}

/** In-memory writer with the same idempotency rule as the SQL one: unique (cluster, hash). */
class FakeWriter implements EventWriter {
  readonly stored = new Map<string, EventRecord>();
  readonly quarantined: QuarantineRecord[] = [];
  fail = false;

  async write(events: EventRecord[], quarantine: QuarantineRecord[]): Promise<WriteResult> {
    if (this.fail) throw new Error('connection refused');
    let inserted = 0;
    for (const row of events) {
      const key = `${row.cluster}/${row.contentHash.toString('hex')}`;
      if (!this.stored.has(key)) {
        this.stored.set(key, row);
        inserted++;
      }
    }
    this.quarantined.push(...quarantine);
    return { inserted, quarantined: quarantine.length };
  }
}

function event(auditID: string, extra: Record<string, unknown> = {}) {
  return {
    level: 'Request',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/a/configmaps',
    verb: 'create',
    user: { username: 'alice' },
    stageTimestamp: '2026-11-25T10:00:00.000001Z',
    ...extra,
  };
}

describe('IngestService', () => {
  let writer: FakeWriter;
  let service: IngestService;
  let feed: CommittedEventsFeed;

  beforeEach(async () => {
    writer = new FakeWriter();
    feed = new CommittedEventsFeed();
    service = new IngestService(writer, new AuditMetrics(), feed, await redactor({}));
  });

  it('counts accepted, duplicate and rejected events of a batch', async () => {
    const items = [event('a'), event('a'), event('b'), { auditID: 'c' }];
    expect(await service.ingestBatch('prod', items)).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: 1,
    });
    expect(writer.quarantined[0].reason).toBe('item 3: stage is missing');
    expect(await service.ingestBatch('prod', items)).toEqual({
      accepted: 0,
      duplicates: 3,
      rejected: 1,
    });
    expect(await service.ingestBatch('dev', items)).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: 1,
    });
  });

  it('publishes the ids of a committed batch to subscribers of the feed', async () => {
    const batches: { cluster: string; ids: string[]; mayIncludeDuplicates: boolean }[] = [];
    const subscription = feed.committed.subscribe((batch) => batches.push(batch));
    await service.ingestBatch('prod', [event('a'), event('b')]);
    await service.ingestBatch('prod', [event('a')]);
    writer.fail = true;
    await expect(service.ingestBatch('prod', [event('c')])).rejects.toThrow();
    subscription.unsubscribe();
    expect(batches.map((b) => [b.cluster, b.ids.length, b.mayIncludeDuplicates])).toEqual([
      ['prod', 2, false],
      ['prod', 1, true],
    ]);
    const stored = [...writer.stored.values()].map((r) => r.id.toString('hex'));
    expect(batches[0].ids.map((id) => id.replace(/-/g, ''))).toEqual(stored);
  });

  it('turns a storage failure into StorageUnavailableError (503 for the sender)', async () => {
    writer.fail = true;
    await expect(service.ingestBatch('prod', [event('a')])).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
  });

  describe('redaction at rest', () => {
    const password = `pw-${process.pid}-${Date.now()}`;
    const body = { kind: 'Secret', stringData: { password } };
    const secret = (auditID: string) =>
      event(auditID, {
        requestURI: '/api/v1/namespaces/a/secrets',
        objectRef: { resource: 'secrets', namespace: 'a', name: 'db', apiVersion: 'v1' },
        requestObject: body,
      });
    const stored = () => [...writer.stored.values()].map((row) => row.event).join('\n');

    it('stores the redacted event, and a retry of the batch is still a duplicate', async () => {
      const batch = [secret('a'), { auditID: 'broken', requestObject: body }];
      expect(await service.ingestBatch('prod', batch)).toEqual({
        accepted: 1,
        duplicates: 0,
        rejected: 1,
      });
      expect(stored()).toMatch(/"password":"<redacted-hmac:[0-9a-f]{12}>"/);
      expect(stored()).not.toContain(password);
      // A rejected event is kept for inspection, redacted like the rest.
      expect(writer.quarantined[0].raw).not.toContain(password);
      expect(await service.ingestBatch('prod', batch)).toMatchObject({
        accepted: 0,
        duplicates: 1,
      });
    });

    it('takes REDACT_KEY when set, and otherwise the key the database keeps', async () => {
      const keys = new FakeKeyStore();
      const first = await redactor({}, keys);
      const restarted = await redactor({}, keys);
      const fixed = await redactor({ REDACT_KEY: 'r'.repeat(32) }, new FakeKeyStore());
      const [a, b, c] = [first, restarted, fixed].map((r) => JSON.stringify(r.redact(secret('a'))));
      expect(keys.stored).toMatch(/^[0-9a-f]{64}$/);
      expect(b).toBe(a);
      expect(c).not.toBe(a);
      expect(c).not.toContain(password);
    });

    it('stores the event as sent with REDACT=none, and never redacts before the key is loaded', async () => {
      const none = await redactor({ REDACT: 'none' });
      const item = secret('a');
      expect(none.redact(item)).toBe(item);
      const keys = new FakeKeyStore();
      const early = new EventRedactor(parseEnvironment({ HTTP_PORT: '1' }), keys);
      expect(() => early.redact(item)).toThrow(/not loaded/);
    });
  });
});
