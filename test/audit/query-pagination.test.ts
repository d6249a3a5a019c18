/**
 * Keyset pagination of GET /api/v1/events (issue 7 contract): walking every page yields every
 * matching event exactly once, newest first; inserts between page loads, equal timestamps and
 * the exact last page.
 */
import type { EventPage } from '../../src/audit/audit-query';
import {
  auditIDs,
  EventSpec,
  getOk,
  newestFirst,
  postEvents,
  walk,
} from '../support/query-fixtures';
import { backends, startTestApp, TestApp } from '../support/test-app';

const T0 = Date.parse('2026-11-22T12:00:00.000Z');
const SECOND = 1000;

/** n events of one cluster, one second apart from T0 + offset, verbs rotating get/list/create. */
function series(prefix: string, n: number, offsetMs = 0): EventSpec[] {
  const verbs = ['get', 'list', 'create'];
  return Array.from({ length: n }, (_, i) => ({
    auditID: `${prefix}-${String(i).padStart(3, '0')}`,
    at: T0 + offsetMs + i * SECOND,
    verb: verbs[i % 3],
    resource: 'pods',
    namespace: 'ns',
    name: `pod-${i}`,
    code: 200,
  }));
}

/** A deterministic shuffle (posting order must not matter). */
function shuffled<T>(values: readonly T[]): T[] {
  const out = [...values];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const events = '/api/v1/events';

describe.each(backends())('events API pagination (%s)', (backend) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(backend);
  });
  afterAll(() => app?.close());

  it('walks every page and gets every event exactly once, newest first', async () => {
    const specs = series('walk', 23);
    const posted = shuffled(specs);
    await postEvents(app, 'page-walk', posted.slice(0, 8));
    await postEvents(app, 'page-walk', posted.slice(8, 15));
    await postEvents(app, 'page-walk', posted.slice(15));
    const { pages, items } = await walk(app, events, { cluster: 'page-walk' }, 5);
    expect(pages.map((p) => p.items.length)).toEqual([5, 5, 5, 5, 3]);
    expect(auditIDs(items)).toEqual(newestFirst(specs));
    expect(new Set(items.map((i) => i.id)).size).toBe(23);
    expect(pages.slice(0, -1).every((p) => p.nextCursor !== null)).toBe(true);
  });

  it('walks a filtered result (verb=get&verb=list) with a page size that does not divide it', async () => {
    const specs = series('filt', 23);
    await postEvents(app, 'page-filter', specs);
    const expected = newestFirst(specs.filter((s) => s.verb === 'get' || s.verb === 'list'));
    expect(expected).toHaveLength(16);
    const { pages, items } = await walk(
      app,
      events,
      { cluster: 'page-filter', verb: ['get', 'list'] },
      3,
    );
    expect(auditIDs(items)).toEqual(expected);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3, 3, 3, 1]);
  });

  it('the exact last page (count == limit) ends the walk consistently', async () => {
    const specs = series('exact', 20);
    await postEvents(app, 'page-exact', specs);
    const expected = newestFirst(specs);
    for (const limit of [5, 10, 20]) {
      const pages: EventPage[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 20 / limit; n++) {
        pages.push(await getOk<EventPage>(app, events, { cluster: 'page-exact', limit, cursor }));
        cursor = pages[pages.length - 1].nextCursor ?? undefined;
      }
      expect(auditIDs(pages.flatMap((p) => p.items))).toEqual(expected);
      const last = pages[pages.length - 1];
      expect(last.items).toHaveLength(limit);
      if (last.nextCursor !== null) {
        // Allowed: a cursor to an empty page, which must then be the end.
        const after = await getOk<EventPage>(app, events, {
          cluster: 'page-exact',
          limit,
          cursor: last.nextCursor,
        });
        expect(after).toEqual({ items: [], nextCursor: null });
      }
      // The same request gives the same answer (consistently).
      const again = await getOk<EventPage>(app, events, {
        cluster: 'page-exact',
        limit,
        cursor: pages.length > 1 ? (pages[pages.length - 2].nextCursor ?? undefined) : undefined,
      });
      expect(again).toEqual(last);
    }
    const whole = await getOk<EventPage>(app, events, { cluster: 'page-exact', limit: 21 });
    expect(whole.items).toHaveLength(20);
    expect(whole.nextCursor).toBeNull();
  });

  it('an event inserted between two page loads (newer than the first page) does not shift the second page', async () => {
    const specs = series('ins', 12);
    await postEvents(app, 'page-insert', specs);
    const expected = newestFirst(specs);
    const first = await getOk<EventPage>(app, events, { cluster: 'page-insert', limit: 5 });
    expect(auditIDs(first.items)).toEqual(expected.slice(0, 5));
    expect(first.nextCursor).not.toBeNull();

    // Newer than everything, and one exactly as new as the first page's newest.
    await postEvents(app, 'page-insert', [
      { auditID: 'ins-new', at: T0 + 60 * SECOND, resource: 'pods', namespace: 'ns', name: 'late' },
      {
        auditID: 'ins-tie-top',
        at: T0 + 11 * SECOND,
        resource: 'pods',
        namespace: 'ns',
        name: 'tie',
      },
    ]);
    const second = await getOk<EventPage>(app, events, {
      cluster: 'page-insert',
      limit: 5,
      cursor: first.nextCursor!,
    });
    expect(auditIDs(second.items)).toEqual(expected.slice(5, 10));

    // An older event inserted now is legitimately found at the end of the walk.
    await postEvents(app, 'page-insert', [
      { auditID: 'ins-old', at: T0 - 60 * SECOND, resource: 'pods', namespace: 'ns', name: 'old' },
    ]);
    const rest = await walk(app, events, { cluster: 'page-insert' }, 5);
    const third = await getOk<EventPage>(app, events, {
      cluster: 'page-insert',
      limit: 5,
      cursor: second.nextCursor!,
    });
    expect(auditIDs(third.items)).toEqual([...expected.slice(10), 'ins-old']);
    expect(third.nextCursor).toBeNull();
    // And a fresh walk sees the new ones first.
    expect(auditIDs(rest.items).slice(0, 1)).toEqual(['ins-new']);
    expect(rest.items).toHaveLength(15);
  });

  it('many events with EQUAL stage times across page boundaries: each exactly once, stable order', async () => {
    const tie = T0 + 500 * SECOND;
    const tied: EventSpec[] = Array.from({ length: 30 }, (_, i) => ({
      auditID: `tie-${String(i).padStart(2, '0')}`,
      at: tie,
      resource: 'pods',
      namespace: 'ns',
      name: `tied-${i}`,
    }));
    const newer = series('tnew', 3, 600 * SECOND);
    const older = series('told', 3, 100 * SECOND);
    // Two batches in different orders: the order must not come from insertion.
    await postEvents(app, 'page-ties', [...shuffled(tied).slice(0, 15), ...older]);
    await postEvents(app, 'page-ties', [...newer, ...shuffled(tied).slice(15)]);

    for (const limit of [7, 1, 30]) {
      const { items } = await walk(app, events, { cluster: 'page-ties' }, limit);
      const ids = auditIDs(items);
      expect(ids).toHaveLength(36);
      expect(new Set(ids).size).toBe(36);
      expect(ids.slice(0, 3)).toEqual(newestFirst(newer));
      expect(ids.slice(33)).toEqual(newestFirst(older));
      expect([...ids.slice(3, 33)].sort()).toEqual(tied.map((t) => t.auditID).sort());
    }
    // Stable: two walks with different page sizes give the same order, which is id order.
    const a = auditIDs((await walk(app, events, { cluster: 'page-ties' }, 7)).items);
    const b = (await walk(app, events, { cluster: 'page-ties' }, 4)).items;
    expect(auditIDs(b)).toEqual(a);
    const tiedIds = b.slice(3, 33).map((i) => i.id);
    const asc = [...tiedIds].sort();
    expect([asc, [...asc].reverse()]).toContainEqual(tiedIds);
  });

  it('orders events within the same millisecond by their microseconds', async () => {
    // Ten events 1 us apart inside one millisecond, posted oldest first.
    const specs: EventSpec[] = Array.from({ length: 10 }, (_, i) => ({
      auditID: `us-${i}`,
      at: `2026-11-22T13:00:00.123${String(100 + i * 10).padStart(3, '0')}Z`,
      resource: 'pods',
      namespace: 'ns',
      name: `p${i}`,
    }));
    await postEvents(app, 'page-micro', specs);
    const expected = specs.map((s) => s.auditID).reverse();
    const whole = await getOk<EventPage>(app, events, { cluster: 'page-micro' });
    expect(auditIDs(whole.items)).toEqual(expected);
    const { items } = await walk(app, events, { cluster: 'page-micro' }, 3);
    expect(auditIDs(items)).toEqual(expected);
  });

  it('default limit is 50, limit=500 is allowed, and 501 events take two pages of 500', async () => {
    const specs = series('big', 501);
    await postEvents(app, 'page-big', specs);
    const expected = newestFirst(specs);
    const first = await getOk<EventPage>(app, events, { cluster: 'page-big' });
    expect(auditIDs(first.items)).toEqual(expected.slice(0, 50));
    expect(first.nextCursor).not.toBeNull();
    const { pages, items } = await walk(app, events, { cluster: 'page-big' }, 500);
    expect(pages.map((p) => p.items.length)).toEqual([500, 1]);
    expect(auditIDs(items)).toEqual(expected);
    const one = await walk(
      app,
      events,
      { cluster: 'page-big', verb: 'create', from: new Date(T0 + 480 * SECOND).toISOString() },
      1,
    );
    expect(auditIDs(one.items)).toEqual(
      newestFirst(
        specs.filter((s) => s.verb === 'create' && (s.at as number) >= T0 + 480 * SECOND),
      ),
    );
  });

  it('a cursor keeps the filter it was made with (filters are sent again with it)', async () => {
    const specs = series('keep', 9);
    await postEvents(app, 'page-keep', specs);
    const first = await getOk<EventPage>(app, events, {
      cluster: 'page-keep',
      verb: 'get',
      limit: 2,
    });
    const second = await getOk<EventPage>(app, events, {
      cluster: 'page-keep',
      verb: 'get',
      limit: 2,
      cursor: first.nextCursor!,
    });
    const gets = newestFirst(specs.filter((s) => s.verb === 'get'));
    expect(auditIDs(first.items)).toEqual(gets.slice(0, 2));
    expect(auditIDs(second.items)).toEqual(gets.slice(2, 4));
    expect(second.nextCursor).toBeNull();
  });
});
