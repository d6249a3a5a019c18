import { DataSource } from 'typeorm';
import { bufferToUuid } from '../../src/database/events-table';
import { CommittedBatch, CommittedEventsFeed } from '../../src/feed/committed-events.feed';
import { backends, startTestApp, TestApp } from '../support/test-app';

function event(auditID: string, i: number) {
  const time = new Date(Date.UTC(2026, 10, 28, 12, 0, 0, i)).toISOString().replace('Z', '000Z');
  return {
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/feed/pods',
    verb: 'list',
    user: { username: 'feeder' },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
}

describe.each(backends())('post-commit feed under concurrent batches (%s)', (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(backend);
  });
  afterAll(() => app.close());

  it('announces every stored event once, after its commit, and flags batches with re-sends', async () => {
    const batches: CommittedBatch[] = [];
    const storedWhenAnnounced: Promise<number>[] = [];
    const dataSource = app.app.get(DataSource);
    const subscription = app.app.get(CommittedEventsFeed).committed.subscribe((batch) => {
      batches.push(batch);
      // Announced after the commit: a fresh read already sees every announced row.
      storedWhenAnnounced.push(
        dataSource
          .query('SELECT COUNT(*) AS n FROM audit_events WHERE cluster = ?', [batch.cluster])
          .then((rows: { n: number | string }[]) => Number(rows[0].n)),
      );
    });
    // Eight concurrent batches of 50; batches 4-7 re-send the events of batches 0-3.
    const bodies = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => event(`ev-${b % 4}-${i}`, (b % 4) * 50 + i)),
    );
    const results = await Promise.all(
      bodies.map(async (items) => {
        const res = await fetch(`${app.url}/webhook/audit/feed`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'EventList', items }),
        });
        return (await res.json()) as { accepted: number; duplicates: number };
      }),
    );
    subscription.unsubscribe();
    expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(200);

    const rows = (await dataSource.query("SELECT id FROM audit_events WHERE cluster = 'feed'")) as {
      id: Buffer;
    }[];
    const stored = new Set(rows.map((row) => bufferToUuid(row.id)));
    expect(stored.size).toBe(200);
    expect(batches).toHaveLength(8);
    const announced = batches.flatMap((batch) => batch.ids);
    // Every stored id was announced, exactly once.
    const storedAnnounced = announced.filter((id) => stored.has(id));
    expect(new Set(storedAnnounced).size).toBe(200);
    expect(storedAnnounced).toHaveLength(200);
    // Ids of re-sends the database ignored come only in batches flagged as such.
    for (const batch of batches) {
      if (batch.ids.some((id) => !stored.has(id))) expect(batch.mayIncludeDuplicates).toBe(true);
    }
    for (const [i, batch] of batches.entries()) {
      const committed = await storedWhenAnnounced[i];
      expect(committed).toBeGreaterThanOrEqual(batch.ids.filter((id) => stored.has(id)).length);
    }
  });
});
