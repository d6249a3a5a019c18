import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, EVENTS_TABLE } from '../../src/database/events-table';
import { backends, Backend, startTestApp, TestApp } from '../support/test-app';

/** Enough rows that one unindexed scan takes well over the 100 ms timeout on both backends. */
const BULK_ROWS = 300_000;
const TIMEOUT_MS = 100;

/**
 * BULK_ROWS events of cluster `bulk` in one INSERT ... SELECT, stamped in the last hour, each with
 * a long user agent (an unindexed `userAgent` filter reads and lowercases every one). Written
 * by SQL rather than the webhook only because the webhook would take minutes for this many.
 */
async function insertBulk(dataSource: DataSource, backend: Backend): Promise<void> {
  const nowMs = Date.now();
  const sqlite = backend === 'sqlite';
  const n = sqlite ? 's.n' : 'seq';
  const values: Record<string, string> = {
    id: sqlite
      ? // One unhex: `||` of two blobs would give TEXT, which never compares equal to a blob id.
        `unhex(printf('%012x', ${nowMs} - ${n} * 10) || '7000' || hex(randomblob(8)))`
      : `CONCAT(UNHEX(LPAD(HEX(${nowMs} - ${n} * 10), 12, '0')), UNHEX('7000'), UNHEX(SUBSTR(MD5(${n}), 1, 16)))`,
    cluster: `'bulk'`,
    content_hash: sqlite ? 'randomblob(16)' : `UNHEX(MD5(CONCAT('h', ${n})))`,
    audit_id: sqlite ? `'a' || ${n}` : `CONCAT('a', ${n})`,
    stage: `'ResponseComplete'`,
    level: `'Metadata'`,
    verb: `'get'`,
    username: `'bulk-user'`,
    user_groups: `'[]'`,
    impersonated_user: 'NULL',
    source_ips: `'[]'`,
    user_agent: sqlite
      ? `'kubectl/v1.32.0 ' || hex(randomblob(100))`
      : `CONCAT('kubectl/v1.32.0 ', REPEAT(MD5(${n}), 6))`,
    api_group: `''`,
    api_version: `'v1'`,
    resource: `'pods'`,
    subresource: `''`,
    namespace: `'bulk'`,
    name: sqlite ? `'pod-' || ${n}` : `CONCAT('pod-', ${n})`,
    response_code: '200',
    decision: `'allow'`,
    request_received_at: `'2026-11-30 00:00:00'`,
    stage_at: `'2026-11-30 00:00:00'`,
    request_uri: `'/api/v1/namespaces/bulk/pods'`,
    event: `'{}'`,
  };
  expect(Object.keys(values).sort()).toEqual([...EVENT_COLUMNS].sort());
  const select = EVENT_COLUMNS.map((column) => values[column]).join(', ');
  const into = `INSERT INTO ${EVENTS_TABLE} (${EVENT_COLUMNS.join(', ')})`;
  await dataSource.query(
    sqlite
      ? `${into} WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${BULK_ROWS}) SELECT ${select} FROM s`
      : `${into} SELECT ${select} FROM seq_1_to_${BULK_ROWS}`,
  );
}

function liveEvent(i: number): Record<string, unknown> {
  const at = new Date().toISOString();
  return {
    level: 'Metadata',
    auditID: `live-${i}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/live/configmaps',
    verb: 'list',
    user: { username: 'live-user' },
    objectRef: { resource: 'configmaps', namespace: 'live' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  };
}

describe.each(backends())('QUERY_TIMEOUT_MS (%s)', (backend: Backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(backend, { QUERY_TIMEOUT_MS: String(TIMEOUT_MS) });
    await insertBulk(app.app.get(DataSource), backend);
  }, 300_000);
  afterAll(() => app?.close());

  it('answers a search that runs too long 503 saying to narrow it, while a batch sent meanwhile is stored', async () => {
    const heavy = fetch(`${app.url}/api/v1/events?userAgent=no-such-agent&limit=50`);
    const batch = fetch(`${app.url}/webhook/audit/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', items: [0, 1, 2].map(liveEvent) }),
    });
    const [search, ingest] = await Promise.all([heavy, batch]);

    expect(search.status).toBe(503);
    const body = (await search.json()) as { message: string };
    expect(body.message).toBe(
      'the query took longer than 0.1 s (QUERY_TIMEOUT_MS) and was stopped; narrow it: add filters ' +
        '(cluster, user, resource, namespace) or shorten the time range (from/to)',
    );
    expect(ingest.status).toBe(200);
    expect(await ingest.json()).toEqual({ accepted: 3, duplicates: 0, rejected: 0 });

    // A narrow search still answers, and finds the batch.
    const live = await fetch(`${app.url}/api/v1/events?cluster=live`);
    expect(live.status).toBe(200);
    const items = ((await live.json()) as { items: { auditID: string }[] }).items;
    expect(items.map((item) => item.auditID).sort()).toEqual(['live-0', 'live-1', 'live-2']);
  });

  it('stops a full-text search whose words match every row but the page never fills', async () => {
    const search = await fetch(`${app.url}/api/v1/events?q=pod&userAgent=no-such-agent`);
    expect(search.status).toBe(503);
    expect(((await search.json()) as { message: string }).message).toMatch(
      /^the query took longer/,
    );
  });

  it('stops heavy stats too, and the console page says so', async () => {
    const stats = await fetch(`${app.url}/api/v1/stats?userAgent=no-such-agent`);
    expect(stats.status).toBe(503);
    expect(((await stats.json()) as { message: string }).message).toMatch(/^the query took longer/);
    const page = await fetch(`${app.url}/?userAgent=no-such-agent`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('shorten the time range (from/to)');
  });
});
