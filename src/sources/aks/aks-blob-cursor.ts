/**
 * Where an `aks-blob` source stands in a container of hourly append blobs, and its checkpoint.
 *
 * - `w`, the watermark: an hour (`YYYYMMDDHHmm`, UTC). Every blob of an earlier hour has been
 *   read to its end after its hour was over by {@link SETTLE_MS}; such blobs are never read again
 *   and need no entry.
 * - `b`: the byte offset reached in each blob of the watermark's hour or later that has been
 *   started (an absent blob is read from byte 0), grouped by the part of the name before
 *   `/y=` (the cluster's resource id), so one cluster costs its resource id once.
 *
 * The watermark moves up to the oldest hour with unread bytes, never past an hour that ended
 * less than {@link SETTLE_MS} ago (Azure may still append to it): the checkpoint holds the
 * blobs of the last few hours only, whatever the container's history.
 */

/** How long after its hour a blob may still be appended to (Azure Monitor's delivery delay). */
export const SETTLE_MS = 2 * 3600_000;
/** Blobs followed at once (started and not yet below the watermark): bounds the checkpoint. */
export const MAX_TRACKED = 128;
/** What {@link MAX_TRACKED} blobs with the longest accepted names serialise to, at most. */
export const CHECKPOINT_MAX_BYTES = 60 * 1024;
/** A resource id longer than this is not one Azure writes; such names are ignored. */
const MAX_HEAD = 400;
const MAX_CHECKPOINT_CHARS = 1024 * 1024;
const HOUR_MS = 3600_000;

const BLOB_NAME =
  /^(.{1,400})\/y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\/m=(\d{2})\/PT1H\.json$/s;
const KEY = /^\d{12}$/;

export interface BlobTime {
  /** The name before `/y=`: `resourceId=/SUBSCRIPTIONS/.../MANAGEDCLUSTERS/<NAME>`. */
  head: string;
  /** `YYYYMMDDHHmm`: sorts as time does. */
  key: string;
  /** When the blob's hour starts (UTC). */
  hourStart: number;
}

/** The hour a blob named like a diagnostic setting's `.../y=/m=/d=/h=/m=00/PT1H.json` holds. */
export function blobTime(name: string): BlobTime | undefined {
  const m = BLOB_NAME.exec(name);
  if (!m || m[1].length > MAX_HEAD) return undefined;
  const [, head, y, mo, d, h, mi] = m;
  const hourStart = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h));
  if (!Number.isFinite(hourStart)) return undefined;
  return { head, key: `${y}${mo}${d}${h}${mi}`, hourStart };
}

function nameOf(head: string, key: string): string {
  return `${head}/y=${key.slice(0, 4)}/m=${key.slice(4, 6)}/d=${key.slice(6, 8)}/h=${key.slice(8, 10)}/m=${key.slice(10, 12)}/PT1H.json`;
}

