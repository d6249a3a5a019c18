import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SESSION_COOKIE, signedCookie } from './cookies';
import type { AuthenticatedRequest } from './current-identity.decorator';
import type { FastifyRequest } from 'fastify';

/** Who is looking at a console page: what its header shows (name, logout form). */
export interface Viewer {
  name: string;
  groups: string;
  /** The logout form's anti-forgery token. */
  logoutToken: string;
  /** May read the access log (ADMIN_GROUPS): the header links to it. */
  admin: boolean;
}

const viewers = new AsyncLocalStorage<Viewer>();

/** The viewer of the console page being rendered, if a logged-in person asked for it. */
export function currentViewer(): Viewer | undefined {
  return viewers.getStore();
}

/**
 * The anti-forgery token of the logout form: bound to the session id, so another site cannot
 * post a logout it could not read from one of our pages.
 */
export function logoutTokenOf(request: FastifyRequest, secret: string): string | undefined {
  const id = signedCookie(request, SESSION_COOKIE);
  if (id === undefined) return undefined;
  return createHmac('sha256', secret).update(`logout:${id}`).digest('base64url');
}

/**
 * Makes the logged-in person known to every page a console handler renders, without each
 * controller passing it to each view: the handler runs with the viewer in async-local storage,
 * and PageRenderer puts it in the layout's data (`@viewer`).
 */
@Injectable()
export class ViewerInterceptor implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = request.identity;
    if (!identity || (identity.via !== 'password' && identity.via !== 'oidc')) {
      return next.handle();
    }
    const viewer: Viewer = {
      name: identity.name,
      groups: identity.groups.join(', '),
      logoutToken: logoutTokenOf(request, this.config.auth.sessionSecret) ?? '',
      admin: identity.admin,
    };
    return new Observable((subscriber) =>
      viewers.run(viewer, () => next.handle().subscribe(subscriber)),
    );
  }
}
