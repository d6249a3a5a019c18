import { IngestActivity } from '../feed/ingest-activity';
import type { AppConfig } from '../config/app-config';
import { AuditMetrics } from '../ops/audit-metrics';
import { IngestBackpressure, IngestBackpressureError } from './ingest-backpressure';

/** A store call that stays pending until the test releases (or fails) it. */
function held() {
  let release!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    release = () => resolve('stored');
    fail = reject;
  });
  return { store: () => done, release, fail };
}

describe('IngestBackpressure', () => {
  const metrics = new AuditMetrics();
  const backpressure = new IngestBackpressure(
    { ingestMaxPendingBatches: 2 } as AppConfig,
    metrics,
    new IngestActivity(),
  );

  it('refuses a cluster past its limit, not the others, and frees a slot when a batch ends either way', async () => {
    const [a, b] = [held(), held()];
    const first = backpressure.admit('prod', a.store);
    const second = backpressure.admit('prod', b.store);
    await expect(backpressure.admit('prod', async () => 'stored')).rejects.toEqual(
      new IngestBackpressureError('prod', 2),
    );
    await expect(backpressure.admit('dev', async () => 'stored')).resolves.toBe('stored');

    a.release();
    await expect(first).resolves.toBe('stored');
    await expect(backpressure.admit('prod', async () => 'again')).resolves.toBe('again');

    b.fail(new Error('database unavailable'));
    await expect(second).rejects.toThrow('database unavailable');
    const [c, d] = [held(), held()];
    const both = [backpressure.admit('prod', c.store), backpressure.admit('prod', d.store)];
    c.release();
    d.release();
    await expect(Promise.all(both)).resolves.toEqual(['stored', 'stored']);

    const text = await metrics.registry.metrics();
    expect(text).toContain('audit_ingest_throttled_batches_total{cluster="prod"} 1');
    expect(text).not.toContain('audit_ingest_throttled_batches_total{cluster="dev"}');
  });
});
