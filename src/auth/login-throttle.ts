/** How many failed logins are allowed within the window, per user name and per client address. */
export interface ThrottleLimits {
  windowMs: number;
  perUser: number;
  perAddress: number;
}

export const LOGIN_LIMITS: ThrottleLimits = {
  windowMs: 15 * 60_000,
  perUser: 5,
  perAddress: 20,
};

/**
 * Failed password logins, counted in memory per replica: a sliding window of failure times per
 * user name and per client address. A blocked key answers 429 until its oldest failure leaves
 * the window, without checking the password (so guessing costs the attacker the wait).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: ThrottleLimits = LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds to wait before the next attempt for this user or address, or 0. */
  retryAfterSeconds(username: string, address: string): number {
    const now = this.clock();
    const wait = Math.max(
      this.waitMs(`user:${username.toLowerCase()}`, this.limits.perUser, now),
      this.waitMs(`addr:${address}`, this.limits.perAddress, now),
    );
    return Math.ceil(wait / 1000);
  }

  recordFailure(username: string, address: string): void {
    const now = this.clock();
    for (const key of [`user:${username.toLowerCase()}`, `addr:${address}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.set(key, times);
    }
    if (this.failures.size > 100_000) this.prune(now);
  }

  /** A successful login forgets that user's failures (its address keeps counting). */
  recordSuccess(username: string): void {
    this.failures.delete(`user:${username.toLowerCase()}`);
  }

  private waitMs(key: string, limit: number, now: number): number {
    const times = this.recent(key, now);
    if (times.length < limit) return 0;
    return times[times.length - limit] + this.limits.windowMs - now;
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
  }

  /** Keeps memory bounded under a spray of made-up names. */
  private prune(now: number): void {
    for (const [key, times] of this.failures) {
      if (!times.some((t) => t > now - this.limits.windowMs)) this.failures.delete(key);
    }
  }
}
