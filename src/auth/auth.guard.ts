import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ApiTokens, bearerToken } from './api-tokens';
import type { AuthenticatedRequest } from './current-identity.decorator';
import { ALL_CLUSTERS, Identity } from './identity';
import { PUBLIC_ROUTE } from './public-route.decorator';

/** Reads a console session (cookie) into an identity; provided by the sessions code. */
export interface SessionReader {
  identityOf(request: AuthenticatedRequest): Promise<Identity | undefined>;
}
export const SESSION_READER = Symbol('SESSION_READER');

/** No identity on a console page: the console answers with the login page, the API with 401. */
export class LoginRequiredException extends UnauthorizedException {
  constructor(
    message: string,
    readonly consolePage: boolean,
  ) {
    super(message);
  }
}

const ANONYMOUS: Identity = {
  name: 'anonymous',
  via: 'anonymous',
  groups: [],
  visibility: ALL_CLUSTERS,
  admin: true,
};

/**
 * The one place that decides who may call what (registered as the global guard, so a new route
 * is closed unless marked `@PublicRoute()`). `/api/**` takes an API token or a console session;
 * console pages take a session. Without any login configured (development, or CONSOLE_AUTH=none
 * behind an authenticating proxy) every caller is the anonymous identity that sees everything.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens: ApiTokens;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    @Optional() @Inject(SESSION_READER) private readonly sessions?: SessionReader,
  ) {
    const { apiTokens, clusterAccess, adminGroups } = config.auth;
    this.tokens = new ApiTokens(apiTokens, clusterAccess, adminGroups);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const open = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (open) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    request.identity = await this.authenticate(request);
    // Audit data is for this identity only: no shared cache keeps it, and Back after logout
    // does not show it from the browser's cache.
    if (this.config.auth.mode === 'login') {
      http.getResponse<FastifyReply>().header('Cache-Control', 'no-store');
    }
    return true;
  }

  /** The caller's identity, or an exception saying how to log in (also used for /api/docs). */
  async authenticate(request: AuthenticatedRequest): Promise<Identity> {
    if (this.config.auth.mode !== 'login') return ANONYMOUS;
    const api = request.url.startsWith('/api/');
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined) {
      if (!api) {
        throw new LoginRequiredException('API tokens are accepted on /api/** only; log in', true);
      }
      const identity = this.tokens.identify(token);
      if (!identity) throw new UnauthorizedException('the bearer token is not a valid API token');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        throw new ForbiddenException('API tokens are read-only');
      }
      return identity;
    }
    const session = await this.sessions?.identityOf(request);
    if (session) return session;
    throw new LoginRequiredException(
      api
        ? 'log in first: send Authorization: Bearer <API token> or a console session cookie'
        : 'log in to see the console',
      !api,
    );
  }
}
