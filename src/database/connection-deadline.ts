import type { DataSource, QueryRunner } from 'typeorm';

/** The work did not finish in time; its connection was closed. */
export class ConnectionDeadlineError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer from the database within ${deadlineMs} ms`);
    this.name = 'ConnectionDeadlineError';
  }
}

/** A mysql2 connection's socket; better-sqlite3's handle has none (and cannot hang: it is synchronous). */
interface SocketConnection {
  stream?: { destroy(): void };
}

/**
 * Runs `work` on a pooled connection of its own and gives up after `deadlineMs`. mysql2 has no
 * deadline for a query: when the database host drops packets (a partition, a dead host whose
 * TCP connections were never reset) a query waits forever, keeping its caller waiting and its
 * connection out of the pool, until every caller queues behind the pool. At the deadline the
 * connection's socket is destroyed, which fails its pending query (PROTOCOL_CONNECTION_LOST)
 * and takes it out of the pool; the promise rejects with ConnectionDeadlineError. Work still
 * waiting for a connection at the deadline never starts.
 */
export async function withConnectionDeadline<T>(
  dataSource: DataSource,
  deadlineMs: number,
  work: (runner: QueryRunner, connection: unknown) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      const connection = (runner as unknown as { databaseConnection?: SocketConnection })
        .databaseConnection;
      connection?.stream?.destroy();
      reject(new ConnectionDeadlineError(deadlineMs));
    }, deadlineMs);
  });
  const run = async (): Promise<T> => {
    try {
      const connection: unknown = await runner.connect();
      if (expired) throw new ConnectionDeadlineError(deadlineMs);
      return await work(runner, connection);
    } finally {
      await runner.release().catch(() => undefined);
    }
  };
  try {
    return await Promise.race([run(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
