import type { Connection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, eventParams, EVENTS_TABLE } from '../../src/database/events-table';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { buildEventRecord, storedEventJson } from '../../src/ingest/event-record';
import { MARIADB, mariadbAvailable } from '../support/mariadb';
import { startTestApp, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;

const LIMIT = 2;
const FLOOD_BATCHES = 6;

function event(auditID: string): Json {
  return {
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/team/pods',
    verb: 'list',
    user: { username: 'flooder' },
    objectRef: { resource: 'pods', namespace: 'team' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2026-11-30T08:00:00.000001Z',
    stageTimestamp: '2026-11-30T08:00:00.000002Z',
  };
}

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Json;
}

async function send(app: TestApp, cluster: string, items: Json[]): Promise<Answer> {
  const res = await fetch(`${app.url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', items }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Json,
  };
}

/**
 * Holds the row the app would insert for `raw` in cluster `cluster`, uncommitted, from a
 * connection of the test's own: every batch that carries that event waits for this
 * transaction (InnoDB makes an insert of a duplicate unique key wait for the other
 * transaction's decision), while other clusters' rows do not conflict with it.
 */
async function holdRow(database: string, cluster: string, raw: Json): Promise<Connection> {
  const normalized = normalizeEvent(raw);
  if (!normalized.ok) throw new Error(normalized.reason);
  const record = buildEventRecord(
    cluster,
    normalized.event,
    storedEventJson(raw),
    normalized.stageEpochMs,
  );
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({ ...MARIADB, database });
  await connection.beginTransaction();
  await connection.query(
    `INSERT INTO ${EVENTS_TABLE} (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
    eventParams(record),
  );
  return connection;
}

async function metric(app: TestApp, line: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found ? Number(found.split(' ').pop()) : 0;
}

const maybe = mariadbAvailable() ? describe : describe.skip;

maybe('ingest backpressure (mariadb)', () => {
  let app: TestApp;
  let blocker: Connection | undefined;

  beforeAll(async () => {
    app = await startTestApp('mariadb', { INGEST_MAX_PENDING_BATCHES: String(LIMIT) });
  });
  afterAll(async () => {
    await blocker?.rollback().catch(() => undefined);
    await blocker?.end();
    await app?.close();
  });

  it('refuses a stalled cluster past the limit with 429 + Retry-After, keeps taking others, loses nothing', async () => {
    const database = (app.config.database as { name: string }).name;
    const stall = event('stall');
    blocker = await holdRow(database, 'flood', stall);

    // Every flood batch carries the held event first, then five of its own.
    const batches = Array.from({ length: FLOOD_BATCHES }, (_, b) => [
      stall,
      ...Array.from({ length: 5 }, (_, i) => event(`flood-${b}-${i}`)),
    ]);
    const settled: (Answer | undefined)[] = batches.map(() => undefined);
    const inFlight = batches.map((items, i) =>
      send(app, 'flood', items).then((answer) => (settled[i] = answer)),
    );

    // All but LIMIT are refused at once; the LIMIT admitted ones wait for the held row.
    await waitFor(() => settled.filter(Boolean).length >= FLOOD_BATCHES - LIMIT);
    const refused = settled.filter((answer): answer is Answer => answer !== undefined);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.retryAfter).toBe('5');
      expect(answer.body.message).toBe(
        `too many batches of cluster flood are waiting for the database (limit ${LIMIT}, ` +
          'INGEST_MAX_PENDING_BATCHES); nothing of this batch was stored: send it again after 5 s',
      );
    }
    expect(await metric(app, 'audit_ingest_throttled_batches_total{cluster="flood"}')).toBe(
      FLOOD_BATCHES - LIMIT,
    );

    // Another cluster is taken meanwhile: the limit is per cluster, and the held row is flood's.
    // (Its name sorts after "flood": the waiting batches' next-key lock also covers the index gap
    // below the held (cluster, content_hash) key, which a name sorting first could fall into.)
    const calm = await send(app, 'zen', [event('zen-0'), event('zen-1')]);
    expect(calm.status).toBe(200);
    expect(calm.body).toEqual({ accepted: 2, duplicates: 0, rejected: 0 });
    expect(settled.filter(Boolean)).toHaveLength(FLOOD_BATCHES - LIMIT);

    // Release: the admitted batches commit; the refused ones are sent again, as the apiserver does.
    await blocker.rollback();
    await Promise.all(inFlight);
    const admitted = settled.filter((answer) => answer?.status !== 429);
    expect(admitted.map((answer) => answer?.status)).toEqual([200, 200]);
    // One at a time: sent together, more than LIMIT would be refused again (and retried again).
    const retried: Answer[] = [];
    for (const items of batches.filter((_, i) => settled[i]?.status === 429)) {
      retried.push(await send(app, 'flood', items));
    }
    expect(retried.map((answer) => answer.status)).toEqual(Array(FLOOD_BATCHES - LIMIT).fill(200));

    // Every event once: the held one (stored by exactly one batch) and each batch's own five.
    const rows = (await app.app
      .get(DataSource)
      .query(
        `SELECT audit_id AS auditID, COUNT(*) AS n FROM ${EVENTS_TABLE} WHERE cluster = 'flood' GROUP BY audit_id ORDER BY audit_id`,
      )) as { auditID: string; n: number | string }[];
    const expected = ['stall', ...batches.flatMap((items) => items.slice(1).map((e) => e.auditID))];
    expect(rows.map((row) => row.auditID)).toEqual([...expected].sort());
    expect(rows.every((row) => Number(row.n) === 1)).toBe(true);
    const accepted = [...admitted, ...retried].reduce(
      (sum, answer) => sum + Number(answer?.body.accepted ?? 0),
      0,
    );
    expect(accepted).toBe(expected.length);
  });
});

/** Polls `done` until it holds; the test's own timeout bounds the wait. */
async function waitFor(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}
