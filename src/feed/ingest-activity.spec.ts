import { IngestActivity } from './ingest-activity';

describe('IngestActivity', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('sums the time during which at least one batch was in flight, overlapping batches once', async () => {
    const activity = new IngestActivity();
    expect(activity.busyMs()).toBe(0);
    activity.begin();
    activity.begin(); // a second batch overlapping the first counts no extra time
    await sleep(40);
    activity.end();
    const whileOneLeft = activity.busyMs();
    expect(whileOneLeft).toBeGreaterThanOrEqual(35);
    activity.end();
    const idle = activity.busyMs();
    await sleep(40);
    // Idle time is not counted.
    expect(activity.busyMs()).toBe(idle);
    expect(idle).toBeLessThan(200);
  });

  it('counts a batch still in flight up to now, and ignores an unmatched end', async () => {
    const activity = new IngestActivity();
    activity.end();
    expect(activity.busyMs()).toBe(0);
    activity.begin();
    await sleep(30);
    const first = activity.busyMs();
    await sleep(30);
    expect(activity.busyMs()).toBeGreaterThan(first);
  });
});
