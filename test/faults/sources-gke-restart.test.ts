import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from '../../src/config/app-config';
import { KEEP_OLD_EVENTS } from '../support/apiserver-sender';
import { MARIADB } from '../support/mariadb';
import { PubSubEmulator, pubsubEmulatorAvailable } from '../support/pubsub-emulator';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../support/server-child';
import { sourceOutcome } from '../support/source-metrics';
import { storedCounts } from '../support/stored-events';
import { backends, databaseEnv, freshDatabase, TestDatabase } from '../support/test-app';
import {
  auditIdOf,
  distinctEntries,
  expectNothingLeft,
  inCluster,
  sinkMessage,
} from '../sources/gke/gke-fixtures';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(300_000);

const PROJECT = 'test-project';
const MESSAGES = 2000;
const PUBLISH_CHUNK = 100;
/** The subscription's ack deadline: what the killed server pulled comes back after it. */
const ACK_DEADLINE_SECONDS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeIfEmulator = pubsubEmulatorAvailable() ? describe : describe.skip;

/**
 * Holds the database's write lock from a connection of the test (SQLite: BEGIN IMMEDIATE;
 * MariaDB: LOCK TABLES audit_events WRITE) until the returned function is called.
 */
async function blockWrites(database: DatabaseConfig): Promise<() => Promise<void>> {
  if (database.type === 'sqlite') {
    const db = new Database(database.path, { fileMustExist: true, timeout: 10_000 });
    db.exec('BEGIN IMMEDIATE');
    return async () => {
      db.exec('ROLLBACK');
      db.close();
    };
  }
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({ ...MARIADB, database: database.name });
  await connection.query('LOCK TABLES audit_events WRITE');
  return async () => {
    await connection.query('UNLOCK TABLES');
    await connection.end();
  };
}

function total(counts: Map<string, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

describeIfEmulator('gke-pubsub source: SIGKILL while consuming, restart', () => {
  const emulator = new PubSubEmulator();
  let dir: string;

  beforeAll(async () => {
    await emulator.start();
    dir = mkdtempSync(join(tmpdir(), 'gke-faults-'));
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
    removeCompiledServer();
  });

  describe.each(backends())('on %s', (backend) => {
    let db: TestDatabase;
    let server: ServerChild | undefined;
    afterAll(async () => {
      await server?.stop();
      await db?.drop();
    });

    it('stores every published event exactly once', async () => {
      const run = randomBytes(3).toString('hex');
      const topic = `kill-${run}`;
      const subscription = `kill-${run}-sub`;
      const cluster = `gke-kill-${backend}`;
      await emulator.createTopicAndSubscription(PROJECT, topic, subscription, ACK_DEADLINE_SECONDS);
      const sourcesFile = join(dir, `sources-${run}.yaml`);
      writeFileSync(
        sourcesFile,
        [
          'sources:',
          `  - name: gke-kill-${run}`,
          '    kind: gke-pubsub',
          `    projectId: ${PROJECT}`,
          `    subscription: ${subscription}`,
          // Small pulls: many batches, so the kill lands between a pull and its ack.
          '    maxMessages: 50',
          '',
        ].join('\n'),
      );
      const entries = distinctEntries(MESSAGES, run).map((e) => inCluster(e, cluster));
      const expected = new Set(entries.map(auditIdOf));
      expect(expected.size).toBe(MESSAGES);

      db = freshDatabase(backend);
      server = new ServerChild(await freeLoopbackPort(), {
        ...databaseEnv(db.database),
        ...KEEP_OLD_EVENTS,
        SOURCES_FILE: sourcesFile,
        ...emulator.env,
      });
      await server.start();

      // A backlog first (the server is busy pulling, storing and acknowledging when the kill
      // comes), then the sink keeps publishing while the server consumes.
      const BACKLOG = MESSAGES / 2;
      await emulator.publish(PROJECT, topic, entries.slice(0, BACKLOG).map(sinkMessage));
      let published = BACKLOG;
      const publishing = (async () => {
        for (let i = BACKLOG; i < entries.length; i += PUBLISH_CHUNK) {
          await emulator.publish(
            PROJECT,
            topic,
            entries.slice(i, i + PUBLISH_CHUNK).map(sinkMessage),
          );
          published = i + PUBLISH_CHUNK;
          await sleep(100);
        }
      })();
      let storedAtKill = 0;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        storedAtKill = total(await storedCounts(db.database, cluster));
        if (storedAtKill >= 200) break;
        await sleep(25);
      }
      // Writes blocked: the batch the server pulls next waits for its commit, unacknowledged,
      // when the kill comes (a source that acknowledged on pull would lose it).
      const release = await blockWrites(db.database);
      await sleep(2_000);
      await server.kill();
      await release();
      const publishedAtKill = published;
      await publishing;
      storedAtKill = total(await storedCounts(db.database, cluster));
      process.stdout.write(
        `[faults] gke-pubsub ${backend}: killed with ${storedAtKill} stored, ${publishedAtKill} published of ${MESSAGES}\n`,
      );
      // The kill really came while messages were being consumed: some stored, more waiting.
      expect(storedAtKill).toBeGreaterThan(0);
      expect(storedAtKill).toBeLessThan(publishedAtKill);

      await server.start();
      let counts = new Map<string, number>();
      const drainBy = Date.now() + 180_000;
      while (Date.now() < drainBy) {
        counts = await storedCounts(db.database, cluster);
        if (counts.size >= MESSAGES) break;
        await sleep(250);
      }
      // Past another ack deadline: a late redelivery would have been stored by now.
      await sleep((ACK_DEADLINE_SECONDS + 3) * 1000);
      counts = await storedCounts(db.database, cluster);
      const missing = [...expected].filter((id) => !counts.has(id));
      const duplicated = [...counts].filter(([, n]) => n > 1);
      const unknown = [...counts.keys()].filter((id) => !expected.has(id));
      process.stdout.write(
        `[faults] gke-pubsub ${backend} kill -9, after restart: published=${MESSAGES} stored=${counts.size} rows=${total(counts)} duplicated=${duplicated.length} missing=${missing.length}\n`,
      );
      expect(missing).toEqual([]);
      expect(duplicated).toEqual([]);
      expect(unknown).toEqual([]);
      expect(total(counts)).toBe(MESSAGES);
      // The unique content hash makes a second row impossible anyway. What Pub/Sub redelivered
      // to the second life is what the first never acknowledged: the events it had not stored
      // (all accepted now), and at most one pull committed but not yet acknowledged at the kill.
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const outcome = (name: string) => sourceOutcome(metrics, name);
      expect(outcome('accepted')).toBe(MESSAGES - storedAtKill);
      expect(outcome('duplicate')).toBeLessThanOrEqual(500);

      // Everything was acknowledged after its commit: a graceful stop leaves nothing behind.
      await server.stop();
      server = undefined;
      await expectNothingLeft(emulator, PROJECT, subscription);
    });
  });
});
