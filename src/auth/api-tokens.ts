import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiToken, ClusterGrant } from '../config/app-config';
import { Identity, visibilityFor } from './identity';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * API_TOKENS: read-only bearer tokens for automation, accepted on /api/** only. Every configured
 * token is compared (over fixed-length digests, in constant time), so the answer time tells
 * nothing about which token or how much of it matched.
 */
export class ApiTokens {
  private readonly tokens: Array<{ token: ApiToken; digest: Buffer }>;

  constructor(
    tokens: readonly ApiToken[],
    private readonly clusterAccess: ReadonlyMap<string, ClusterGrant> | undefined,
    private readonly adminGroups: readonly string[],
  ) {
    this.tokens = tokens.map((token) => ({ token, digest: digest(token.token) }));
  }

  get size(): number {
    return this.tokens.length;
  }

  identify(presented: string): Identity | undefined {
    const given = digest(presented);
    let found: ApiToken | undefined;
    for (const { token, digest: expected } of this.tokens) {
      if (timingSafeEqual(given, expected)) found = token;
    }
    if (!found) return undefined;
    return {
      name: found.name,
      via: 'api-token',
      groups: found.groups,
      visibility: visibilityFor(found.groups, this.clusterAccess),
      admin: found.groups.some((g) => this.adminGroups.includes(g)),
    };
  }
}

/** The token of an `Authorization: Bearer <token>` header, if that is what was sent. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}
