import { DataSource } from 'typeorm';
import { startTestApp } from '../support/test-app';

describe('graceful shutdown', () => {
  it('answers and commits a batch that is in flight when the server is asked to stop', async () => {
    const test = await startTestApp('sqlite');
    const items = Array.from({ length: 3000 }, (_, i) => ({
      level: 'Request',
      auditID: `shutdown-${i}`,
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/prod/configmaps',
      verb: 'create',
      user: { username: 'alice' },
      requestObject: { kind: 'ConfigMap', data: { blob: 'x'.repeat(2000) } },
      stageTimestamp: '2026-11-25T10:00:00.000001Z',
    }));
    let dataSource: DataSource | undefined = test.app.get(DataSource);
    const stored = () =>
      dataSource!.query('SELECT COUNT(*) AS n FROM audit_events') as Promise<{ n: number }[]>;
    let answeredAt = 0;
    const pending = fetch(`${test.url}/webhook/audit/prod`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', items }),
    }).then((res) => {
      answeredAt = performance.now();
      return res;
    });
    // Stop once the server is busy with the body, not before it has the request.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closeStartedAt = performance.now();
    const closing = test.app.close();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(answeredAt).toBeGreaterThan(closeStartedAt); // it really was in flight
    expect(await response.json()).toEqual({ accepted: 3000, duplicates: 0, rejected: 0 });
    await closing;
    // The app closed its pool after answering; reopen the file to count what was committed.
    const { dataSourceOptions } = await import('../../src/database/database.module');
    const { dialectFor } = await import('../../src/database/sql-dialect');
    dataSource = new DataSource({
      ...dataSourceOptions(test.config.database, dialectFor('sqlite')),
      synchronize: false,
    });
    await dataSource.initialize();
    expect(Number((await stored())[0].n)).toBe(3000);
    await dataSource.destroy();
    await test.close().catch(() => undefined);
  });
});
