import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { ChildService, OutputTail } from './child-service';

const ROOT = join(__dirname, '..', '..');
const OUTPUT_TAIL_CHARS = 20_000;

let compiledMain: string | undefined;
let compiledOut: string | undefined;

/**
 * `src/` transpiled file by file, exactly as `ts-node --transpile-only` does it (the project's
 * compiler options, no type check), once per test process: each start of the server is then a
 * plain `node main.js` (a few seconds) instead of transpiling 200 files again (10 to 30 s on a
 * busy machine). Written under node_modules/.cache so that packages and the project root
 * (package.json, views/, public/) resolve as they do from src/.
 */
export function compiledServerMain(): string {
  if (compiledMain) return compiledMain;
  const out = join(
    ROOT,
    'node_modules',
    '.cache',
    `faults-server-${randomBytes(4).toString('hex')}`,
  );
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const options = { ...config.options, sourceMap: false, incremental: false };
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? walk(path) : [path];
    });
  for (const file of walk(join(ROOT, 'src'))) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: options,
      fileName: file,
    });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  compiledOut = out;
  compiledMain = join(out, 'src', 'main.js');
  return compiledMain;
}

/** Removes the transpiled server (call in afterAll of a suite that started a ServerChild). */
export function removeCompiledServer(): void {
  if (compiledOut) rmSync(compiledOut, { recursive: true, force: true });
  compiledOut = undefined;
  compiledMain = undefined;
}

/** A loopback port nobody listens on right now. */
export function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real server (`src/main.ts`, transpiled as ts-node does) in a process of its own, on a
 * fixed port so that a restart answers at the same URL: the test can kill it like the kernel's
 * OOM killer or a node failure would.
 */
export class ServerChild {
  private child?: ChildService;
  private readonly output = new OutputTail(OUTPUT_TAIL_CHARS);
  readonly url: string;

  constructor(
    private readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and waits until /readyz answers 200 (its database is open). */
  async start(withinMs = 90_000): Promise<void> {
    const child = new ChildService(
      process.execPath,
      [compiledServerMain()],
      {
        cwd: ROOT,
        // Only what the test sets (and PATH): a developer's own DB_* variables must not leak in.
        env: {
          PATH: process.env.PATH ?? '',
          ENVIRONMENT: 'development',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(this.port),
          LOG_LEVEL: 'warn',
          ...this.env,
        },
      },
      this.output,
    );
    this.child = child;
    await child.waitReady({
      ready: async () =>
        (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
          (res) => res.status,
          () => 0,
        )) === 200,
      withinMs,
      everyMs: 200,
      exited: 'the server exited during startup',
      timedOut: `the server was not ready within ${withinMs} ms`,
      onTimeout: () => this.kill(),
    });
  }

  /** `kill -9`: no shutdown hook runs, in-flight batches get no answer. */
  async kill(): Promise<void> {
    if (!this.child) return;
    await this.child.kill();
    this.child = undefined;
  }

  /** SIGTERM, the graceful stop; SIGKILL when it takes longer than 15 s. */
  async stop(): Promise<void> {
    if (!this.child) return;
    await this.child.stop(15_000);
    this.child = undefined;
  }

  /** What the server wrote (LOG_LEVEL=warn: warnings and errors), for failure messages. */
  log(): string {
    return this.output.text;
  }
}
