import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'audit_session';
export const CSRF_COOKIE = 'audit_csrf';
export const OIDC_COOKIE = 'audit_oidc';

/**
 * Every cookie of the login: signed with SESSION_SECRET, out of reach of scripts, sent on
 * top-level navigations from other sites (the SSO callback) but not on their sub-requests
 * and form posts (SameSite=Lax), and Secure whenever the browser reached us over TLS: our own
 * (TLS_CERT_FILE) or a proxy's that says so in X-Forwarded-Proto (TRUST_PROXY=true, which
 * Fastify reads into `request.protocol`).
 */
export function cookieOptions(
  request: FastifyRequest,
  maxAgeSeconds: number,
  path = '/',
): CookieSerializeOptions {
  return {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path,
    maxAge: maxAgeSeconds,
    secure: request.protocol === 'https',
  };
}

/** The value of a signed cookie, or undefined when it is missing or its signature is wrong. */
export function signedCookie(request: FastifyRequest, name: string): string | undefined {
  const raw = request.cookies[name];
  if (raw === undefined) return undefined;
  const { valid, value } = request.unsignCookie(raw);
  return valid && value !== null ? value : undefined;
}

export function clearCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  path = '/',
): void {
  void reply.clearCookie(name, { ...cookieOptions(request, 0, path), signed: false });
}
