import type { EventStats } from '../audit/audit-query';
import { eventItem } from '../../test/console/event-item';
import { eventsPageView } from './events-page.view';

const noStats: EventStats = {
  fromMs: 0,
  toMs: 3_600_000,
  bucketSeconds: 60,
  total: 0,
  buckets: [{ start: '1970-01-01T00:00:00Z', count: 0, errors: 0 }],
  byVerb: [],
  byUser: [],
  byResource: [],
  byCode: [],
  byCluster: [],
};
const empty = { items: [], nextCursor: null };

describe('eventsPageView', () => {
  it('tells a new install how to send events, and a narrow search how to widen it', () => {
    expect(eventsPageView(empty, noStats, [], {}).empty).toBe('no-events');
    expect(eventsPageView(empty, noStats, ['prod'], {}).empty).toBe('no-match');
    expect(eventsPageView(empty, noStats, [], { user: ['x'] }).empty).toBe('no-match');
    expect(eventsPageView(empty, noStats, [], {}).histogram).toBeNull();
  });

  it('tails with the filters but not the start of the range, and not at all for a past range', () => {
    const page = { items: [eventItem()], nextCursor: eventItem().id };
    const view = eventsPageView(page, noStats, ['prod'], { user: ['alice'], from: ['1h'] });
    expect(view.liveHref).toBe('/events/live?user=alice');
    expect(view.nextHref).toBe(`/events/rows?user=alice&from=1h&cursor=${eventItem().id}`);
    expect(view.empty).toBeNull();
    expect(eventsPageView(page, noStats, [], { to: ['1h'] }).liveHref).toBeNull();
  });

  it('notes the histogram range only when the URL names none', () => {
    expect(eventsPageView(empty, noStats, [], {}).histogramRangeNote).toMatch(/24 hours/);
    expect(eventsPageView(empty, noStats, [], { from: ['7d'] }).histogramRangeNote).toBeNull();
  });
});
