import type { Count } from '../audit/audit-query';

export interface CountRow {
  label: string;
  count: number;
  /** Share of the largest count, 0-100: the width of its bar (an SVG rect, no inline style). */
  percent: number;
  href: string;
}

export interface CountList {
  title: string;
  rows: CountRow[];
}

/** A "top N" list whose rows link to the events page filtered by that value. */
export function countList(
  title: string,
  counts: Count[],
  hrefFor: (key: string) => string,
): CountList {
  const peak = Math.max(1, ...counts.map((c) => c.count));
  return {
    title,
    rows: counts.map((c) => ({
      label: c.key === '' ? '(none)' : c.key,
      count: c.count,
      percent: Math.round((c.count / peak) * 1000) / 10,
      href: hrefFor(c.key),
    })),
  };
}
