import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { connect } from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a ChildService waits for its process to be ready. */
export interface ReadyWait {
  /** Whether the service answers (polled until it does, the process exits or time runs out). */
  ready: () => Promise<boolean>;
  withinMs: number;
  everyMs: number;
  /** The error's text when the process exits first, e.g. `azurite exited during startup`. */
  exited: string;
  /** The error's text when time runs out, e.g. `azurite did not listen within 30000 ms`. */
  timedOut: string;
  /** Run before the timeout error is thrown (stop or kill the process). */
  onTimeout: () => Promise<void>;
}

/** The last `max` characters a process (or its successive lives) wrote. */
export class OutputTail {
  private kept = '';

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    this.kept = (this.kept + chunk.toString('utf8')).slice(-this.max);
  }

  get text(): string {
    return this.kept;
  }
}

/**
 * A test's service in a child process: spawned with its output piped into `output` (kept for
 * failure messages; the owner may pass one tail to each of its restarts). With `detached` the process leads a group of its own
 * and signals go to the whole group (a launcher's children too).
 */
export class ChildService {
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  private exit?: string;
  private readonly group: boolean;

  constructor(
    command: string,
    args: readonly string[],
    options: SpawnOptions,
    private readonly output: OutputTail,
  ) {
    this.group = options.detached === true;
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => this.output.add(chunk);
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = `code ${code}, signal ${signal}`;
        resolve();
      }),
    );
  }

  /** Whether the process still runs (it has neither exited nor been killed by a signal). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls until the service is ready; throws (with the output's tail) if it exits or is late. */
  async waitReady(wait: ReadyWait): Promise<void> {
    const until = Date.now() + wait.withinMs;
    while (Date.now() < until) {
      if (this.exit) throw new Error(`${wait.exited} (${this.exit}):\n${this.output.text}`);
      if (await wait.ready()) return;
      await sleep(wait.everyMs);
    }
    await wait.onTimeout();
    throw new Error(`${wait.timedOut}:\n${this.output.text}`);
  }

  /** Sends `signal` to the process (or its group; a group already gone is no error). */
  signal(signal: NodeJS.Signals): void {
    if (!this.group) {
      this.child.kill(signal);
      return;
    }
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** `kill -9`, then waits for the exit. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /**
   * SIGTERM, SIGKILL when the exit takes longer than `graceMs`. A group is sent SIGKILL after
   * the exit as well: its leader may exit before its children.
   */
  async stop(graceMs: number): Promise<void> {
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    this.signal('SIGTERM');
    await this.exited;
    clearTimeout(timer);
    if (this.group) this.signal('SIGKILL');
  }
}

/** Whether something accepts TCP connections on the loopback `port`. */
export function portListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
