import { eventItem } from '../../test/console/event-item';
import { eventDetailView } from './event-detail.view';

describe('eventDetailView bodies', () => {
  const configMap = { kind: 'ConfigMap', metadata: { name: 'c1' }, data: { 'a.b': 'x: y' } };

  it('shows recorded bodies as YAML', () => {
    const view = eventDetailView(
      eventItem({ level: 'RequestResponse' }),
      { requestObject: configMap, responseObject: configMap },
      [],
    );
    expect(view.requestYaml).toBe('kind: ConfigMap\nmetadata:\n  name: c1\ndata:\n  a.b: "x: y"\n');
    expect(view.responseYaml).toBe(view.requestYaml);
  });

  it('says why a body is missing: the audit level, or no body at all', () => {
    const metadata = eventDetailView(eventItem({ level: 'Metadata' }), {}, []);
    expect(metadata.requestYaml).toBeNull();
    expect(metadata.requestMissing).toMatch(/level for this request \(Metadata\)/);
    expect(metadata.responseMissing).toMatch(/only the RequestResponse level/);
    const full = eventDetailView(eventItem({ level: 'RequestResponse' }), {}, []);
    expect(full.requestMissing).toBe('None: this request carried no body.');
    expect(full.responseMissing).toMatch(/recorded no response body/);
  });
});

describe('eventDetailView on hostile events (found by test/fuzz/webhook.test.ts)', () => {
  it('shows user.extra and responseStatus values that are objects without a usable toString', () => {
    const view = eventDetailView(
      eventItem({ level: 'Metadata' }),
      {
        user: { username: 'x', extra: { scopes: [{ toString: 1 }, 'a'], other: { toString: 1 } } },
        responseStatus: { code: 500, message: { toString: 1 }, reason: 'InternalError' },
      },
      [],
    );
    expect(view.extra).toEqual([
      { key: 'scopes', value: '{"toString":1}, a' },
      { key: 'other', value: '{"toString":1}' },
    ]);
    expect(view.status).toEqual({ message: '{"toString":1}', reason: 'InternalError' });
  });
});
