import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { BenchServerOptions } from './server';

export interface ServerUsage {
  maxRssBytes: number;
  cpuMs: number;
}

export interface ServerHandle {
  port: number;
  pid: number;
  /** Marks the start of the measured window (and of the CPU profile, if one was asked for). */
  startMeasuring(): void;
  /** Closes the server; returns its peak RSS and CPU time (whole process in in-process mode). */
  stop(): Promise<ServerUsage>;
}

function once<T>(
  child: ChildProcess,
  test: (m: unknown) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench server: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => {
      const value = test(message);
      if (value === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(value);
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited with code ${code}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** The server in its own Node process (bench/server-child), as in production. */
export async function startChildServer(
  options: BenchServerOptions,
  cpuProfile?: string,
): Promise<ServerHandle> {
  const typescript = __filename.endsWith('.ts');
  const script = join(__dirname, '..', typescript ? 'server-child.ts' : 'server-child.js');
  const execArgv = typescript ? ['-r', 'ts-node/register/transpile-only'] : [];
  const child = fork(script, [], {
    execArgv,
    env: {
      ...process.env,
      BENCH_SERVER_OPTIONS: JSON.stringify(options),
      ...(cpuProfile ? { BENCH_CPU_PROFILE: cpuProfile } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await once(child, (m) => (m as { port?: number }).port, 90_000);
    return {
      port,
      pid: child.pid ?? 0,
      startMeasuring: () => child.send('measure-start'),
      stop: async () => {
        const stopped = once(
          child,
          (m) => ((m as { stopped?: boolean }).stopped ? m : undefined),
          30_000,
        );
        child.send('stop');
        const result = (await stopped) as ServerUsage;
        await new Promise<void>((resolve) =>
          child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
        );
        return result;
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}

/** The server in this process (client and server share one event loop). */
export async function startInProcessServer(options: BenchServerOptions): Promise<ServerHandle> {
  const { startBenchServer } = await import('./server');
  const { app, port } = await startBenchServer(options);
  const cpuBefore = process.cpuUsage();
  return {
    port,
    pid: process.pid,
    startMeasuring: () => undefined,
    stop: async () => {
      await app.close();
      const cpu = process.cpuUsage(cpuBefore);
      return {
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
    },
  };
}
