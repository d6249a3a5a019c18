/** A console login as stored: who, how they logged in, until when (epoch milliseconds). */
export interface StoredSession {
  /** SHA-256 (hex) of the random id the cookie carries; the id itself is never stored. */
  idHash: string;
  username: string;
  via: 'oidc' | 'password';
  groups: string[];
  createdAt: number;
  expiresAt: number;
}

/**
 * Where sessions live. Server-side, in the shared database: a logout revokes the session on
 * every replica, and a replica started later knows every open session.
 */
export interface SessionRepository {
  create(session: StoredSession): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  find(idHash: string, now: number): Promise<StoredSession | undefined>;
  revoke(idHash: string): Promise<void>;
  /** Removes sessions expired before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
}

export const SESSION_REPOSITORY = Symbol('SESSION_REPOSITORY');
