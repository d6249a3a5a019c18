import { chunkRows, isTransientLockError } from './sql-event-writer.repository';

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
