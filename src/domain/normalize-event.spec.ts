import { normalizeEvent } from './normalize-event';

const base = {
  level: 'Metadata',
  auditID: 'a1',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/pods',
  verb: 'list',
  user: { username: 'alice', groups: ['g'] },
  requestReceivedTimestamp: '2026-11-25T10:00:00.000001Z',
  stageTimestamp: '2026-11-25T10:00:00.000002Z',
};

describe('normalizeEvent', () => {
  it('keeps a v1 event as it is', () => {
    const result = normalizeEvent({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', ...base });
    expect(result).toEqual({ ok: true, event: base, stageEpochMs: Date.UTC(2026, 10, 25, 10) });
  });

  it('gives v1beta1 events that carry only `timestamp` both v1 timestamps', () => {
    const { requestReceivedTimestamp: _r, stageTimestamp: _s, ...old } = base;
    const result = normalizeEvent({
      ...old,
      apiVersion: 'audit.k8s.io/v1beta1',
      timestamp: '2017-09-11T19:55:05Z',
    });
    expect(
      result.ok && [result.event.requestReceivedTimestamp, result.event.stageTimestamp],
    ).toEqual(['2017-09-11T19:55:05.000000Z', '2017-09-11T19:55:05.000000Z']);
  });

  it('uses stageTimestamp for both when only it is present', () => {
    const { requestReceivedTimestamp: _r, ...event } = base;
    const result = normalizeEvent(event);
    expect(result.ok && result.event.requestReceivedTimestamp).toBe(base.stageTimestamp);
  });

  it.each([
    [null, 'event is not a JSON object'],
    [[base], 'event is not a JSON object'],
    [{ kind: 0 }, 'kind is 0, expected "Event"'],
    [{ ...base, auditID: '' }, 'auditID is missing'],
    [{ ...base, auditID: 'x'.repeat(256) }, 'auditID is longer than 255 characters'],
    [{ ...base, stage: 7 }, 'stage is missing'],
    [{ ...base, verb: undefined }, 'verb is missing'],
    [
      { ...base, stageTimestamp: undefined, requestReceivedTimestamp: undefined },
      'no timestamp (stageTimestamp, requestReceivedTimestamp or timestamp)',
    ],
    [
      { ...base, stageTimestamp: 'soon', requestReceivedTimestamp: undefined },
      'timestamp "soon" is not an RFC 3339 time',
    ],
  ])('refuses %p: %s', (raw, reason) => {
    expect(normalizeEvent(raw)).toEqual({ ok: false, reason });
  });

  it('drops fields of the wrong type instead of trusting them', () => {
    const result = normalizeEvent({
      ...base,
      user: { username: 5, groups: ['ok', 3], extra: { k: ['v', 1], j: 'x' } },
      sourceIPs: 'nope',
      objectRef: { resource: 'pods', name: ['x'] },
      responseStatus: { code: '200', message: 'm' },
      annotations: { a: 'b', c: 1 },
      userAgent: { evil: true },
    });
    expect(result.ok && result.event).toEqual({
      ...base,
      user: { groups: ['ok'], extra: { k: ['v'], j: [] } },
      objectRef: { resource: 'pods' },
      responseStatus: { message: 'm' },
      annotations: { a: 'b' },
    });
  });

  it('keeps a hostile "__proto__" annotation as a plain key', () => {
    const raw = JSON.parse(`{"annotations":{"__proto__":"x","a":"b"}}`) as Record<string, unknown>;
    const result = normalizeEvent({ ...base, annotations: raw.annotations });
    expect(result.ok && Object.keys(result.event.annotations ?? {})).toEqual(['__proto__', 'a']);
    expect(result.ok && Object.getPrototypeOf(result.event.annotations)).toBe(Object.prototype);
  });
});
