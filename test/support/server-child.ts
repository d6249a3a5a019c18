import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const OUTPUT_TAIL_CHARS = 20_000;

/** A loopback port nobody listens on right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real server (`src/main.ts` through ts-node, as `npm run start:dev` would run it) in a
 * process of its own, on a fixed port so that a restart answers at the same URL: the test can
 * kill it like the kernel's OOM killer or a node failure would.
 */
export class ServerChild {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private output = '';
  readonly url: string;

  constructor(
    private readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and waits until /readyz answers 200 (its database is open). */
  async start(withinMs = 90_000): Promise<void> {
    const child = spawn(
      process.execPath,
      [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/main.ts'],
      {
        cwd: ROOT,
        // Only what the test sets (and PATH): a developer's own DB_* variables must not leak in.
        env: {
          PATH: process.env.PATH ?? '',
          TS_NODE_PROJECT: 'tsconfig.json',
          ENVIRONMENT: 'development',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(this.port),
          LOG_LEVEL: 'warn',
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exit: string | undefined;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        exit = `code ${code}, signal ${signal}`;
        resolve();
      }),
    );
    const until = Date.now() + withinMs;
    while (Date.now() < until) {
      if (exit) throw new Error(`the server exited during startup (${exit}):\n${this.output}`);
      const status = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.kill();
    throw new Error(`the server was not ready within ${withinMs} ms:\n${this.output}`);
  }

  /** `kill -9`: no shutdown hook runs, in-flight batches get no answer. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** SIGTERM, the graceful stop; SIGKILL when it takes longer than 15 s. */
  async stop(): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** What the server wrote (LOG_LEVEL=warn: warnings and errors), for failure messages. */
  log(): string {
    return this.output;
  }
}
