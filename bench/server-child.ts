/**
 * The benchmark's server process: the real application on MariaDB, in its own process so the
 * load generator does not share its event loop. Talks to the parent over IPC only: receives
 * its options in BENCH_SERVER_OPTIONS and sends {port}; 'measure-start' marks the measured window and starts a CPU profile
 * (written to BENCH_CPU_PROFILE at stop, so start-up is left out); 'stop' closes the app and
 * sends the peak RSS before exiting.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { startBenchServer, BenchServerOptions } from './lib/server';

function post(session: Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as BenchServerOptions;
  const profilePath = process.env.BENCH_CPU_PROFILE;
  const { app, port } = await startBenchServer(options);
  let session: Session | undefined;
  process.on('message', (message) => {
    if (message === 'measure-start' && profilePath && !session) {
      session = new Session();
      session.connect();
      void post(session, 'Profiler.enable').then(() => post(session!, 'Profiler.start'));
      return;
    }
    if (message !== 'stop') return;
    void (async () => {
      if (session && profilePath) {
        const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown };
        writeFileSync(profilePath, JSON.stringify(profile));
        session.disconnect();
      }
      await app.close();
      const maxRssBytes = process.resourceUsage().maxRSS * 1024;
      const cpu = process.cpuUsage();
      process.send?.({ stopped: true, maxRssBytes, cpuMs: (cpu.user + cpu.system) / 1000 }, () =>
        process.exit(0),
      );
    })();
  });
  process.send?.({ port });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed: ${String(error)}\n`);
  process.exit(1);
});
