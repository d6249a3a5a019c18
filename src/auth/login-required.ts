import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';
import type { PageRenderer } from '../console/page-renderer';
import { bearerToken } from './api-tokens';
import { loginUrl, safeNext } from './login-next';

/**
 * A console page asked for without a login. A browser goes to the login page and comes back
 * afterwards; an htmx request (a swap inside a page) gets `HX-Redirect`, so the whole page
 * navigates instead of a login form landing inside a table. Where no console login exists
 * (API tokens only) or an API token was sent, a page says what to do instead.
 */
export function answerLoginRequired(
  request: FastifyRequest,
  reply: FastifyReply,
  config: AppConfig,
  renderer: PageRenderer,
): void {
  const { users, oidc } = config.auth;
  const problem =
    users.length === 0 && !oidc
      ? 'No console login is set up on this server: API tokens (API_TOKENS) work on /api/** only. Set CONSOLE_USERS or OIDC_* to use the console.'
      : bearerToken(request.headers.authorization) !== undefined
        ? 'API tokens are accepted on /api/** only; the console needs a login.'
        : undefined;
  if (problem !== undefined) {
    const html = renderer.render('error', {
      title: 'Login required',
      status: 401,
      messages: [problem],
      nextStep: 'See docs/authentication.md for how to set up a console login.',
    });
    void reply.status(401).type('text/html; charset=utf-8').send(html);
    return;
  }
  if (request.headers['hx-request'] === 'true') {
    // Come back to the page the swap was made in, not to the fragment it asked for.
    const page = pathOf(request.headers['hx-current-url']) ?? request.url;
    void reply
      .status(401)
      .header('HX-Redirect', loginUrl(safeNext(page)))
      .send('');
    return;
  }
  void reply.redirect(loginUrl(safeNext(request.url)), 303);
}

/** The path and query of an absolute URL (htmx's HX-Current-URL); safeNext checks the rest. */
function pathOf(url: string | string[] | undefined): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return undefined;
  }
}
