import { DataSource } from 'typeorm';
import type { EventRecord } from '../../src/database/events-table';
import { EVENT_WRITER, EventWriter } from '../../src/ingest/event-writer.repository';
import { IngestService } from '../../src/ingest/ingest.service';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * SQLite has one connection, and TypeORM hands every caller the same query runner: concurrent
 * batches must not nest into each other's transactions, or a failing batch rolls back (or a
 * commit publishes) rows of another batch that was already acknowledged.
 */
describe('concurrent batches on SQLite', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp('sqlite');
  });
  afterAll(() => test.close());

  const event = (auditID: string) => ({
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/pods',
    verb: 'list',
    user: { username: 'alice' },
    stageTimestamp: '2026-11-25T10:00:00.000001Z',
  });

  it('keeps each batch atomic and independent when one of them fails', async () => {
    const writer = test.app.get<EventWriter>(EVENT_WRITER);
    const service = test.app.get(IngestService);
    const realWrite = writer.write.bind(writer);
    const first = service.ingestBatch('c', [event('first')]);
    // The next batch carries a value SQLite cannot bind, so its transaction fails.
    const spy = jest
      .spyOn(writer, 'write')
      .mockImplementationOnce((rows: EventRecord[], quarantine) =>
        realWrite(
          rows.map((row) => ({ ...row, verb: {} as unknown as string })),
          quarantine,
        ),
      );
    const good = Array.from({ length: 5 }, (_, i) => event(`ok-${i}`));
    const results = await Promise.allSettled([
      service.ingestBatch('c', [event('broken')]),
      service.ingestBatch('c', good),
      first,
    ]);
    spy.mockRestore();
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    const rows = (await test.app
      .get(DataSource)
      .query('SELECT audit_id FROM audit_events ORDER BY audit_id')) as { audit_id: string }[];
    expect(rows.map((r) => r.audit_id)).toEqual(['first', 'ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']);
  });
});
