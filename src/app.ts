import type { ServerOptions } from 'node:https';
import { LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { setupOpenApi } from './audit/openapi';
import { registerAuthHttp } from './auth/auth-http.setup';
import { registerConsoleHttp } from './console/console-http.setup';
import type { AppConfig } from './config/app-config';

export interface CreateAppOptions {
  logger?: LoggerService | false;
  /** Options for Node's https server (see src/tls); plain HTTP when absent. */
  https?: ServerOptions;
}

/** Builds the application the same way for the server, the tests and the benchmarks. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    // Audit events carry user-chosen keys ("__proto__" is a valid ConfigMap key): rejecting them
    // would drop the whole batch after the apiserver's retries. JSON.parse makes them plain keys.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // A path parameter may be a username (/users/:username): a service account's name is up to
    // 22 + 63 + 1 + 253 characters, percent-encoded up to 12 per character; find-my-way's
    // default of 100 answered 414 (found by fuzzing).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    // The apiserver gives up after 30 s; a batch still uploading after that is lost anyway.
    requestTimeout: 60_000,
    // Behind a TLS-terminating proxy: X-Forwarded-Proto/-For give the browser's scheme (Secure
    // cookies) and address (login throttling). Only when TRUST_PROXY says a proxy sets them,
    // and only its own hop: the address it appended, not ones the client wrote before it.
    trustProxy: config.auth.trustProxy ? 1 : false,
    ...(options.https ? { https: options.https } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger ?? false,
    bufferLogs: false,
  });
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      errorHttpStatusCode: 400,
    }),
  );
  // Before the OpenAPI routes: its login check must cover them.
  await registerAuthHttp(app, config);
  await registerConsoleHttp(app);
  setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
