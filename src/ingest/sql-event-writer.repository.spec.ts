import type { DataSource } from 'typeorm';
import { EVENT_COLUMNS, EventRecord, QUARANTINE_COLUMNS } from '../database/events-table';
import type { SqlDialect, SqlStatement } from '../database/sql-dialect';
import { buildEventRecord, buildQuarantineRecord } from './event-record';
import { chunkRows, isTransientLockError, SqlEventWriter } from './sql-event-writer.repository';

describe('chunkRows', () => {
  const row = (bytes: number) => ['id', 'x'.repeat(bytes)];

  it('keeps every row, in order, within the placeholder limit', () => {
    const rows = Array.from({ length: 1001 }, (_, i) => [i, 'v']);
    const chunks = chunkRows(rows, 100, Number.MAX_SAFE_INTEGER);
    expect(chunks.map((c) => c.length)).toEqual([...Array(20).fill(50), 1]);
    expect(chunks.flat()).toEqual(rows);
  });

  it('starts a new statement before the packet size would be exceeded', () => {
    const chunks = chunkRows([row(400), row(400), row(400)], 1000, 3000);
    expect(chunks.map((c) => c.length)).toEqual([2, 1]);
  });

  it('still sends a single row that is larger than the limit on its own', () => {
    expect(chunkRows([row(5000)], 1000, 100)).toHaveLength(1);
  });
});

describe('isTransientLockError', () => {
  it('recognises deadlocks and busy databases, also wrapped by TypeORM', () => {
    expect(isTransientLockError({ code: 'ER_LOCK_DEADLOCK' })).toBe(true);
    expect(isTransientLockError({ code: 'X', driverError: { code: 'SQLITE_BUSY' } })).toBe(true);
    expect(isTransientLockError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isTransientLockError(new Error('boom'))).toBe(false);
  });
});

describe('SqlEventWriter', () => {
  const record = (auditID: string, event: Record<string, unknown>): EventRecord => ({
    ...buildEventRecord(
      'prod',
      {
        level: 'Request',
        auditID,
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/a/configmaps',
        verb: 'create',
        user: { username: 'alice' },
        requestReceivedTimestamp: '2026-11-25T10:00:00.000001Z',
        stageTimestamp: '2026-11-25T10:00:00.000001Z',
      },
      JSON.stringify(event),
      Date.parse('2026-11-25T10:00:00Z'),
    ),
    decision: 'allow',
  });

  function writerWithCapture(maxStatementBytes: number) {
    const statements: SqlStatement[] = [];
    const dialect = {
      maxParams: 60_000,
      maxStatementBytes,
      insertIgnore: (table: string) => `INSERT IGNORE INTO ${table} VALUES `,
      upsert: (table: string) => `UPSERT ${table}`,
      writeTransaction: async (_ds: unknown, batch: SqlStatement[]) => {
        statements.push(...batch);
        return batch.map(() => 1);
      },
    } as unknown as SqlDialect;
    return { writer: new SqlEventWriter({} as DataSource, dialect), statements };
  }

  it('stores an event too large for one statement without its objects, marked truncated', async () => {
    const { writer, statements } = writerWithCapture(128 * 1024 + 4000);
    const big = {
      auditID: 'big',
      requestObject: { blob: 'x'.repeat(5000) },
      annotations: { a: 'b' },
    };
    await writer.write([record('big', big), record('small', { requestObject: { a: '1' } })], []);
    const event = EVENT_COLUMNS.indexOf('event');
    const width = EVENT_COLUMNS.length;
    const params = statements[0].params;
    const stored = [params[event], params[width + event]].map(
      (json) => JSON.parse(String(json)) as Record<string, unknown>,
    );
    expect(stored[0]).toEqual({
      auditID: 'big',
      annotations: { a: 'b', 'audit.k8s.io/truncated': 'true' },
    });
    expect(stored[1]).toEqual({ requestObject: { a: '1' } });
    expect(params[EVENT_COLUMNS.indexOf('decision')]).toBe('allow');
  });

  it('cuts values to their column limits and keeps the whole event JSON', async () => {
    const { writer, statements } = writerWithCapture(4 * 1024 * 1024);
    const long = { ...record('x', { name: 'n'.repeat(400) }), name: 'n'.repeat(400) };
    await writer.write([long], []);
    const params = statements[0].params;
    expect(params[EVENT_COLUMNS.indexOf('name')]).toBe('n'.repeat(253));
    expect(String(params[EVENT_COLUMNS.indexOf('event')])).toContain('n'.repeat(400));
  });

  it('stores a quarantined record too large for one statement cut, saying so, and a source position with the batch', async () => {
    const { writer, statements } = writerWithCapture(128 * 1024 + 4000);
    const huge = buildQuarantineRecord('c', 'y'.repeat(200_000), 'src: not valid JSON', new Date());
    const small = buildQuarantineRecord('c', 'short', 'src: not an event', new Date());
    await writer.write([], [huge, small], {
      source: 'src',
      position: 'p-7',
      lastEventMs: 5,
      updatedAtMs: 6,
    });
    const raw = QUARANTINE_COLUMNS.indexOf('raw');
    const reason = QUARANTINE_COLUMNS.indexOf('reason');
    const width = QUARANTINE_COLUMNS.length;
    const params = statements[0].params;
    expect(String(params[raw]).length).toBeLessThan(200_000);
    expect(String(params[raw])).toMatch(/^y+$/);
    expect(params[reason]).toMatch(
      /^src: not valid JSON \(stored cut to its first \d+ of 200000 characters\)$/,
    );
    expect(params[width + raw]).toBe('short');
    expect(params[width + reason]).toBe('src: not an event');
    // The position goes in the same transaction, last.
    expect(statements.at(-1)).toEqual({
      sql: 'UPSERT source_checkpoints',
      params: ['src', 'p-7', 5, 6],
    });
  });
});
