import type { AppConfig } from '../config/app-config';
import { AuditMetrics } from '../ops/audit-metrics';
import type { EventPurger, PurgeScope, PurgeSession } from './event-purger.repository';
import { FIRST_RUN_DELAY_MS, RetentionService, RUN_INTERVAL_MS } from './retention.service';

const DAY = 24 * 60 * 60 * 1000;

/** Rows as stage times in memory; chunks delete the oldest, as the SQL adapter does. */
class FakePurger implements EventPurger {
  readonly chunkRows = 2;
  readonly holdsEventLoop = false;
  chunksDeleted = 0;
  /** Called before each chunk; lets a test act in the middle of a run. */
  beforeChunk?: () => Promise<void> | void;

  constructor(public rows: number[]) {}

  async withLock<T>(work: (session: PurgeSession) => Promise<T>): Promise<T | undefined> {
    const session: PurgeSession = {
      deleteChunk: async (table, scope: PurgeScope, limit) => {
        await this.beforeChunk?.();
        if (table === 'quarantine' || table === 'detections') return { deleted: 0 };
        const old = this.rows.filter((at) => at < scope.beforeMs).sort((a, b) => a - b);
        const chunk = old.slice(0, limit);
        this.rows = this.rows.filter((at) => !chunk.includes(at));
        if (chunk.length > 0) this.chunksDeleted++;
        return { deleted: chunk.length, reachedMs: chunk[chunk.length - 1] };
      },
      count: async (_table, scope) => this.rows.filter((at) => at < scope.beforeMs).length,
    };
    return work(session);
  }

  async oldestEventMs(): Promise<number | undefined> {
    return this.rows.length > 0 ? Math.min(...this.rows) : undefined;
  }
}

function service(purger: FakePurger, retentionDays: number): RetentionService {
  return new RetentionService(purger, { retentionDays } as AppConfig, new AuditMetrics());
}

describe('RetentionService', () => {
  const now = Date.parse('2026-11-30T00:00:00Z');

  afterEach(() => jest.useRealTimers());

  it('runs first after FIRST_RUN_DELAY_MS, then every RUN_INTERVAL_MS, until shutdown', async () => {
    jest.useFakeTimers({ now });
    const purger = new FakePurger([now - 40 * DAY, now - 31 * DAY, now - DAY]);
    const retention = service(purger, 30);
    retention.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(FIRST_RUN_DELAY_MS - 1);
    expect(purger.rows).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(purger.rows).toEqual([now - DAY]);

    purger.rows.push(now - 45 * DAY);
    await jest.advanceTimersByTimeAsync(RUN_INTERVAL_MS);
    await jest.advanceTimersByTimeAsync(1000);
    expect(purger.rows).toEqual([now - DAY]);

    await retention.onModuleDestroy();
    purger.rows.push(now - 50 * DAY);
    await jest.advanceTimersByTimeAsync(RUN_INTERVAL_MS * 2);
    expect(purger.rows).toEqual([now - DAY, now - 50 * DAY]);
  });

  it('stops after the chunk in progress on shutdown and says the run is incomplete', async () => {
    const purger = new FakePurger(Array.from({ length: 10 }, (_, i) => now - (40 + i) * DAY));
    const retention = service(purger, 30);
    let destroyed: Promise<void> | undefined;
    purger.beforeChunk = () => {
      if (purger.chunksDeleted === 2) destroyed ??= retention.onModuleDestroy();
    };
    const outcome = await retention.runOnce(now);
    await destroyed;
    expect(purger.chunksDeleted).toBe(3);
    expect(outcome).toEqual({
      ran: true,
      result: { events: 6, quarantine: 0, accessLog: 0, dryRun: false, complete: false },
    });
  });

  it('with RETENTION_DAYS=0 schedules and deletes nothing', async () => {
    jest.useFakeTimers({ now });
    const purger = new FakePurger([0]);
    const retention = service(purger, 0);
    retention.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(FIRST_RUN_DELAY_MS + RUN_INTERVAL_MS);
    expect(await retention.runOnce(now)).toBeUndefined();
    expect(purger.rows).toEqual([0]);
  });
});
