import { FirstSeenSpec, GroupSpec, Priority, WindowSpec } from './types';

/** Falco's priority names, case-insensitive, with `info` for INFORMATIONAL (falco_common::parse_priority). */
const PRIORITY_NAMES: Record<string, Priority> = {
  emergency: 'EMERGENCY',
  alert: 'ALERT',
  critical: 'CRITICAL',
  error: 'ERROR',
  warning: 'WARNING',
  notice: 'NOTICE',
  informational: 'INFORMATIONAL',
  info: 'INFORMATIONAL',
  debug: 'DEBUG',
};

export function parsePriority(value: unknown): Priority {
  const priority =
    typeof value === 'string' ? PRIORITY_NAMES[value.trim().toLowerCase()] : undefined;
  if (!priority) {
    throw new Error(
      `unknown priority ${JSON.stringify(value)} (expected one of ${Object.keys(PRIORITY_NAMES).join(', ')})`,
    );
  }
  return priority;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h30m`, `7d`: whole numbers with s, m, h or d; more than zero. */
export function parseDuration(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^(\d+[smhd])+$/.test(text)) {
    throw new Error(`invalid duration ${JSON.stringify(value)} (expected e.g. 30s, 10m, 1h, 7d)`);
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g))
    ms += Number(amount) * UNIT_MS[unit];
  if (ms <= 0 || !Number.isSafeInteger(ms))
    throw new Error(`invalid duration ${JSON.stringify(value)}: must be more than zero`);
  return ms;
}

function mapping(value: unknown, key: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`'${key}' must be a mapping`);
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    if (!allowed.includes(k))
      throw new Error(`'${key}' has unknown key '${k}' (allowed: ${allowed.join(', ')})`);
  }
  return record;
}

function fieldList(value: unknown, key: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((f) => typeof f === 'string' && f.trim() !== '')
  ) {
    throw new Error(`'${key}.by' must be a non-empty list of field names`);
  }
  return list.map((f: string) => f.trim());
}

export function parseWindow(value: unknown): WindowSpec {
  const w = mapping(value, 'window', ['by', 'distinct', 'threshold', 'within']);
  const threshold = w.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1) {
    throw new Error(
      `'window.threshold' must be a whole number of at least 1, got ${JSON.stringify(threshold)}`,
    );
  }
  if (w.distinct !== undefined && (typeof w.distinct !== 'string' || w.distinct.trim() === '')) {
    throw new Error("'window.distinct' must be a field name");
  }
  if (w.within === undefined) throw new Error("'window.within' is required (e.g. 10m)");
  const spec: WindowSpec = {
    by: fieldList(w.by, 'window'),
    threshold,
    withinMs: parseDuration(w.within),
  };
  if (typeof w.distinct === 'string') spec.distinct = w.distinct.trim();
  return spec;
}

export function parseFirstSeen(value: unknown): FirstSeenSpec {
  const f = mapping(value, 'first_seen', ['by', 'learn']);
  if (f.learn === undefined) throw new Error("'first_seen.learn' is required (e.g. 7d)");
  return { by: fieldList(f.by, 'first_seen'), learnMs: parseDuration(f.learn) };
}

export function parseGroup(value: unknown): GroupSpec {
  const g = mapping(value, 'group', ['by', 'within']);
  if (g.within === undefined) throw new Error("'group.within' is required (e.g. 1h)");
  return { by: fieldList(g.by, 'group'), withinMs: parseDuration(g.within) };
}
