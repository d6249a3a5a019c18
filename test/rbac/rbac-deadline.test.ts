/**
 * The RBAC suggestion's aggregate reads run under QUERY_TIMEOUT_MS like every read of the
 * query side: 300,000 allowed requests of one identity (one per pod name) take well over a
 * 100 ms timeout to aggregate, and the answer is the query side's 503 saying to narrow it.
 */
import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, EVENTS_TABLE } from '../../src/database/events-table';
import { backends, Backend, startTestApp, TestApp } from '../support/test-app';

const BULK_ROWS = 300_000;
const TIMEOUT_MS = 100;

/**
 * BULK_ROWS `get pods/pod-<n>` by bulk-user in cluster `bulk`, stamped in the last hour, in one
 * INSERT ... SELECT (the webhook would take minutes); the same shape as the query-timeout suite.
 */
async function insertBulk(dataSource: DataSource, backend: Backend): Promise<void> {
  const nowMs = Date.now();
  const sqlite = backend === 'sqlite';
  const n = sqlite ? 's.n' : 'seq';
  const values: Record<string, string> = {
    id: sqlite
      ? `unhex(printf('%012x', ${nowMs} - ${n} * 10) || '7000' || hex(randomblob(8)))`
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
    user_agent: `'kubectl/v1.32.0'`,
    api_group: `''`,
    api_version: `'v1'`,
    resource: `'pods'`,
    subresource: `''`,
    namespace: sqlite ? `'ns-' || (${n} % 50)` : `CONCAT('ns-', ${n} % 50)`,
    name: sqlite ? `'pod-' || ${n}` : `CONCAT('pod-', ${n})`,
    response_code: '200',
    decision: `'allow'`,
    request_received_at: `'2026-11-30 00:00:00'`,
    stage_at: `'2026-11-30 00:00:00'`,
    request_uri: `'/api/v1/namespaces/bulk/pods/x'`,
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

describe.each(backends())('RBAC suggestion under QUERY_TIMEOUT_MS (%s)', (backend: Backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(backend, { QUERY_TIMEOUT_MS: String(TIMEOUT_MS) });
    await insertBulk(app.app.get(DataSource), backend);
  }, 300_000);
  afterAll(() => app?.close());

  it('answers 503 saying to narrow the range when the aggregate runs too long', async () => {
    const res = await fetch(`${app.url}/api/v1/users/bulk-user/rbac?cluster=bulk&from=2h`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^the query took longer than 0.1 s \(QUERY_TIMEOUT_MS\)/,
    );
    const page = await fetch(`${app.url}/users/bulk-user/rbac?cluster=bulk&from=2h`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('shorten the time range (from/to)');
  });
});
