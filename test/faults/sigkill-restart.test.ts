import { randomBytes } from 'node:crypto';
import {
  ApiserverSender,
  corpusBatch,
  Delivery,
  Json,
  KEEP_OLD_EVENTS,
  storableCorpus,
  SustainedIngest,
} from '../support/apiserver-sender';
import { freeLoopbackPort, removeCompiledServer, ServerChild } from '../support/server-child';
import { printTally, storedCounts, tally } from '../support/stored-events';
import { backends, databaseEnv, freshDatabase, TestDatabase } from '../support/test-app';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => removeCompiledServer());

describe.each(backends())('SIGKILL under load, restart, replay (%s)', (backend) => {
  let corpus: Json[];
  let db: TestDatabase;
  let server: ServerChild;

  beforeAll(async () => {
    corpus = await storableCorpus();
    db = freshDatabase(backend);
    server = new ServerChild(await freeLoopbackPort(), {
      ...databaseEnv(db.database),
      ...KEEP_OLD_EVENTS,
    });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('keeps every acknowledged batch through kill -9, and stores every event once after the replay', async () => {
    const run = randomBytes(3).toString('hex');
    const cluster = `kill-${backend}`;
    const url = `${server.url}/webhook/audit/${cluster}`;
    // Big batches, often: several are being written when the process dies.
    const firstLife = new ApiserverSender(url);
    const ingest = new SustainedIngest(firstLife, (i) => corpusBatch(corpus, run, i, 100));
    ingest.start(50);
    await sleep(2500);
    // One batch sent just now is still in flight when the process dies, however fast the
    // server answered the others (a fast server left none in flight at a fixed moment).
    ingest.sendNow();
    await server.kill();
    firstLife.halt();
    const beforeRestart = await ingest.stop();
    const acked = beforeRestart.filter((d) => d.acked);
    const unacked = beforeRestart.filter((d) => !d.acked);
    // The kill really came mid-load: batches were acknowledged and others were cut off.
    expect(acked.length).toBeGreaterThan(3);
    expect(unacked.length).toBeGreaterThan(0);
    expect(unacked.every((d) => d.attempts.at(-1)?.status === 0)).toBe(true);

    // Durability: what was acknowledged is in the database before anything is resent.
    const durable = tally(beforeRestart, await storedCounts(db.database, cluster));
    printTally(`${backend} kill -9, before replay`, durable);
    expect(durable.ackedButMissing).toEqual([]);
    expect(durable.duplicated).toBe(0);
    expect(durable.unknown).toBe(0);

    // The apiserver resends what it got no answer for; resend the acknowledged ones as well
    // (a lost 200 looks the same to it).
    await server.start();
    const replay = new ApiserverSender(url);
    const replayed: Delivery[] = await Promise.all(
      beforeRestart.map((d) => replay.deliver(d.batch)),
    );
    const final = tally(replayed, await storedCounts(db.database, cluster));
    printTally(`${backend} kill -9, after restart and replay`, final);
    expect(final.ackedButMissing).toEqual([]);
    expect(final.acked).toBe(final.sent);
    expect(final.stored).toBe(final.sent);
    expect(final.duplicated).toBe(0);
    expect(final.unknown).toBe(0);
    expect(server.log()).not.toMatch(/"level":(50|60)/);
  });
});
