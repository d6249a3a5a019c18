import { AksBlobCursor, blobTime, hourKey, MAX_TRACKED } from './aks-blob-cursor';

const hourKeyOf = hourKey;

const HOUR = 3600_000;
const HEAD =
  'resourceId=/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS';

function blob(ms: number, head = HEAD): string {
  const t = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${head}/y=${t.getUTCFullYear()}/m=${pad(t.getUTCMonth() + 1)}/d=${pad(t.getUTCDate())}/h=${pad(t.getUTCHours())}/m=00/PT1H.json`;
}

const NOW = Date.UTC(2026, 10, 30, 13, 20);

describe('blobTime', () => {
  it("reads the hour of a diagnostic setting's blob name, and nothing else", () => {
    expect(blobTime(blob(NOW))).toEqual({
      head: HEAD,
      key: '202611301300',
      hourStart: Date.UTC(2026, 10, 30, 13),
    });
    expect(blobTime(`${HEAD}/y=2026/m=11/d=30/h=13/m=00/other.json`)).toBeUndefined();
    expect(blobTime('PT1H.json')).toBeUndefined();
    expect(blobTime(`${'x'.repeat(401)}/y=2026/m=11/d=30/h=13/m=00/PT1H.json`)).toBeUndefined();
    expect(hourKey(NOW)).toBe('202611301300');
  });
});

describe('AksBlobCursor', () => {
  it('round-trips its checkpoint, a skip position included, grouped by resource id', () => {
    const cursor = AksBlobCursor.start('beginning', NOW);
    cursor.update(
      new Map([
        [blob(NOW), 500],
        [blob(NOW - HOUR), 900],
      ]),
      NOW,
    );
    cursor.advance(blob(NOW), 120, false);
    cursor.advance(blob(NOW - HOUR), 700, true);
    const text = cursor.serialize();
    expect(JSON.parse(text)).toEqual({
      v: 1,
      w: '202611301100',
      b: { [HEAD]: { '202611301300': 120, '202611301200': [700, 1] } },
    });
    const back = AksBlobCursor.parse(text);
    expect(back.offset(blob(NOW))).toBe(120);
    expect(back.skipping(blob(NOW - HOUR))).toBe(true);
    expect(back.serialize()).toBe(text);
  });

  it.each([
    ['not JSON', '{'],
    ['another version', '{"v":2}'],
    ['a bad watermark', '{"v":1,"w":"yesterday"}'],
    ['a negative offset', `{"v":1,"b":{"x":{"202611301300":-1}}}`],
    ['a fractional offset', `{"v":1,"b":{"x":{"202611301300":1.5}}}`],
    ['a bad hour', `{"v":1,"b":{"x":{"2026":1}}}`],
  ])(
    'refuses a checkpoint with %s (a source must not restart from scratch silently)',
    (_, text) => {
      expect(() => AksBlobCursor.parse(text)).toThrow(/aks-blob checkpoint is not valid/);
    },
  );

  it('moves the watermark only past hours over for 2 h and read to their end', () => {
    const cursor = AksBlobCursor.start('beginning', NOW);
    const old = blob(NOW - 5 * HOUR);
    const older = blob(NOW - 6 * HOUR);
    cursor.update(
      new Map([
        [older, 10],
        [old, 10],
      ]),
      NOW,
    );
    // Unread bytes at 07:00 hold the watermark there.
    expect(cursor.doneBefore).toBe('202611300700');
    expect(cursor.nextToRead()).toBe(older);
    cursor.advance(older, 10, false);
    cursor.update(
      new Map([
        [older, 10],
        [old, 10],
      ]),
      NOW,
    );
    expect(cursor.doneBefore).toBe('202611300800');
    cursor.advance(old, 10, false);
    cursor.update(
      new Map([
        [older, 10],
        [old, 10],
      ]),
      NOW,
    );
    // Both read: the watermark goes to 11:00 (the hour of now - 2 h) and both leave the checkpoint.
    expect(cursor.doneBefore).toBe('202611301100');
    expect(cursor.followed).toBe(0);
    // A blob of an hour below the watermark is not read, even if it shows up late.
    cursor.update(new Map([[blob(NOW - 3 * HOUR), 50]]), NOW);
    expect(cursor.nextToRead()).toBeUndefined();
  });

  it('startFrom now: what the first listing shows of recent hours is taken as read, older hours skipped', () => {
    const cursor = AksBlobCursor.start('now', NOW);
    expect(
      cursor.update(
        new Map([
          [blob(NOW), 300],
          [blob(NOW - 5 * HOUR), 40],
        ]),
        NOW,
      ),
    ).toBe(true);
    expect(cursor.offset(blob(NOW))).toBe(300);
    expect(cursor.nextToRead()).toBeUndefined();
    cursor.update(
      new Map([
        [blob(NOW), 350],
        [blob(NOW - 5 * HOUR), 40],
      ]),
      NOW,
    );
    expect(cursor.nextToRead()).toBe(blob(NOW));
  });

  it('a stalled blob (half-written last line) waits until it grows, or until its hour is closed', () => {
    const cursor = AksBlobCursor.start('beginning', NOW);
    const name = blob(NOW);
    cursor.update(new Map([[name, 100]]), NOW);
    cursor.advance(name, 60, false);
    cursor.stall(name);
    expect(cursor.nextToRead()).toBeUndefined();
    cursor.update(new Map([[name, 100]]), NOW);
    expect(cursor.nextToRead()).toBeUndefined();
    cursor.update(new Map([[name, 120]]), NOW);
    expect(cursor.nextToRead()).toBe(name);
    cursor.stall(name);
    // Three hours later nothing will complete the line: it is offered again (read as it is).
    cursor.update(new Map([[name, 120]]), NOW + 3 * HOUR);
    expect(cursor.isClosed(name, NOW + 3 * HOUR)).toBe(true);
    expect(cursor.nextToRead()).toBe(name);
  });

  it(`follows at most ${MAX_TRACKED} blobs before newer hours wait, and never stops the oldest hour`, () => {
    const cursor = AksBlobCursor.start('beginning', NOW - 5 * HOUR);
    // A container shared by more clusters than MAX_TRACKED: one hour holds more blobs than that.
    const older = Array.from({ length: MAX_TRACKED + 5 }, (_, i) =>
      blob(NOW - HOUR, `${HEAD}-${i}`),
    );
    const newer = [blob(NOW, `${HEAD}-a`), blob(NOW, `${HEAD}-b`)];
    const sizes = new Map([...older, ...newer].map((n) => [n, 10]));
    cursor.update(sizes, NOW);
    // Every blob of the oldest hour is read, past the limit: they hold the watermark.
    for (let i = 0; i < older.length; i++) {
      const name = cursor.nextToRead() as string;
      expect(older).toContain(name);
      cursor.advance(name, 10, false);
    }
    // Azure appends to one of them (its hour is still open to late lines): read on first.
    sizes.set(older[7], 20);
    cursor.update(sizes, NOW);
    expect(cursor.nextToRead()).toBe(older[7]);
    cursor.advance(older[7], 20, false);
    // Now the newer hour is the oldest with unread bytes: read too.
    expect(newer).toContain(cursor.nextToRead());
    // Once the older hour has settled, the watermark passes it and frees its positions.
    const later = NOW + 3 * HOUR;
    cursor.update(sizes, later);
    expect(cursor.doneBefore > hourKeyOf(NOW - HOUR)).toBe(true);
    expect(cursor.followed).toBeLessThanOrEqual(newer.length);
    expect(cursor.serialize().length).toBeLessThan(60 * 1024);
  });

  it('makes newer hours wait for room while an older hour has unread bytes', () => {
    const cursor = AksBlobCursor.start('beginning', NOW - 5 * HOUR);
    const older = Array.from({ length: MAX_TRACKED }, (_, i) => blob(NOW - HOUR, `${HEAD}-${i}`));
    const late = blob(NOW - HOUR, `${HEAD}-late`);
    const newer = blob(NOW, `${HEAD}-new`);
    const sizes = new Map([...older, newer].map((n) => [n, 10]));
    cursor.update(sizes, NOW);
    for (const name of older) cursor.advance(name, 10, false);
    // A blob of the older hour appears (a cluster's first event that hour) and the limit is reached.
    sizes.set(late, 10);
    cursor.update(sizes, NOW);
    expect(cursor.nextToRead()).toBe(late);
    expect(cursor.waitingForRoom).toBe(true);
  });

  it('forgets blobs deleted from the container (a lifecycle policy)', () => {
    const cursor = AksBlobCursor.start('beginning', NOW);
    cursor.update(new Map([[blob(NOW), 10]]), NOW);
    cursor.advance(blob(NOW), 10, false);
    expect(cursor.followed).toBe(1);
    expect(cursor.update(new Map(), NOW)).toBe(true);
    expect(cursor.followed).toBe(0);
  });
});
