import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { parseEnvironment } from '../../src/config/environment';
import { MARIADB } from './mariadb';

export interface BenchServerOptions {
  database: string;
  poolSize: number;
}

export interface RunningServer {
  app: NestFastifyApplication;
  port: number;
}

/**
 * The service's own switches a benchmark may set from its environment (`DETECTIONS=false npm run
 * bench:ingest`); everything else is the defaults, so a developer's `.env` cannot skew a figure.
 */
const PASSED_THROUGH = ['DETECTIONS', 'RULES_DEFAULT', 'RULES_FILES', 'REDACT'] as const;

/** The real application (createApp) on MariaDB, on a random loopback port. */
export async function startBenchServer(options: BenchServerOptions): Promise<RunningServer> {
  const given: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) given[name] = value;
  }
  const config = {
    ...parseEnvironment({ ...given, HTTP_PORT: '1', LOG_LEVEL: 'silent' }),
    database: {
      type: 'mysql' as const,
      ...MARIADB,
      name: options.database,
      poolSize: options.poolSize,
    },
  };
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, port };
}
