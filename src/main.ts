import { createApp } from './app';
import { ConfigError, loadConfig } from './config/environment';
import { PinoLogger } from './logger';
import { asSecureContextTarget, buildHttpsOptions, CertificateReloader } from './tls';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `k8s-audit-webhook: ${error.message}\nSee .env.example for every variable.\n`,
      );
      process.exit(2);
    }
    throw error;
  }
  const logger = new PinoLogger(config.logLevel);
  const https = config.tls ? buildHttpsOptions(config.tls) : undefined;
  const app = await createApp(config, { logger, https });
  await app.listen({ port: config.httpPort, host: config.httpHost });
  if (config.tls) {
    // cert-manager rotates the mounted files; pick them up without a restart.
    new CertificateReloader(asSecureContextTarget(app.getHttpServer()), config.tls, {
      logger: { log: (m) => logger.log(m, 'Tls'), warn: (m) => logger.warn(m, 'Tls') },
    }).start();
  }
  if (config.allowUnauthenticated) {
    logger.warn(
      'the webhook accepts unauthenticated batches: set WEBHOOK_TOKEN or WEBHOOK_TOKENS',
      'Bootstrap',
    );
  }
  if (config.auth.mode === 'proxy') {
    logger.warn(
      'CONSOLE_AUTH=none: the console and /api/** have no login of their own; only a proxy in front that authenticates every request may reach this port',
      'Bootstrap',
    );
  }
  if (config.auth.mode === 'open') {
    logger.warn(
      'no login configured (development): anyone who can reach this port can read every event; set CONSOLE_USERS, OIDC_* or API_TOKENS',
      'Bootstrap',
    );
  }
  const sessions = config.auth.users.length > 0 || config.auth.oidc !== undefined;
  if (config.auth.sessionSecretGenerated && sessions) {
    logger.warn(
      'SESSION_SECRET is not set: a random one was generated, so sessions end when this process restarts and are not valid on other replicas',
      'Bootstrap',
    );
  }
  logger.log(
    `listening on ${config.tls ? 'https' : 'http'}://${config.httpHost}:${config.httpPort}`,
    'Bootstrap',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `k8s-audit-webhook failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
