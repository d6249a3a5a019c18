import type { EventStats } from '../audit/audit-query';
import { consoleHref, Filters, withRange } from './console-filters';
import { TimeView, timeView } from './event-row.view';

/** SVG user units; the SVG stretches to the page width. */
export const HISTOGRAM_WIDTH = 1000;
export const HISTOGRAM_HEIGHT = 100;
const AXIS_TICKS = 5;

export interface HistogramBar {
  x: number;
  width: number;
  /** The whole bar (all events of the bucket). */
  y: number;
  height: number;
  /** Its denied/failed part, drawn at the bottom. */
  errorY: number;
  errorHeight: number;
  /** Zooms the page to this bucket's time range. */
  href: string;
  label: string;
}

export interface HistogramView {
  width: number;
  height: number;
  bars: HistogramBar[];
  ticks: TimeView[];
  total: number;
  peak: number;
}

/** Server-rendered histogram of `stats.buckets`; each bar links to its own time range. */
export function histogramView(stats: EventStats, filters: Filters): HistogramView {
  const peak = Math.max(1, ...stats.buckets.map((bucket) => bucket.count));
  const slot = HISTOGRAM_WIDTH / Math.max(1, stats.buckets.length);
  const gap = slot > 4 ? 1 : 0;
  const scale = (count: number) => (count / peak) * HISTOGRAM_HEIGHT;
  const bars = stats.buckets.map((bucket, index): HistogramBar => {
    const startMs = Date.parse(bucket.start);
    const end = new Date(startMs + stats.bucketSeconds * 1000).toISOString();
    const height = scale(bucket.count);
    const errorHeight = scale(bucket.errors);
    const errors = bucket.errors > 0 ? `, ${bucket.errors} denied or failed` : '';
    return {
      x: round(index * slot),
      width: round(slot - gap),
      y: round(HISTOGRAM_HEIGHT - height),
      height: round(height),
      errorY: round(HISTOGRAM_HEIGHT - errorHeight),
      errorHeight: round(errorHeight),
      href: consoleHref('/', withRange(filters, bucket.start, end)),
      label: `${bucket.count} events from ${timeView(bucket.start).utc}${errors}: click to zoom`,
    };
  });
  const ticks = Array.from({ length: AXIS_TICKS }, (_, i) =>
    timeView(
      new Date(stats.fromMs + ((stats.toMs - stats.fromMs) * i) / (AXIS_TICKS - 1)).toISOString(),
    ),
  );
  return {
    width: HISTOGRAM_WIDTH,
    height: HISTOGRAM_HEIGHT,
    bars,
    ticks,
    total: stats.total,
    peak,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export const TIME_PRESETS = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;

/** The range buttons: relative `from` values the DTO accepts, so the URL stays shareable. */
export function presetLinks(filters: Filters): { label: string; href: string; active: boolean }[] {
  const from = filters.from?.[0];
  return TIME_PRESETS.map((preset) => ({
    label: preset,
    href: consoleHref('/', withRange(filters, preset)),
    active: from === preset && !filters.to,
  }));
}