/** The key of the hour holding `ms`. */
export function hourKey(ms: number): string {
  const t = new Date(Math.floor(ms / HOUR_MS) * HOUR_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}00`;
}

interface Position {
  offset: number;
  /** Inside a line longer than the read bound: skip to the next newline. */
  skip: boolean;
}

interface Live {
  key: string;
  hourStart: number;
  /** Length as last seen (listing or download). */
  length: number;
  /** Not read again until longer than this (a half-written last line, a failed range). */
  stalledAt?: number;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isOffset(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export class AksBlobCursor {
  private readonly positions = new Map<string, Position>();
  private live = new Map<string, Live>();
  /** Blobs wait for room among the followed ones (see {@link MAX_TRACKED}). */
  waitingForRoom = false;

  private constructor(
    private watermark: string,
    /** `startFrom: now` before the first listing: what exists then is taken as read. */
    private snapshot: boolean,
  ) {}

  /** A never-run source: from the first blob (`beginning`), or from what is appended after the first listing (`now`). */
  static start(startFrom: 'beginning' | 'now', now: number): AksBlobCursor {
    if (startFrom === 'beginning') return new AksBlobCursor('', false);
    return new AksBlobCursor(hourKey(now - SETTLE_MS), true);
  }

  static parse(text: string): AksBlobCursor {
    const fail = (why: string): never => {
      throw new Error(`aks-blob checkpoint is not valid (${why})`);
    };
    if (text.length > MAX_CHECKPOINT_CHARS) fail(`longer than ${MAX_CHECKPOINT_CHARS} characters`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      fail('not JSON');
    }
    if (!isObject(doc) || doc.v !== 1) return fail('expected {"v":1,...}');
    const w = doc.w ?? '';
    if (typeof w !== 'string' || (w !== '' && !KEY.test(w))) return fail('w is not an hour');
    const cursor = new AksBlobCursor(w, false);
    const blobs = doc.b ?? {};
    if (!isObject(blobs)) return fail('b is not an object');
    for (const [head, hours] of Object.entries(blobs)) {
      if (!isObject(hours)) return fail('b holds a non-object');
      for (const [key, value] of Object.entries(hours)) {
        if (!KEY.test(key)) return fail('b holds a key that is not an hour');
        const position: Position | undefined = isOffset(value)
          ? { offset: value, skip: false }
          : Array.isArray(value) && value.length === 2 && isOffset(value[0]) && value[1] === 1
            ? { offset: value[0], skip: true }
            : undefined;
        if (!position) return fail('b holds an offset that is not a whole number');
        cursor.positions.set(nameOf(head, key), position);
      }
    }
    return cursor;
  }

  serialize(): string {
    const b: Record<string, Record<string, number | [number, 1]>> = {};
    for (const [name, position] of this.positions) {
      if (position.offset === 0 && !position.skip) continue;
      const time = blobTime(name);
      if (!time) continue;
      (b[time.head] ??= {})[time.key] = position.skip ? [position.offset, 1] : position.offset;
    }
    return JSON.stringify({ v: 1, w: this.watermark, b });
  }

  /** The hour below which every blob is done (`''`: none yet). */
  get doneBefore(): string {
    return this.watermark;
  }

  /** How many blobs the checkpoint follows. */
  get followed(): number {
    return this.positions.size;
  }

  /**
   * A complete listing of the blobs (name to length): new blobs and lengths are taken in,
   * deleted blobs forgotten, the watermark moved. True when the checkpoint changed.
   */
  update(listed: ReadonlyMap<string, number>, now: number): boolean {
    let moved = false;
    if (this.snapshot) {
      this.snapshot = false;
      moved = true;
      for (const [name, length] of listed) {
        const time = blobTime(name);
        if (time && time.key >= this.watermark && length > 0) {
          this.positions.set(name, { offset: length, skip: false });
        }
      }
    }
    for (const name of [...this.positions.keys()]) {
      if (!listed.has(name)) {
        this.positions.delete(name);
        moved = true;
      }
    }
    const live = new Map<string, Live>();
    for (const [name, length] of listed) {
      const time = blobTime(name);
      if (!time || time.key < this.watermark) continue;
      const before = this.live.get(name);
      const known = Math.max(length, before?.length ?? 0);
      const blob: Live = { key: time.key, hourStart: time.hourStart, length: known };
      // A closed blob's unterminated last line is read as it is (consume), so no stall holds.
      if (before?.stalledAt !== undefined && known <= before.stalledAt && !this.closed(blob, now)) {
        blob.stalledAt = before.stalledAt;
      }
      live.set(name, blob);
    }
    this.live = live;

    let bound = hourKey(now - SETTLE_MS);
    for (const [name, blob] of live) {
      if (blob.key >= bound) continue;
      const position = this.positions.get(name);
      const offset = position?.offset ?? 0;
      const unfinished =
        offset < blob.length || (position?.skip === true && !this.closed(blob, now));
      if (unfinished) bound = blob.key;
    }
    if (bound > this.watermark) {
      this.watermark = bound;
      moved = true;
      for (const [name, blob] of live) {
        if (blob.key < bound) {
          live.delete(name);
          this.positions.delete(name);
        }
      }
    }
    return moved;
  }

  /** The blob to read next: the oldest hour with unread bytes (then by name). */
  nextToRead(): string | undefined {
    let best: { name: string; key: string } | undefined;
    this.waitingForRoom = false;
    const room = this.positions.size < MAX_TRACKED;
    // The oldest hour with unread bytes is always read, room or not: its blobs are what holds the
    // watermark, and only the watermark passing it frees room. (More than MAX_TRACKED blobs in
    // one hour, a container shared by that many clusters, would otherwise stop the source.)
    let oldest: string | undefined;
    for (const [name, blob] of this.live) {
      if ((this.positions.get(name)?.offset ?? 0) >= blob.length) continue;
      if (oldest === undefined || blob.key < oldest) oldest = blob.key;
    }
    for (const [name, blob] of this.live) {
      const position = this.positions.get(name);
      if ((position?.offset ?? 0) >= blob.length) continue;
      if (blob.stalledAt !== undefined && blob.length <= blob.stalledAt) continue;
      if (!position && !room && blob.key !== oldest) {
        this.waitingForRoom = true;
        continue;
      }
      if (!best || blob.key < best.key || (blob.key === best.key && name < best.name)) {
        best = { name, key: blob.key };
      }
    }
    return best?.name;
  }

  offset(name: string): number {
    return this.positions.get(name)?.offset ?? 0;
  }

  skipping(name: string): boolean {
    return this.positions.get(name)?.skip === true;
  }

  advance(name: string, offset: number, skip: boolean): void {
    this.positions.set(name, { offset, skip });
  }

  /** A download saw the blob at this length. */
  grew(name: string, length: number): void {
    const blob = this.live.get(name);
    if (blob && length > blob.length) blob.length = length;
  }

  /** Nothing more to read in this blob until it grows (or the next listing says otherwise). */
  stall(name: string): void {
    const blob = this.live.get(name);
    if (blob) blob.stalledAt = blob.length;
  }

  /** The blob's hour ended more than {@link SETTLE_MS} ago: nothing is appended any more. */
  isClosed(name: string, now: number): boolean {
    const blob = this.live.get(name);
    return blob !== undefined && this.closed(blob, now);
  }

  private closed(blob: Live, now: number): boolean {
    return blob.hourStart + HOUR_MS + SETTLE_MS <= now;
  }
}
