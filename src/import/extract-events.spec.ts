import { extractEvents, extractEventsDetailed } from './extract-events';

const ev = (id: string): Record<string, unknown> => ({
  kind: 'Event',
  auditID: id,
  stage: 'ResponseComplete',
});
const item = (id: string): Record<string, unknown> => ({ level: 'Metadata', auditID: id });

describe('extractEvents', () => {
  it('returns a bare Event, or an EventList item without kind/apiVersion, as one event', () => {
    expect(extractEvents(ev('a'))).toEqual({
      events: [ev('a')],
      errors: [],
      skipped: 0,
      skippedCategories: {},
      formats: { 'audit-event': 1 },
    });
    expect(extractEvents(item('b')).events).toEqual([item('b')]);
  });

  it('unwraps an EventList, with or without kind', () => {
    const list = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: [item('a'), item('b')],
    };
    expect(extractEvents(list).events).toEqual([item('a'), item('b')]);
    expect(extractEvents({ items: [item('c')] }).events).toEqual([item('c')]);
    expect(extractEvents({ kind: 'EventList', items: [] })).toMatchObject({
      events: [],
      errors: [],
    });
  });

  it('reports EventList items that are not objects, keeping the others', () => {
    const r = extractEvents({ kind: 'EventList', items: [item('a'), 7, null, [item('x')]] });
    expect(r.events).toEqual([item('a')]);
    expect(r.errors).toEqual([
      'items[1]: expected an audit Event object, got a number',
      'items[2]: expected an audit Event object, got null',
      'items[3]: expected an audit Event object, got an array',
    ]);
  });

  it('unwraps a JSON array of events, EventLists and records', () => {
    const r = extractEvents([
      ev('a'),
      { kind: 'EventList', items: [item('b')] },
      { category: 'kube-audit', properties: { log: JSON.stringify(ev('c')) } },
      'oops',
    ]);
    expect(r.events).toEqual([ev('a'), item('b'), ev('c')]);
    expect(r.errors).toEqual(['[3]: expected a JSON object (an audit Event), got a string']);
  });

  it('unwraps AKS records: log as a string (with its trailing newline) or as an object', () => {
    const r = extractEvents({
      records: [
        {
          category: 'kube-audit',
          properties: { log: `${JSON.stringify(ev('a'))}\n`, stream: 'stdout' },
        },
        { category: 'kube-audit-admin', properties: { log: ev('b') } },
        { properties: { log: ev('c') } },
        { category: 'KUBE-AUDIT', properties: { log: ev('d') } },
      ],
    });
    expect(r.events).toEqual([ev('a'), ev('b'), ev('c'), ev('d')]);
    expect(r.errors).toEqual([]);
  });

  it('skips AKS records of other categories with a count per category', () => {
    const r = extractEvents({
      records: [
        { category: 'kube-apiserver', properties: { log: 'I0101 plain text' } },
        { category: 'cluster-autoscaler', properties: { log: 'x' } },
        { category: 'kube-apiserver', properties: { log: 'y' } },
        { category: 'kube-audit', properties: { log: ev('a') } },
      ],
    });
    expect(r.events).toEqual([ev('a')]);
    expect(r.skipped).toBe(3);
    expect(r.skippedCategories).toEqual({ 'kube-apiserver': 2, 'cluster-autoscaler': 1 });
    expect(r.errors).toEqual([]);
  });

  it('says why a message is not JSON without quoting it (the reasons are logged)', () => {
    const secret = 'password=hunter2 {not json';
    const r = extractEventsDetailed({
      records: [{ category: 'kube-audit', properties: { log: secret } }],
    });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].reason).toMatch(
      /^records\[0\]\.properties\.log: not valid JSON \((at character \d+ of|\d+ characters)/,
    );
    expect(r.errors[0].reason).not.toMatch(/password|hunter2|not json/);
    const cw = extractEventsDetailed({
      events: [{ logStreamName: 'kube-apiserver-audit-1', message: secret, timestamp: 1 }],
    });
    expect(cw.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^events\[0\]\.message: not valid JSON \(/),
    ]);
    expect(cw.errors[0].reason).not.toContain('hunter2');
  });

  it('reports unusable AKS records', () => {
    const r = extractEventsDetailed({
      records: [
        { category: 'kube-audit', properties: { log: '{"kind":"Event",' } },
        { category: 'kube-audit', properties: { log: 42 } },
        { category: 'kube-audit' },
        'text',
        { category: 'kube-audit', properties: { log: '"just a string"' } },
      ],
    });
    expect(r.events).toEqual([]);
    expect(r.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^records\[0\]\.properties\.log: not valid JSON \(/),
      'records[1].properties.log: expected a JSON string or object, got a number',
      'records[2]: record has no properties.log',
      'records[3]: expected an Azure diagnostics record object, got a string',
      'records[4].properties.log: expected a JSON object (an audit Event), got a string',
    ]);
    expect(r.errors[0].text).toBe('{"kind":"Event",');
  });

  it('passes any other object through for the ingest side to validate (e.g. {"kind": 0})', () => {
    expect(extractEvents({ kind: 0 }).events).toEqual([{ kind: 0 }]);
    expect(extractEvents({}).events).toEqual([{}]);
  });

  it('reports values that cannot be an Event', () => {
    expect(extractEvents(null).errors).toEqual([
      'expected a JSON object (an audit Event), got null',
    ]);
    expect(extractEvents(3).errors).toEqual([
      'expected a JSON object (an audit Event), got a number',
    ]);
    expect(extractEvents('x').events).toEqual([]);
  });

  it('limits wrapper nesting', () => {
    let doc: unknown = ev('deep');
    for (let i = 0; i < 10; i++) doc = [doc];
    const r = extractEvents(doc);
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([expect.stringMatching(/nested too deeply/)]);
  });

  it('keeps error samples to 200 characters', () => {
    const r = extractEventsDetailed({
      records: [{ category: 'kube-audit', properties: { log: 'x'.repeat(1000) } }],
    });
    expect(r.errors[0].text).toHaveLength(200);
  });
});
