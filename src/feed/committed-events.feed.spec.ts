import { CommittedEventsFeed } from './committed-events.feed';

describe('CommittedEventsFeed', () => {
  const id = Buffer.from('0193a1b2c3d47e5f8a9b0c1d2e3f4a5b', 'hex');

  it('signals commits to readers that need no ids, and gives ids to those that do', () => {
    const feed = new CommittedEventsFeed();
    let signals = 0;
    const batches: unknown[] = [];
    const signal = feed.commits.subscribe(() => signals++);
    feed.publish('prod', [id], false);
    expect(signals).toBe(1);
    const ids = feed.committed.subscribe((batch) => batches.push(batch));
    feed.publish('prod', [id], true);
    expect(signals).toBe(2);
    expect(batches).toEqual([
      {
        cluster: 'prod',
        ids: ['0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'],
        mayIncludeDuplicates: true,
      },
    ]);
    // An empty batch committed nothing.
    feed.publish('prod', [], false);
    expect(signals).toBe(2);
    signal.unsubscribe();
    ids.unsubscribe();
  });
});
