import { MAX_JSON_DEPTH } from '../domain/json-depth';
import { buildQuarantineRecord, eventId } from './event-record';

describe('eventId', () => {
  it('is a UUIDv7 whose order is the stage time, down to the microsecond', () => {
    const ms = Date.parse('2026-11-22T13:00:00.123Z');
    const times: [number, number][] = [
      [ms - 1, 999],
      [ms, 0],
      [ms, 1],
      [ms, 2],
      [ms, 500],
      [ms, 998],
      [ms, 999],
      [ms + 1, 0],
    ];
    for (let round = 0; round < 50; round++) {
      const ids = times.map(([t, us]) => eventId(t, us).toString('hex'));
      expect([...ids].sort()).toEqual(ids);
    }
    const id = eventId(ms, 456);
    expect(id.readUIntBE(0, 6)).toBe(ms);
    expect(id[6] >> 4).toBe(7);
    expect(id[8] >> 6).toBe(0b10);
  });

  it('keeps the rest random: ids of the same microsecond differ', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => eventId(1, 1).toString('hex')));
    expect(ids.size).toBe(1000);
  });
});

describe('buildQuarantineRecord', () => {
  it('keeps an item nested 50,000 levels deep, cut below the depth limit (found by fuzzing)', () => {
    const deep: unknown = JSON.parse('['.repeat(50_000) + '1' + ']'.repeat(50_000));
    const record = buildQuarantineRecord(
      'dev',
      deep,
      'item 0: event is not a JSON object',
      new Date(),
    );
    const kept = record.raw;
    expect(kept.startsWith('['.repeat(MAX_JSON_DEPTH))).toBe(true);
    expect(kept).toContain('levels: cut');
    expect(record.reason).toBe('item 0: event is not a JSON object');
  });
});
