import type { EventStats } from '../audit/audit-query';
import { histogramView, presetLinks } from './histogram.view';

const stats: EventStats = {
  fromMs: Date.parse('2026-11-30T10:00:00Z'),
  toMs: Date.parse('2026-11-30T10:04:00Z'),
  bucketSeconds: 60,
  total: 6,
  buckets: [
    { start: '2026-11-30T10:00:00Z', count: 4, errors: 1 },
    { start: '2026-11-30T10:01:00Z', count: 0, errors: 0 },
    { start: '2026-11-30T10:02:00Z', count: 2, errors: 0 },
    { start: '2026-11-30T10:03:00Z', count: 0, errors: 0 },
  ],
  byVerb: [],
  byUser: [],
  byResource: [],
  byCode: [],
  byCluster: [],
};

describe('histogramView', () => {
  it('scales bars to the peak and draws the denied/failed part at the bottom', () => {
    const view = histogramView(stats, {});
    expect(view.peak).toBe(4);
    expect(view.bars.map((bar) => bar.height)).toEqual([100, 0, 50, 0]);
    expect(view.bars[0]).toMatchObject({ x: 0, width: 249, errorY: 75, errorHeight: 25 });
    expect(view.bars[2]).toMatchObject({ x: 500, y: 50 });
  });

  it('zooms to the bucket when a bar is clicked, keeping the other filters', () => {
    const view = histogramView(stats, { user: ['alice'], from: ['1h'] });
    expect(decodeURIComponent(view.bars[2].href)).toBe(
      '/?user=alice&from=2026-11-30T10:02:00Z&to=2026-11-30T10:03:00.000Z',
    );
    expect(view.bars[0].label).toBe(
      '4 events from 2026-11-30 10:00:00 UTC, 1 denied or failed: click to zoom',
    );
  });

  it('labels the axis from the start to the end of the range', () => {
    const ticks = histogramView(stats, {}).ticks.map((tick) => tick.utc);
    expect(ticks[0]).toBe('2026-11-30 10:00:00 UTC');
    expect(ticks[ticks.length - 1]).toBe('2026-11-30 10:04:00 UTC');
  });
});

describe('presetLinks', () => {
  it('marks the preset in use and replaces a fixed range', () => {
    const links = presetLinks({ from: ['24h'] });
    expect(links.find((link) => link.active)?.label).toBe('24h');
    expect(presetLinks({ from: ['1h'], to: ['now'] })[0].href).toBe('/?from=15m');
  });
});
