import type { Identity } from '../auth/identity';

/** What a person or token did: the console's and the API's own reads, and logins. */
export const ACCESS_ACTIONS = [
  'search',
  'open-event',
  'export',
  'object-history',
  'user-activity',
  'rbac-suggestion',
  'detections',
  'stats',
  'live-tail',
  'login',
  'logout',
  'login-failed',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** Longest stored texts: longer ones are cut and end with an ellipsis. */
export const ACCESS_LIMITS = { name: 255, target: 2048, clientAddress: 64, userAgent: 512 };

/** One access, as stored and as listed. */
export interface AccessEntry {
  /** UUIDv7: its time part is `at`, so id order is time order (the list's cursor). */
  id: string;
  /** RFC 3339. */
  at: string;
  name: string;
  via: Identity['via'];
  action: AccessAction;
  /** The URL asked for (path and query), or the event id; '' when there is none. */
  target: string;
  clientAddress: string;
  userAgent: string;
}

export interface AccessLogFilter {
  name?: string;
  action?: AccessAction;
  /** Inclusive, epoch ms. */
  fromMs?: number;
  /** Exclusive, epoch ms. */
  toMs?: number;
}

/** Storage port of the access log. */
export interface AccessLogRepository {
  append(entry: AccessEntry): Promise<void>;
  /** Newest first, ids below `before`. */
  list(filter: AccessLogFilter, page: { limit: number; before?: string }): Promise<AccessEntry[]>;
}

export const ACCESS_LOG_REPOSITORY = Symbol('ACCESS_LOG_REPOSITORY');
