import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app';
import { parseEnvironment } from '../../src/config/environment';
import { SQL_DIALECT, SqlDialect } from '../../src/database/sql-dialect';
import { IngestService } from '../../src/ingest/ingest.service';
import type { EventWriter } from '../../src/ingest/event-writer.repository';
import { CoalescingEventWriter } from '../prototypes/coalescing-writer';
import type { StatementMode } from '../prototypes/sql-batch';
import { StatementEventWriter } from '../prototypes/statement-writer';
import { MARIADB } from './mariadb';

/** naive: src's SqlEventWriter untouched; otherwise [coalesce-]insert|execute|load-data. */
export const WRITERS = [
  'naive',
  'insert',
  'execute',
  'load-data',
  'coalesce-insert',
  'coalesce-execute',
  'coalesce-load-data',
] as const;
export type WriterKind = (typeof WRITERS)[number];

export interface BenchServerOptions {
  database: string;
  poolSize: number;
  writer: WriterKind;
  /** Most rows one coalesced transaction takes. */
  coalesceRows: number;
  /** Coalesced transactions in flight at once. */
  coalesceConcurrency: number;
}

export interface RunningServer {
  app: NestFastifyApplication;
  port: number;
  /** Requests per committed transaction, for a coalescing writer. */
  groupSizes?: number[];
}

/**
 * The real application (createApp) on MariaDB, on a random loopback port. A writer other than
 * `naive` swaps the ingest service's EventWriter for a bench/prototypes one; everything before
 * the writer (HTTP, JSON parse, normalize, hash, row build) stays the production code.
 */
export async function startBenchServer(options: BenchServerOptions): Promise<RunningServer> {
  const config = {
    ...parseEnvironment({ HTTP_PORT: '1', LOG_LEVEL: 'silent' }),
    database: {
      type: 'mysql' as const,
      ...MARIADB,
      name: options.database,
      poolSize: options.poolSize,
    },
  };
  const app = await createApp(config);
  let groupSizes: number[] | undefined;
  if (options.writer !== 'naive') {
    const dataSource = app.get(DataSource);
    const dialect = app.get<symbol, SqlDialect>(SQL_DIALECT);
    const mode = options.writer.replace('coalesce-', '') as StatementMode;
    const writer: EventWriter = options.writer.startsWith('coalesce-')
      ? new CoalescingEventWriter(dataSource, dialect, {
          maxRows: options.coalesceRows,
          concurrency: options.coalesceConcurrency,
          mode,
        })
      : new StatementEventWriter(dataSource, dialect, mode);
    (app.get(IngestService) as unknown as { writer: EventWriter }).writer = writer;
    groupSizes = writer instanceof CoalescingEventWriter ? writer.groupSizes : undefined;
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, port, groupSizes };
}
