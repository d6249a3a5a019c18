import {
  parseDuration,
  parseFirstSeen,
  parseGroup,
  parsePriority,
  parseWindow,
} from './rule-values';

describe('parsePriority', () => {
  it.each([
    ['EMERGENCY', 'EMERGENCY'],
    ['alert', 'ALERT'],
    ['Critical', 'CRITICAL'],
    ['error', 'ERROR'],
    ['warning', 'WARNING'],
    ['notice', 'NOTICE'],
    ['informational', 'INFORMATIONAL'],
    ['INFO', 'INFORMATIONAL'],
    ['debug', 'DEBUG'],
  ])('%s → %s', (text, priority) => {
    expect(parsePriority(text)).toBe(priority);
  });

  it('rejects anything else', () => {
    expect(() => parsePriority('warn')).toThrow(/unknown priority "warn"/);
    expect(() => parsePriority(3)).toThrow(/unknown priority 3/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '1w', '-5m', '0s', '1.5h', '5 m', 10])('rejects %j', (value) => {
    expect(() => parseDuration(value)).toThrow(/invalid duration/);
  });
});

describe('window, first_seen and group', () => {
  it('parses them', () => {
    expect(parseWindow({ by: ['ka.user.name'], threshold: 3, within: '1m' })).toEqual({
      by: ['ka.user.name'],
      threshold: 3,
      withinMs: 60_000,
    });
    expect(
      parseWindow({ by: 'ka.user.name', distinct: 'ka.target.name', threshold: 1, within: '1s' }),
    ).toEqual({
      by: ['ka.user.name'],
      distinct: 'ka.target.name',
      threshold: 1,
      withinMs: 1000,
    });
    expect(parseFirstSeen({ by: ['ka.user.name'], learn: '2d' })).toEqual({
      by: ['ka.user.name'],
      learnMs: 172_800_000,
    });
    expect(parseGroup({ by: ['ka.verb'], within: '5m' })).toEqual({
      by: ['ka.verb'],
      withinMs: 300_000,
    });
  });

  it.each([
    [
      () => parseWindow({ by: [], threshold: 1, within: '1m' }),
      /'window.by' must be a non-empty list/,
    ],
    [
      () => parseWindow({ by: ['a'], threshold: 1.5, within: '1m' }),
      /'window.threshold' must be a whole number/,
    ],
    [() => parseWindow({ by: ['a'], threshold: 2 }), /'window.within' is required/],
    [() => parseWindow({ by: ['a'], threshold: 2, within: '1m', every: 1 }), /unknown key 'every'/],
    [
      () => parseWindow({ by: ['a'], threshold: 2, within: '1m', distinct: 3 }),
      /'window.distinct' must be a field name/,
    ],
    [() => parseWindow('10m'), /'window' must be a mapping/],
    [() => parseFirstSeen({ by: ['a'] }), /'first_seen.learn' is required/],
    [() => parseGroup({ by: ['a'], within: 'soon' }), /invalid duration "soon"/],
  ])('rejects bad values (%#)', (parse, message) => {
    expect(parse).toThrow(message);
  });
});
