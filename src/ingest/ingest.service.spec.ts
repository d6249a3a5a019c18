import type { EventRecord, QuarantineRecord } from '../database/events-table';
import { CommittedEventsFeed } from '../feed/committed-events.feed';
import { AuditMetrics } from '../ops/audit-metrics';
import { EventWriter, StorageUnavailableError, WriteResult } from './event-writer.repository';
import { IngestService } from './ingest.service';

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

  beforeEach(() => {
    writer = new FakeWriter();
    feed = new CommittedEventsFeed();
    service = new IngestService(writer, new AuditMetrics(), feed);
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
});
