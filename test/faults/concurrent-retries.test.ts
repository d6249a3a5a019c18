import { randomBytes } from 'node:crypto';
import {
  ApiserverSender,
  corpusBatch,
  KEEP_OLD_EVENTS,
  storableCorpus,
} from '../support/apiserver-sender';
import { printTally, storedCounts, tally } from '../support/stored-events';
import { backends, startTestApp, TestApp } from '../support/test-app';

// testTimeout in a jest "projects" entry is ignored: set it here.
jest.setTimeout(60_000);

describe.each(backends())('the same batch sent 5 times at once (%s)', (backend) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp(backend, KEEP_OLD_EVENTS);
  });
  afterAll(() => test?.close());

  it('is stored once, and the five answers together count each event accepted once', async () => {
    const cluster = `retries-${backend}`;
    const corpus = await storableCorpus();
    const batch = corpusBatch(corpus, randomBytes(3).toString('hex'), 0, 300);
    const sender = new ApiserverSender(`${test.url}/webhook/audit/${cluster}`);
    const deliveries = await Promise.all(Array.from({ length: 5 }, () => sender.deliver(batch)));
    const result = tally(deliveries, await storedCounts(test.config.database, cluster));
    printTally(`${backend} same batch x5 concurrently`, result);
    expect(result).toEqual({
      sent: 300,
      acked: 300,
      stored: 300,
      duplicated: 0,
      unknown: 0,
      ackedButMissing: [],
    });
    const answers = deliveries.map(
      (d) => JSON.parse(d.attempts.at(-1)!.body) as { accepted: number; duplicates: number },
    );
    expect(answers.reduce((sum, a) => sum + a.accepted, 0)).toBe(300);
    expect(answers.reduce((sum, a) => sum + a.duplicates, 0)).toBe(4 * 300);
  });
});
