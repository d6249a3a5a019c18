import { randomBytes } from 'node:crypto';
import { backends, freshDatabase, startTestAppOn, type TestDatabase } from '../../support/test-app';
import { dataSourceOf, detectorStarted, eventually, TEST_RULES_ENV } from './helpers';

jest.setTimeout(120_000);

const HOUR = 3_600_000;

describe.each(backends())('detector prunes signals (%s)', (backend) => {
  let db: TestDatabase;
  beforeAll(() => {
    db = freshDatabase(backend);
  });
  afterAll(async () => db?.drop());

  it("forgets the signals of rules no longer loaded, and a window rule's old ones, keeping the rest", async () => {
    // First life: the schema, then signals as earlier rules files left them.
    const first = await startTestAppOn(db.database, TEST_RULES_ENV);
    const ds = dataSourceOf(first);
    await detectorStarted(ds);
    const now = Date.now();
    const signal = async (rule: string, atMs: number) =>
      ds.query(
        'INSERT INTO detection_signals (rule, key_hash, event_id, value_hash, at_ms) VALUES (?, ?, ?, ?, ?)',
        [rule, randomBytes(16), randomBytes(16), randomBytes(16), atMs],
      );
    await signal('Rule Removed Since', now - HOUR);
    await signal('Rule Removed Since', now);
    await signal('Test Secret Burst', now - 48 * HOUR); // past its 10 min window and the grace
    await signal('Test Secret Burst', now - 60_000);
    await signal('Test First Pod List', now - 48 * HOUR); // first seen: kept (no retention set)
    await first.close();

    // Second life: the detector prunes on its first pass.
    const second = await startTestAppOn(db.database, TEST_RULES_ENV);
    try {
      const rows = await eventually(async () => {
        const left = (await dataSourceOf(second).query(
          'SELECT rule, at_ms FROM detection_signals ORDER BY rule, at_ms',
        )) as { rule: string; at_ms: number | string }[];
        expect(left.map((r) => r.rule)).not.toContain('Rule Removed Since');
        return left;
      });
      expect(rows.map((r) => [r.rule, Number(r.at_ms)])).toEqual([
        ['Test First Pod List', now - 48 * HOUR],
        ['Test Secret Burst', now - 60_000],
      ]);
    } finally {
      await second.close();
    }
  });
});
