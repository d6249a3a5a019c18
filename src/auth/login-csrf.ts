import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieOptions, CSRF_COOKIE, signedCookie } from './cookies';

const CSRF_TTL_SECONDS = 60 * 60;

/**
 * Anti-forgery token of the login form (signed double submit): a random token in a signed
 * cookie and in a hidden field. Another site can make a browser post the form, but can neither
 * read the token nor forge the cookie's signature.
 */
export function issueLoginCsrf(request: FastifyRequest, reply: FastifyReply): string {
  const token = signedCookie(request, CSRF_COOKIE) ?? randomBytes(24).toString('base64url');
  void reply.setCookie(CSRF_COOKIE, token, cookieOptions(request, CSRF_TTL_SECONDS));
  return token;
}

export function loginCsrfMatches(request: FastifyRequest, given: string | undefined): boolean {
  const expected = signedCookie(request, CSRF_COOKIE);
  if (expected === undefined || given === undefined) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
