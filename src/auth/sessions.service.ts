import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { SessionReader } from './auth.guard';
import { cookieOptions, clearCookie, SESSION_COOKIE, signedCookie } from './cookies';
import type { Identity } from './identity';
import { visibilityFor } from './identity';
import { SESSION_REPOSITORY, SessionRepository } from './session.repository';
import { logoutTokenOf } from './viewer-context';

/** Who logged in, as the login flows (password, OIDC) hand it over. */
export interface LoginPrincipal {
  username: string;
  via: 'oidc' | 'password';
  groups: string[];
}

const CLEANUP_INTERVAL_MS = 15 * 60_000;
const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/**
 * Console sessions: a random 256-bit id in a signed cookie, the session itself (its SHA-256,
 * the user, the expiry) in the database. Each request reads it back, so a logout or an expiry
 * ends it on every replica at once; expired rows are ignored at once and deleted periodically.
 */
@Injectable()
export class SessionService
  implements SessionReader, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('Sessions');
  private cleanup?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auth.mode !== 'login') return;
    this.cleanup = setInterval(() => void this.deleteExpired(), CLEANUP_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.cleanup);
  }

  async open(request: FastifyRequest, reply: FastifyReply, who: LoginPrincipal): Promise<void> {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    const ttl = this.config.auth.sessionTtlSeconds;
    await this.sessions.create({
      idHash: hashOf(id),
      username: who.username,
      via: who.via,
      groups: who.groups,
      createdAt: now,
      expiresAt: now + ttl * 1000,
    });
    void reply.setCookie(SESSION_COOKIE, id, cookieOptions(request, ttl));
    await this.deleteExpired();
  }

  async identityOf(request: FastifyRequest): Promise<Identity | undefined> {
    const id = signedCookie(request, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = await this.sessions.find(hashOf(id), Date.now());
    if (!session) return undefined;
    const { clusterAccess, adminGroups } = this.config.auth;
    return {
      name: session.username,
      via: session.via,
      groups: session.groups,
      visibility: visibilityFor(session.groups, clusterAccess),
      admin: session.groups.some((g) => adminGroups.includes(g)),
    };
  }

  /** Ends the session of this request's cookie (if any) everywhere, and drops the cookie. */
  async close(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = signedCookie(request, SESSION_COOKIE);
    if (id !== undefined) await this.sessions.revoke(hashOf(id));
    clearCookie(request, reply, SESSION_COOKIE);
  }

  logoutTokenMatches(request: FastifyRequest, given: string | undefined): boolean {
    const expected = logoutTokenOf(request, this.config.auth.sessionSecret);
    if (expected === undefined || given === undefined) return false;
    const digest = (v: string) => createHash('sha256').update(v).digest();
    return timingSafeEqual(digest(expected), digest(given));
  }

  private async deleteExpired(): Promise<void> {
    try {
      await this.sessions.deleteExpired(Date.now());
    } catch (error) {
      this.logger.warn(`could not delete expired sessions: ${(error as Error).message}`);
    }
  }
}
