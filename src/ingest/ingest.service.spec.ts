import type { SqlDialect } from '../database/sql-dialect';
import { EVENT_COLUMNS, QUARANTINE_COLUMNS } from '../database/schema';
import { AuditMetrics } from '../ops/audit-metrics';
import type { EventRow, QuarantineRow } from './event-row';
import { EventWriter, StorageUnavailableError, WriteResult } from './event-writer.repository';
import { IngestService } from './ingest.service';

/** In-memory writer with the same idempotency rule as the SQL one: unique (cluster, hash). */
class FakeWriter implements EventWriter {
  readonly stored = new Map<string, EventRow>();
  readonly quarantined: QuarantineRow[] = [];
  fail = false;

  async write(events: EventRow[], quarantine: QuarantineRow[]): Promise<WriteResult> {
    if (this.fail) throw new Error('connection refused');
    let inserted = 0;
    for (const row of events) {
      const key = `${String(row[1])}/${(row[2] as Buffer).toString('hex')}`;
      if (!this.stored.has(key)) {
        this.stored.set(key, row);
        inserted++;
      }
    }
    this.quarantined.push(...quarantine);
    return { inserted, quarantined: quarantine.length };
  }
}

const column = (name: (typeof EVENT_COLUMNS)[number]) => EVENT_COLUMNS.indexOf(name);

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

  beforeEach(() => {
    writer = new FakeWriter();
    const dialect = { maxStatementBytes: 128 * 1024 + 4000 } as SqlDialect;
    service = new IngestService(writer, dialect, new AuditMetrics());
  });

  it('counts accepted, duplicate and rejected events of a batch', async () => {
    const items = [event('a'), event('a'), event('b'), { auditID: 'c' }];
    expect(await service.ingestBatch('prod', items)).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: 1,
    });
    expect(writer.quarantined[0][QUARANTINE_COLUMNS.indexOf('reason')]).toBe(
      'item 3: stage is missing',
    );
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

  it('stores an event too large for one statement without its objects, marked truncated', async () => {
    const big = event('big', {
      requestObject: { data: { blob: 'x'.repeat(5000) } },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    await service.ingestBatch('prod', [
      big,
      event('small', { requestObject: { data: { a: '1' } } }),
    ]);
    const rows = [...writer.stored.values()];
    const stored = rows.map(
      (row) => JSON.parse(String(row[column('event')])) as Record<string, unknown>,
    );
    const bigStored = stored.find((e) => e.auditID === 'big')!;
    expect(bigStored.requestObject).toBeUndefined();
    expect(bigStored.annotations).toEqual({
      'authorization.k8s.io/decision': 'allow',
      'audit.k8s.io/truncated': 'true',
    });
    expect(stored.find((e) => e.auditID === 'small')!.requestObject).toEqual({ data: { a: '1' } });
    expect(rows.find((row) => row[column('audit_id')] === 'big')![column('decision')]).toBe(
      'allow',
    );
  });

  it('turns a storage failure into StorageUnavailableError (503 for the sender)', async () => {
    writer.fail = true;
    await expect(service.ingestBatch('prod', [event('a')])).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
  });
});
