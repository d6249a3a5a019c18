/**
 * Kubernetes MicroTime ("2006-01-02T15:04:05.000000Z") parsing that keeps the microseconds a
 * JavaScript Date would drop. Older events carry second precision or a numeric offset.
 */
export interface MicroTime {
  /** Canonical UTC form with exactly six fractional digits: 2024-05-01T10:00:00.123456Z */
  iso: string;
  /** Milliseconds since the epoch (for UUIDv7 ids and time filters). */
  epochMs: number;
}

const MICRO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$/;
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

/** What every current apiserver writes; taking it without the general regex halves the cost. */
const CANONICAL = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{6}Z$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Month, day and hour of a canonical timestamp exist (arithmetic only: this is the hot path). */
function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1) return false;
  if (Number(value.slice(11, 13)) > 23) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

export function parseMicroTime(value: unknown): MicroTime | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  if (value.length === 27 && CANONICAL.test(value)) {
    // Date.parse rolls impossible dates over (Feb 31 -> Mar 2, 24:00 -> next day): refuse them.
    if (!isCalendarDate(value)) return undefined;
    const epochMs = Date.parse(value);
    if (!Number.isNaN(epochMs)) return { iso: value, epochMs };
    return undefined;
  }
  const m = MICRO_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const year = Number(y);
  if (year < MIN_YEAR || year > MAX_YEAR) return undefined;
  const micros = Number((frac + '000000').slice(0, 6));
  let epochMs = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(epochMs);
  // Date.UTC rolls 2024-02-31 over to March; a real timestamp never needs that.
  if (check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || Number(s) > 59) {
    return undefined;
  }
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    epochMs -= sign * offsetMin * 60_000;
  }
  if (epochMs < 0) return undefined;
  const base = new Date(epochMs).toISOString().slice(0, 19);
  return {
    iso: `${base}.${String(micros).padStart(6, '0')}Z`,
    epochMs: epochMs + Math.floor(micros / 1000),
  };
}

/** "2024-05-01T10:00:00.123456Z" -> "2024-05-01 10:00:00.123456" (DATETIME(6) literal, UTC). */
export function microTimeToSql(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 26)}`;
}

/** Inverse of microTimeToSql; accepts what MySQL (dateStrings) and SQLite give back. */
export function sqlToMicroTime(value: string): string {
  const [date, time = '00:00:00'] = value.split(/[ T]/);
  const [hms, frac = ''] = time.replace(/Z$/, '').split('.');
  return `${date}T${hms}.${(frac + '000000').slice(0, 6)}Z`;
}
