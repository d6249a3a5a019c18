import { BadRequestException } from '@nestjs/common';
import { consoleHref, parseFilters, withFilter, withoutFilter, withRange } from './console-filters';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('parseFilters', () => {
  it('reads repeated and single values with the API DTO, dropping empty form fields', () => {
    const parsed = parseFilters(
      { user: 'alice', verb: ['get', 'list'], name: '', q: '  ', from: '15m', code: '4xx' },
      NOW,
    );
    expect(parsed.filters).toEqual({
      user: ['alice'],
      verb: ['get', 'list'],
      code: ['4xx'],
      from: ['15m'],
    });
    expect(parsed.query).toMatchObject({
      user: ['alice'],
      verb: ['get', 'list'],
      code: [{ class: 4 }],
      fromMs: NOW - 15 * 60_000,
    });
  });

  it('keeps the cursor out of the filters', () => {
    const cursor = '0193a1b2-0000-7000-8000-000000000000';
    const parsed = parseFilters({ cluster: 'prod', cursor }, NOW);
    expect(parsed).toMatchObject({ filters: { cluster: ['prod'] }, cursor });
  });

  it('answers a bad or unknown filter with a 400 naming it', () => {
    expect(() => parseFilters({ code: 'abc' }, NOW)).toThrow(BadRequestException);
    try {
      parseFilters({ code: 'abc', colour: 'red' }, NOW);
    } catch (error) {
      const messages = ((error as BadRequestException).getResponse() as { message: string[] })
        .message;
      expect(messages.join('\n')).toMatch(/code must be an HTTP status/);
      expect(messages.join('\n')).toMatch(/colour should not exist/);
    }
  });
});

describe('console URLs', () => {
  it('writes filters in the filter bar order, then the extras', () => {
    expect(consoleHref('/', { verb: ['get'], user: ['a b'] }, { cursor: 'c' })).toBe(
      '/?user=a+b&verb=get&cursor=c',
    );
    expect(consoleHref('/', {})).toBe('/');
  });

  it('adds a clicked value once, replaces single-valued fields, removes one chip', () => {
    const filters = withFilter({ user: ['alice'] }, 'user', 'bob');
    expect(filters).toEqual({ user: ['alice', 'bob'] });
    expect(withFilter(filters, 'user', 'bob')).toBe(filters);
    expect(withFilter({ q: ['x'] }, 'q', 'y')).toEqual({ q: ['y'] });
    expect(withoutFilter(filters, 'user', 'alice')).toEqual({ user: ['bob'] });
    expect(withoutFilter({ user: ['bob'] }, 'user', 'bob')).toEqual({});
  });

  it('sets a time range, dropping an old end when none is given', () => {
    expect(withRange({ to: ['1h'], user: ['a'] }, '24h')).toEqual({ user: ['a'], from: ['24h'] });
    expect(withRange({}, 'a', 'b')).toEqual({ from: ['a'], to: ['b'] });
  });
});
