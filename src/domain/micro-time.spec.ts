import { microTimeToSql, parseMicroTime, sqlToMicroTime } from './micro-time';

describe('parseMicroTime', () => {
  it.each([
    [
      '2026-11-25T10:00:00.123456Z',
      '2026-11-25T10:00:00.123456Z',
      Date.UTC(2026, 10, 25, 10, 0, 0, 123),
    ],
    ['2017-09-11T19:55:05Z', '2017-09-11T19:55:05.000000Z', Date.UTC(2017, 8, 11, 19, 55, 5)],
    [
      '2020-05-05T16:16:37.6Z',
      '2020-05-05T16:16:37.600000Z',
      Date.UTC(2020, 4, 5, 16, 16, 37, 600),
    ],
    [
      '2020-05-05T18:16:37.123456789+02:00',
      '2020-05-05T16:16:37.123456Z',
      Date.UTC(2020, 4, 5, 16, 16, 37, 123),
    ],
    ['2020-05-05T14:16:37-0200', '2020-05-05T16:16:37.000000Z', Date.UTC(2020, 4, 5, 16, 16, 37)],
  ])('parses %s', (input, iso, epochMs) => {
    expect(parseMicroTime(input)).toEqual({ iso, epochMs });
  });

  it.each([
    undefined,
    42,
    '',
    'yesterday',
    '2024-02-31T00:00:00Z',
    '2024-02-31T00:00:00.000000Z',
    '2024-01-01T24:00:00.000000Z',
    '2023-02-29T00:00:00.000000Z',
    '2024-13-01T00:00:00.000000Z',
    '2024-00-10T00:00:00.000000Z',
    '1969-12-31T23:59:59.000000Z',
    '1969-12-31T23:59:59Z',
    '2024-01-01T25:00:00Z',
    '2024-01-01',
    `2024-01-01T00:00:00.${'1'.repeat(50)}Z`,
  ])('refuses %p', (input) => {
    expect(parseMicroTime(input)).toBeUndefined();
  });

  it('accepts a leap day in the canonical form', () => {
    expect(parseMicroTime('2024-02-29T23:59:59.999999Z')).toEqual({
      iso: '2024-02-29T23:59:59.999999Z',
      epochMs: Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    });
  });

  it('round-trips through the SQL DATETIME(6) form', () => {
    const iso = '2026-01-02T03:04:05.000007Z';
    expect(microTimeToSql(iso)).toBe('2026-01-02 03:04:05.000007');
    expect(sqlToMicroTime(microTimeToSql(iso))).toBe(iso);
    expect(sqlToMicroTime('2026-01-02 03:04:05')).toBe('2026-01-02T03:04:05.000000Z');
  });
});
