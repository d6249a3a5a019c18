import { newestEventMs } from './sources.service';

describe('newestEventMs', () => {
  const NOW = Date.parse('2026-11-30T12:00:00Z');

  it('is the newest stageTimestamp of the items, ignoring what is not a time', () => {
    expect(
      newestEventMs(
        [
          { stageTimestamp: '2026-11-30T11:00:00.000000Z' },
          { stageTimestamp: '2026-11-30T11:59:00.123456Z' },
          { stageTimestamp: 'not a time' },
          { stageTimestamp: 42 },
          null,
          'text',
        ],
        NOW,
      ),
    ).toBe(Date.parse('2026-11-30T11:59:00.123Z'));
    expect(newestEventMs([], NOW)).toBeUndefined();
  });

  it('believes no event from further than five minutes ahead (the lag must not read 0 for good)', () => {
    expect(newestEventMs([{ stageTimestamp: '2099-01-01T00:00:00Z' }], NOW)).toBe(NOW + 5 * 60_000);
  });
});
