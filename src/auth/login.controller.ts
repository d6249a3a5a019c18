import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessLogService, detailsOf } from '../access-log/access-log.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PageRenderer } from '../console/page-renderer';
import { issueLoginCsrf, loginCsrfMatches } from './login-csrf';
import { loginUrl, safeNext } from './login-next';
import { LoginThrottle } from './login-throttle';
import { UNKNOWN_USER_HASH, verifyPassword } from './password';
import { PublicRoute } from './public-route.decorator';
import { SessionService } from './sessions.service';

type Form = Record<string, unknown>;

const field = (form: Form | undefined, name: string, max: number): string | undefined => {
  const value = form?.[name];
  return typeof value === 'string' && value.length <= max ? value : undefined;
};

interface LoginPageState {
  status: number;
  next: string;
  username?: string;
  error?: string;
  notice?: string;
}

/**
 * The login page (static users from CONSOLE_USERS and a link to single sign-on) and logout.
 * Every form carries an anti-forgery token; failed passwords are throttled per user name and
 * per client address.
 */
@ApiExcludeController()
@PublicRoute()
@Controller()
export class LoginController {
  private readonly throttle = new LoginThrottle();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly renderer: PageRenderer,
    private readonly accessLog: AccessLogService,
  ) {}

  @Get('login')
  async loginPage(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('next') next?: unknown,
    @Query('loggedOut') loggedOut?: unknown,
  ): Promise<void> {
    if (this.config.auth.mode !== 'login') return void reply.redirect('/', 303);
    const target = safeNext(next);
    if (loggedOut === undefined && (await this.sessions.identityOf(request))) {
      return void reply.redirect(target, 303);
    }
    this.send(request, reply, {
      status: 200,
      next: target,
      notice: loggedOut !== undefined ? 'You are logged out.' : undefined,
    });
  }

  @Post('login')
  async login(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() form?: Form,
  ): Promise<void> {
    const next = safeNext(field(form, 'next', 2048));
    const username = field(form, 'username', 256) ?? '';
    const password = field(form, 'password', 1024) ?? '';
    const state = { next, username };
    if (this.config.auth.users.length === 0) {
      return this.send(request, reply, {
        ...state,
        status: 404,
        error: 'Password login is not set up on this server (CONSOLE_USERS is empty).',
      });
    }
    if (!loginCsrfMatches(request, field(form, 'csrf', 256))) {
      return this.send(request, reply, {
        ...state,
        status: 403,
        error: 'The login form expired or came from another site. Please try again.',
      });
    }
    const wait = this.throttle.retryAfterSeconds(username, request.ip);
    if (wait > 0) {
      void reply.header('Retry-After', String(wait));
      return this.send(request, reply, {
        ...state,
        status: 429,
        error: `Too many failed logins. Try again in ${minutes(wait)}.`,
      });
    }
    const user = this.config.auth.users.find((u) => u.name === username);
    const ok = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!user || !ok) {
      this.throttle.recordFailure(username, request.ip);
      await this.accessLog.record(
        { name: username, via: 'password' },
        'login-failed',
        detailsOf(request, '/login'),
      );
      return this.send(request, reply, {
        ...state,
        status: 401,
        error: 'Wrong user name or password.',
      });
    }
    this.throttle.recordSuccess(username);
    await this.sessions.open(request, reply, {
      username: user.name,
      via: 'password',
      groups: user.groups,
    });
    await this.accessLog.record(
      { name: user.name, via: 'password' },
      'login',
      detailsOf(request, next),
    );
    void reply.redirect(next, 303);
  }

  @Post('logout')
  async logout(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() form?: Form,
  ): Promise<void> {
    const identity = await this.sessions.identityOf(request);
    if (!identity) return void reply.redirect('/login?loggedOut=1', 303);
    if (!this.sessions.logoutTokenMatches(request, field(form, 'csrf', 256))) {
      return this.send(request, reply, {
        status: 403,
        next: '/',
        error: 'The logout request came from another site or an old page; you are still logged in.',
      });
    }
    await this.sessions.close(request, reply);
    await this.accessLog.record(identity, 'logout', detailsOf(request, '/logout'));
    void reply.redirect('/login?loggedOut=1', 303);
  }

  private send(request: FastifyRequest, reply: FastifyReply, state: LoginPageState): void {
    const { users, oidc } = this.config.auth;
    const html = this.renderer.render('login', {
      title: 'Log in',
      nav: 'none',
      switcher: null,
      passwordLogin: users.length > 0,
      ssoHref: oidc ? `/auth/login?next=${encodeURIComponent(state.next)}` : null,
      noConsoleLogin: users.length === 0 && !oidc,
      csrf: users.length > 0 ? issueLoginCsrf(request, reply) : '',
      next: state.next,
      username: state.username ?? '',
      error: state.error ?? null,
      notice: state.notice ?? null,
      loginHref: loginUrl(state.next),
    });
    void reply
      .status(state.status)
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html);
  }
}

function minutes(seconds: number): string {
  const m = Math.ceil(seconds / 60);
  return m <= 1 ? 'a minute' : `${m} minutes`;
}
