import type { DataSource, QueryRunner } from 'typeorm';
import { ConnectionDeadlineError, withConnectionDeadline } from './connection-deadline';

/** A query runner whose connection arrives when the test says so, with a socket to destroy. */
function fakePool() {
  const socket = { destroyed: false, destroy: () => (socket.destroyed = true) };
  let giveConnection: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (giveConnection = resolve));
  const runner = {
    databaseConnection: undefined as unknown,
    released: false,
    async connect() {
      await connected;
      runner.databaseConnection = { stream: socket };
      return runner.databaseConnection;
    },
    async release() {
      runner.released = true;
    },
  };
  const dataSource = { createQueryRunner: () => runner } as unknown as DataSource;
  return { dataSource, runner, socket, giveConnection };
}

describe('withConnectionDeadline', () => {
  it('returns what the work returns and releases the connection', async () => {
    const pool = fakePool();
    pool.giveConnection();
    await expect(withConnectionDeadline(pool.dataSource, 1000, async () => 42)).resolves.toBe(42);
    expect(pool.runner.released).toBe(true);
    expect(pool.socket.destroyed).toBe(false);
  });

  it('rejects at the deadline and destroys the socket of work that never answers', async () => {
    const pool = fakePool();
    pool.giveConnection();
    const stuck = withConnectionDeadline(pool.dataSource, 50, () => new Promise<never>(() => {}));
    await expect(stuck).rejects.toThrow('no answer from the database within 50 ms');
    expect(pool.socket.destroyed).toBe(true);
  });

  it('never starts work whose connection came after the deadline, and releases it', async () => {
    const pool = fakePool();
    let started = false;
    const late = withConnectionDeadline(pool.dataSource, 20, async (_runner: QueryRunner) => {
      started = true;
    });
    await expect(late).rejects.toBeInstanceOf(ConnectionDeadlineError);
    pool.giveConnection();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toBe(false);
    expect(pool.runner.released).toBe(true);
  });
});
