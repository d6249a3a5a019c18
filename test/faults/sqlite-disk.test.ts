import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  ApiserverSender,
  Batch,
  corpusBatch,
  Delivery,
  Json,
  KEEP_OLD_EVENTS,
  storableCorpus,
} from '../support/apiserver-sender';
import { CapturedLogger } from '../support/captured-logger';
import {
  diskFaultsUnavailable,
  fillDisk,
  mountReadOnly,
  mountSmallDisk,
  remountWritable,
  setImmutable,
  unmount,
} from '../support/disk-faults';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../support/server-child';
import { printTally, storedCounts, tally } from '../support/stored-events';
import { startTestAppOn, TestApp } from '../support/test-app';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(120_000);

/** One POST, no retry: what the apiserver's first attempt gets. */
async function firstAttempt(test: TestApp, cluster: string, batch: Batch) {
  const res = await fetch(`${test.url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: batch.body,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

/** The failed attempt as a delivery, so the tally counts its events as sent. */
function unacked(batch: Batch): Delivery {
  return { batch, attempts: [], acked: false };
}

describe('SQLite on a full or read-only disk', () => {
  let corpus: Json[];
  let dir: string;
  const run = randomBytes(3).toString('hex');

  beforeAll(async () => {
    corpus = await storableCorpus();
  });
  afterAll(() => removeCompiledServer());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faults-disk-'));
  });
  afterEach(() => {
    // Whatever a failed test left mounted or immutable must not outlive it.
    for (const mount of ['disk', 'ro']) unmount(join(dir, mount));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After and logs SQLITE_FULL while the disk is full, and stores the batch once space returns', async () => {
    // A real full disk: a 16 MiB tmpfs filled up. Where mounting is not allowed, SQLite's own
    // limit (PRAGMA max_page_count) gives the same SQLITE_FULL on the application's connection.
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    const cannotMount = mountSmallDisk(disk, 16 * 1024 * 1024);
    if (cannotMount) {
      process.stderr.write(`[faults] no tmpfs (${cannotMount}): using PRAGMA max_page_count\n`);
    }
    const logger = new CapturedLogger();
    const database = { type: 'sqlite' as const, path: join(disk, 'audit.db') };
    const test = await startTestAppOn(database, KEEP_OLD_EVENTS, { logger });
    const sqlite = (test.app.get(DataSource).driver as unknown as { databaseConnection: Sqlite })
      .databaseConnection;
    try {
      const sender = new ApiserverSender(`${test.url}/webhook/audit/full`);
      const before = await sender.deliver(corpusBatch(corpus, run, 0, 50));
      expect(before.acked).toBe(true);

      const filler = join(disk, 'filler');
      if (cannotMount)
        sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);
      else fillDisk(filler);
      const batch = corpusBatch(corpus, run, 1, 300);
      const refused = await firstAttempt(test, 'full', batch);
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe('5');
      expect(logger.errors()).toContainEqual(
        expect.stringMatching(
          /batch of 300 events for cluster full not stored: .*database or disk is full \(SQLITE_FULL\)/,
        ),
      );
      // Still serving: no crash, the liveness probe is fine.
      expect((await fetch(`${test.url}/healthz`)).status).toBe(200);

      if (cannotMount) sqlite.pragma('max_page_count = 1073741823');
      else unlinkSync(filler);
      const after = await sender.deliver(batch);
      expect(after.attempts.map((a) => a.status)).toEqual([200]);
      const result = tally([before, unacked(batch), after], await storedCounts(database, 'full'));
      printTally(`sqlite ${cannotMount ? 'max_page_count' : 'tmpfs'} full disk`, result);
      expect(result).toEqual({
        sent: 350,
        acked: 350,
        stored: 350,
        duplicated: 0,
        unknown: 0,
        ackedButMissing: [],
      });
    } finally {
      await test.close();
    }
  });

  // Needs root; the full-disk test above has a fallback, these two cannot have one.
  const privileged = diskFaultsUnavailable() === undefined ? it : it.skip;

  privileged(
    'answers 503 while the database files cannot be written (chattr +i), and stores the batch once they can',
    async () => {
      const logger = new CapturedLogger();
      const database = { type: 'sqlite' as const, path: join(dir, 'audit.db') };
      const test = await startTestAppOn(database, KEEP_OLD_EVENTS, { logger });
      const files = [database.path, `${database.path}-wal`];
      try {
        const sender = new ApiserverSender(`${test.url}/webhook/audit/readonly`);
        const before = await sender.deliver(corpusBatch(corpus, run, 2, 50));
        expect(before.acked).toBe(true);
        // Never the -shm file: SQLite maps it into memory, and a write to a mapped page of an
        // immutable file kills the process with SIGBUS (seen while writing this test).
        const cannot = setImmutable(files, true);
        if (cannot) throw new Error(`chattr +i is not allowed here: ${cannot}`);
        const batch = corpusBatch(corpus, run, 3, 300);
        const refused = await firstAttempt(test, 'readonly', batch);
        expect(refused.status).toBe(503);
        expect(refused.retryAfter).toBe('5');
        expect(logger.errors()).toContainEqual(
          expect.stringMatching(
            /events for cluster readonly not stored: .*disk I\/O error \(SQLITE_IOERR_WRITE\)/,
          ),
        );
        expect((await fetch(`${test.url}/healthz`)).status).toBe(200);

        setImmutable(files, false);
        const after = await sender.deliver(batch);
        expect(after.attempts.map((a) => a.status)).toEqual([200]);
        const result = tally(
          [before, unacked(batch), after],
          await storedCounts(database, 'readonly'),
        );
        printTally('sqlite immutable database files', result);
        expect(result).toEqual({
          sent: 350,
          acked: 350,
          stored: 350,
          duplicated: 0,
          unknown: 0,
          ackedButMissing: [],
        });
      } finally {
        setImmutable(files, false);
        await test.close();
      }
    },
  );

  privileged(
    'refuses to start on a read-only mount with a message naming the path, and starts and stores once it is writable',
    async () => {
      const data = join(dir, 'data');
      const readOnly = join(dir, 'ro');
      mkdirSync(data);
      mkdirSync(readOnly);
      const port = await freeLoopbackPort();
      // A database made by an earlier run of the server, then mounted read-only.
      const first = await startTestAppOn(
        { type: 'sqlite', path: join(data, 'audit.db') },
        KEEP_OLD_EVENTS,
      );
      await first.close();
      const cannot = mountReadOnly(data, readOnly);
      if (cannot) throw new Error(`a read-only bind mount is not allowed here: ${cannot}`);
      const path = join(readOnly, 'audit.db');
      try {
        const refused = new ServerChild(port, { DB_PATH: path });
        const failure = await refused.start().then(
          async () => {
            await refused.stop();
            return 'started';
          },
          (error: Error) => error.message,
        );
        expect(failure).toMatch(/the server exited during startup \(code 1/);
        expect(failure).toContain(`SQLite database ${path}`);
        expect(failure).toMatch(/not writable.*EROFS/);

        // The permission returns: the same path starts and takes a batch.
        expect(remountWritable(readOnly)).toBeUndefined();
        const test = await startTestAppOn({ type: 'sqlite', path }, KEEP_OLD_EVENTS);
        const batch = corpusBatch(corpus, run, 4, 50);
        let delivery: Delivery;
        try {
          delivery = await new ApiserverSender(`${test.url}/webhook/audit/remounted`).deliver(
            batch,
          );
        } finally {
          await test.close();
        }
        expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
        const result = tally([delivery], await storedCounts({ type: 'sqlite', path }, 'remounted'));
        printTally('sqlite read-only mount, then writable', result);
        expect(result).toEqual({
          sent: 50,
          acked: 50,
          stored: 50,
          duplicated: 0,
          unknown: 0,
          ackedButMissing: [],
        });
      } finally {
        unmount(readOnly);
      }
    },
  );
});

interface Sqlite {
  pragma(source: string, options?: { simple: boolean }): unknown;
}
