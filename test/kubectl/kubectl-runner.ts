import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, RecordedRequest } from './fake-apiserver';

/**
 * Runs a kubectl command line for real: through `bash -c` (so the quoting of a reconstructed
 * command is exercised), with a throw-away kubeconfig (bearer token) pointing at a fake
 * apiserver, a private HOME (so no discovery cache is shared), and `kubectl` on PATH resolving to
 * the chosen binary. Returns what the fake apiserver recorded during the run.
 */

export type KubectlVersion = '1.31' | '1.32';

export const BEARER_TOKEN = 'fake-bearer-token-for-tests';

/** Where the Google Cloud SDK keeps kubectl.1.NN (KUBECTL_SDK_BIN overrides, e.g. to test the skip). */
const SDK_BIN = process.env.KUBECTL_SDK_BIN ?? '/usr/lib/google-cloud-sdk/bin';

/**
 * `/usr/bin/kubectl` on these machines is Google's dispatcher: it asks the server for /version
 * and then runs the `kubectl.1.NN` beside it that matches, so against the fake (v1.31) it would
 * run 1.31 whatever was asked for. The versioned binaries are used directly; a `kubectl` on
 * PATH is accepted only if it is a real client of the wanted minor version.
 * KUBECTL_1_31 / KUBECTL_1_32 override the location.
 */
export function locateKubectl(version: KubectlVersion): string | undefined {
  const candidates = [
    process.env[`KUBECTL_${version.replace('.', '_')}`],
    `${SDK_BIN}/kubectl.${version}`,
    ...(process.env.PATH ?? '').split(':').map((dir) => (dir ? `${dir}/kubectl` : undefined)),
  ];
  return candidates.find((c): c is string => !!c && existsSync(c) && clientVersion(c) === version);
}

const versions = new Map<string, string | undefined>();

/** `1.NN` of a kubectl client, or undefined for dispatchers and anything that is not kubectl. */
function clientVersion(binary: string): string | undefined {
  if (!versions.has(binary)) {
    let found: string | undefined;
    try {
      const out = execFileSync(binary, ['version', '--client', '-o', 'json'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const git = String(JSON.parse(out)?.clientVersion?.gitVersion ?? '');
      const m = /^v1\.(\d+)\.\d+$/.exec(git);
      found = m ? `1.${m[1]}` : undefined;
    } catch {
      found = undefined;
    }
    versions.set(binary, found);
  }
  return versions.get(binary);
}

export interface RunOptions {
  binary: string;
  /** Run under `script -qec` so stdin is a terminal and `-t` reaches the request. */
  tty?: boolean;
  timeoutMs?: number;
  /** Working directory; defaults to an empty temporary directory. */
  cwd?: string;
  /** The kubeconfig context's namespace (default `default`). */
  namespace?: string;
  /** Extra environment; KUBE_EDITOR defaults to `true` so `kubectl edit` never waits for a person. */
  env?: Record<string, string>;
}

export interface KubectlRun {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  requests: RecordedRequest[];
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** At most this many kubectl processes at once across a test file (2 cores here). */
const slots = new Semaphore(Number(process.env.KUBECTL_CONCURRENCY ?? 3));

export function kubeconfig(server: FakeApiServer, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${server.url}`,
    'users:',
    '- name: tester',
    '  user:',
    `    token: ${BEARER_TOKEN}`,
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: tester',
    `    namespace: ${namespace}`,
    'current-context: fake',
    '',
  ].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function runKubectl(
  server: FakeApiServer,
  command: string,
  options: RunOptions,
): Promise<KubectlRun> {
  return slots.run(() => runNow(server, command, options));
}

async function runNow(
  server: FakeApiServer,
  command: string,
  options: RunOptions,
): Promise<KubectlRun> {
  const home = await mkdtemp(join(tmpdir(), 'kubectl-run-'));
  try {
    const bin = join(home, 'bin');
    const work = join(home, 'work');
    await mkdir(bin);
    await mkdir(work);
    await symlink(options.binary, join(bin, 'kubectl'));
    await writeFile(join(home, 'kubeconfig'), kubeconfig(server, options.namespace));
    const env = {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      KUBECONFIG: join(home, 'kubeconfig'),
      LANG: 'C.UTF-8',
      TERM: 'xterm',
      KUBE_EDITOR: 'true',
      ...options.env,
    };
    const argv = options.tty
      ? ['script', '-qec', `bash -c ${shellQuote(command)}`, '/dev/null']
      : ['bash', '-c', command];
    const first = server.requests.length;
    const started = Date.now();
    const result = await spawnWithTimeout(
      argv,
      options.cwd ?? work,
      env,
      options.timeoutMs ?? 20_000,
    );
    return {
      command,
      ...result,
      durationMs: Date.now() - started,
      requests: server.requests.slice(first),
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function spawnWithTimeout(argv: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{
    exitCode: number | null;
    timedOut: boolean;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end();
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: bash, script and kubectl were all started by this call.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, timedOut, stdout, stderr });
    });
  });
}
