import { cutBelowDepth, MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { normalizeEvent } from './normalize-event';

/** `depth` arrays around 1, parsed as the webhook parses a body (JSON.parse takes any depth). */
function nested(depth: number): unknown {
  return JSON.parse('['.repeat(depth) + '1' + ']'.repeat(depth));
}

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [1] }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: 'x', b: { c: {} } }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: 'x', b: { c: {} } }, 2)).toBe(true);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
  });
});

describe('cutBelowDepth', () => {
  it('keeps the top levels and replaces the rest by a note that JSON.stringify can write', () => {
    const cut = cutBelowDepth({ a: { b: { c: [1] } }, d: 2 }, 2);
    expect(cut).toEqual({ a: { b: `(nested deeper than ${MAX_JSON_DEPTH} levels: cut)` }, d: 2 });
    const deep = cutBelowDepth(nested(100_000), MAX_JSON_DEPTH);
    expect(() => JSON.stringify(deep)).not.toThrow();
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(false);
  });
});

describe('normalizeEvent on deep events (found by test/fuzz/webhook.test.ts)', () => {
  const event = {
    auditID: 'deep',
    stage: 'ResponseComplete',
    verb: 'create',
    stageTimestamp: '2026-11-30T10:00:00.000000Z',
  };

  it('refuses an event whose requestObject nests 10,000 levels, with the reason', () => {
    expect(normalizeEvent({ ...event, requestObject: nested(10_000) })).toEqual({
      ok: false,
      reason: `event nests deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });

  it('keeps an event just under the limit', () => {
    expect(normalizeEvent({ ...event, requestObject: nested(MAX_JSON_DEPTH - 1) }).ok).toBe(true);
  });
});
