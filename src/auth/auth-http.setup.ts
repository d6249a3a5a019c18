import fastifyCookie from '@fastify/cookie';
import { HttpException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import { loginUrl, safeNext } from './login-next';

const API_DOCS = /^\/api\/docs(-json)?(\/|\?|$)/;

/** A write to /api/** (API tokens are read-only: refused before routing, route or not). */
const apiWrite = (request: FastifyRequest): boolean =>
  request.url.startsWith('/api/') && !['GET', 'HEAD', 'OPTIONS'].includes(request.method);

/**
 * What login needs on the Fastify instance, registered by createApp before any route: cookie
 * parsing and signing with SESSION_SECRET, and the login check on the OpenAPI pages, which
 * SwaggerModule serves as plain Fastify routes outside Nest's guards, and on writes to /api/**
 * (so a read-only token gets 403 whether or not a route exists there).
 */
export async function registerAuthHttp(
  app: NestFastifyApplication,
  config: AppConfig,
): Promise<void> {
  await app.register(fastifyCookie, { secret: config.auth.sessionSecret });
  const guard = app.get(AuthGuard);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!API_DOCS.test(request.url) && !apiWrite(request)) return;
      try {
        await guard.authenticate(request);
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        const browser =
          request.headers.authorization === undefined &&
          (request.headers.accept ?? '').includes('text/html') &&
          error.getStatus() === 401;
        if (browser && (config.auth.users.length > 0 || config.auth.oidc)) {
          return reply.redirect(loginUrl(safeNext(request.url)), 303);
        }
        return reply.status(error.getStatus()).send(error.getResponse());
      }
    });
}
