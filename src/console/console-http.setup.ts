import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PUBLIC_DIR } from './console-files';

/**
 * Swagger UI (the API's OpenAPI page at /api/docs) sets inline styles on its icon sprite and
 * panels; only that page gets 'unsafe-inline' for styles. Scripts stay 'self' everywhere.
 */
export function styleSourceFor(request: IncomingMessage): string {
  return request.url?.startsWith('/api/docs') ? "'unsafe-inline'" : "'self'";
}

/**
 * Content-Security-Policy of every answer: only this origin's own files run or load. No inline
 * script or style, no eval (htmx is configured with allowEval false), no framing, forms post
 * only here. `upgrade-insecure-requests` is left out: plain-HTTP installs on a LAN are common.
 */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", styleSourceFor],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Registers the Fastify plugins the console needs on the app's Fastify instance: helmet's
 * headers (on every route; harmless on the JSON API and the webhook) and the static assets
 * under /assets/. Called by createApp before the server listens, so both apply to every
 * route; an application context without HTTP (the importer) has nothing to register.
 */
export async function registerConsoleHttp(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  });
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/assets/',
    allowedPath: (path) => path.startsWith('/js/') || path.startsWith('/build/'),
    maxAge: '1h',
    decorateReply: false,
  });
}
