import { Controller, Get, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessLogService, detailsOf } from '../access-log/access-log.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PageRenderer } from '../console/page-renderer';
import { clearCookie, cookieOptions, OIDC_COOKIE, signedCookie } from './cookies';
import { loginUrl, safeNext } from './login-next';
import { OidcLoginService, OidcUnavailableError, PendingLogin } from './oidc-login.service';
import { PublicRoute } from './public-route.decorator';
import { SessionService } from './sessions.service';

/** The provider's login page should not take longer than this. */
const PENDING_TTL_SECONDS = 10 * 60;

function readPending(raw: string | undefined): PendingLogin | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(
      Buffer.from(raw, 'base64url').toString('utf8'),
    ) as Partial<PendingLogin>;
    const { state, nonce, codeVerifier, next } = value;
    if ([state, nonce, codeVerifier, next].every((v) => typeof v === 'string')) {
      return value as PendingLogin;
    }
  } catch {
    // A cookie we did not write (its signature already matched, so this is not expected).
  }
  return undefined;
}

/**
 * Single sign-on: /auth/login sends the browser to the provider, /auth/callback opens a
 * session for the person it sends back (if OIDC_ALLOWED_GROUPS lets them in).
 */
@ApiExcludeController()
@PublicRoute()
@Controller('auth')
export class OidcController {
  private readonly logger = new Logger('OidcLogin');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oidc: OidcLoginService,
    private readonly sessions: SessionService,
    private readonly renderer: PageRenderer,
    private readonly accessLog: AccessLogService,
  ) {}

  @Get('login')
  async login(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('next') next?: unknown,
  ): Promise<void> {
    if (!this.config.auth.oidc) return this.refuse(reply, 404, 'Single sign-on is not set up.');
    try {
      const { url, pending } = await this.oidc.start(safeNext(next));
      const value = Buffer.from(JSON.stringify(pending)).toString('base64url');
      void reply.setCookie(
        OIDC_COOKIE,
        value,
        cookieOptions(request, PENDING_TTL_SECONDS, '/auth'),
      );
      void reply.header('Cache-Control', 'no-store').redirect(url.href, 303);
    } catch (error) {
      this.fail(reply, error);
    }
  }

  @Get('callback')
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!this.config.auth.oidc) return this.refuse(reply, 404, 'Single sign-on is not set up.');
    const pending = readPending(signedCookie(request, OIDC_COOKIE));
    clearCookie(request, reply, OIDC_COOKIE, '/auth');
    if (!pending) {
      return this.refuse(
        reply,
        400,
        'This sign-in link expired or was started in another browser. Please log in again.',
      );
    }
    try {
      const outcome = await this.oidc.finish(request.url, pending);
      if (!outcome.allowed) {
        this.logger.warn(`refused ${outcome.username}: not in OIDC_ALLOWED_GROUPS`);
        await this.accessLog.record(
          { name: outcome.username, via: 'oidc' },
          'login-failed',
          detailsOf(request, '/auth/callback'),
        );
        return this.refuse(
          reply,
          403,
          `${outcome.username} is not allowed to use this console: none of your groups is allowed here.`,
          [
            `Your groups: ${outcome.groups.length > 0 ? outcome.groups.join(', ') : '(none)'}`,
            'Ask an administrator to add you to one of the groups in OIDC_ALLOWED_GROUPS.',
          ],
        );
      }
      await this.sessions.open(request, reply, outcome.principal);
      await this.accessLog.record(
        { name: outcome.principal.username, via: 'oidc' },
        'login',
        detailsOf(request, pending.next),
      );
      void reply.redirect(pending.next, 303);
    } catch (error) {
      this.fail(reply, error);
    }
  }

  private fail(reply: FastifyReply, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(`single sign-on failed: ${message}`);
    const unavailable = error instanceof OidcUnavailableError;
    this.refuse(
      reply,
      unavailable ? 503 : 400,
      unavailable
        ? `Single sign-on is unavailable: ${message}.`
        : `The single sign-on could not be completed: ${message}.`,
    );
  }

  private refuse(reply: FastifyReply, status: number, error: string, details: string[] = []) {
    const html = this.renderer.render('login', {
      title: 'Log in',
      nav: 'none',
      switcher: null,
      error,
      details,
      retryHref: loginUrl('/'),
    });
    void reply
      .status(status)
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html);
  }
}
