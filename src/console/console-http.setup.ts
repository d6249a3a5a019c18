import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
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
 * Registers the Fastify plugins the console needs on the app's one Fastify instance: helmet's
 * headers (on every route; harmless on the JSON API and the webhook) and the static assets
 * under /assets/. Runs before the server listens, so Fastify applies both to every route.
 */
@Injectable()
export class ConsoleHttpSetup implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(helmet, {
      global: true,
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    });
    await fastify.register(fastifyStatic, {
      root: PUBLIC_DIR,
      prefix: '/assets/',
      allowedPath: (path) => path.startsWith('/js/') || path.startsWith('/build/'),
      maxAge: '1h',
      decorateReply: false,
    });
  }
}
