import { eventItem } from '../../test/console/event-item';
import { eventRowView, highlightOf, resourceFilterValue, timeView } from './event-row.view';

describe('highlightOf', () => {
  it.each([
    [{ responseCode: 403 }, 'denied', 'denied'],
    [{ responseCode: 401 }, 'denied', 'unauthenticated'],
    [{ responseCode: 200, decision: 'forbid' }, 'denied', 'denied'],
    [{ responseCode: 503 }, 'failed', 'failed 503'],
    [{ subresource: 'exec', responseCode: 101 }, 'session', 'exec'],
    [{ subresource: 'portforward' }, 'session', 'port-forward'],
    [{ resource: 'secrets', verb: 'list' }, 'secret', 'Secret read'],
  ])('%j is %s', (overrides, kind, label) => {
    expect(highlightOf(eventItem(overrides))).toEqual({ kind, label });
  });

  it('leaves ordinary events and Secret writes alone', () => {
    expect(highlightOf(eventItem())).toBeNull();
    expect(highlightOf(eventItem({ resource: 'secrets', verb: 'update' }))).toBeNull();
    expect(highlightOf(eventItem({ resource: 'pods', subresource: 'log' }))).toBeNull();
  });
});

describe('eventRowView', () => {
  it('links every value to the events page with that value added as a filter', () => {
    const row = eventRowView(
      eventItem({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }),
      { user: ['bob'] },
    );
    expect(row.user.href).toBe('/?user=bob&user=alice');
    expect(row.resource).toEqual({
      text: 'deployments.apps/scale',
      href: '/?user=bob&resource=deployments.apps%2Fscale',
    });
    expect(row.code?.href).toBe('/?user=bob&code=200');
    expect(row.href).toBe('/events/0193a1b2-0000-7000-8000-000000000001');
  });

  it('leaves out empty namespace, name and code', () => {
    const row = eventRowView(eventItem({ namespace: '', name: '', responseCode: null }), {});
    expect([row.namespace, row.name, row.code]).toEqual([null, null, null]);
  });

  it('spells the resource as the filter does', () => {
    expect(resourceFilterValue(eventItem({ subresource: 'exec' }))).toBe('pods/exec');
  });

  it('shows times in UTC until the browser rewrites them', () => {
    expect(timeView('2026-11-25T10:00:01.123456Z').utc).toBe('2026-11-25 10:00:01 UTC');
  });
});
