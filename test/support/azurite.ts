import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildService, OutputTail, portListening } from './child-service';
import { freeLoopbackPort } from './server-child';

const ROOT = join(__dirname, '..', '..');
const BINARY = join(ROOT, 'node_modules', '.bin', 'azurite-blob');
const OUTPUT_TAIL_CHARS = 10_000;

/** Azurite's documented development account (public: it is printed in Microsoft's docs). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Whether the Azurite suites run, decided synchronously so `describe` can use it. In CI
 * (CI=true) or with REQUIRE_AZURITE=1 a missing emulator fails the run; elsewhere the suites
 * are skipped with a loud warning (as the MariaDB suites are).
 */
export function azuriteAvailable(): boolean {
  if (existsSync(BINARY)) return true;
  const message = `Azurite is not installed (${BINARY} is missing; it is a devDependency)`;
  if (process.env.CI === 'true' || process.env.REQUIRE_AZURITE === '1') {
    throw new Error(`${message}; CI requires the Azurite suites`);
  }
  console.warn(`\n!!!!! ${message}: SKIPPING the Azurite (AKS source) suites !!!!!\n`);
  return false;
}

/**
 * Azurite's blob service (the official Azure Storage emulator, the same HTTP API and SDK
 * client as a real storage account) in a child process on a free loopback port, its data in a
 * temporary directory removed on stop.
 */
export class Azurite {
  private child?: ChildService;
  private readonly output = new OutputTail(OUTPUT_TAIL_CHARS);
  private location?: string;
  private port = 0;

  /** The account's blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  get accountUrl(): string {
    return `http://127.0.0.1:${this.port}/${DEV_ACCOUNT}`;
  }

  /** The well-known development connection string, pointed at this instance. */
  get connectionString(): string {
    return (
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};` +
      `BlobEndpoint=${this.accountUrl};`
    );
  }

  async start(withinMs = 30_000): Promise<void> {
    this.port = await freeLoopbackPort();
    this.location = mkdtempSync(join(tmpdir(), 'azurite-'));
    const child = new ChildService(
      BINARY,
      [
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(this.port),
        '--location',
        this.location,
        '--silent',
        '--skipApiVersionCheck',
        '--disableTelemetry',
        '--loose',
      ],
      { cwd: ROOT },
      this.output,
    );
    this.child = child;
    await child.waitReady({
      ready: () => portListening(this.port),
      withinMs,
      everyMs: 100,
      exited: 'azurite exited during startup',
      timedOut: `azurite did not listen within ${withinMs} ms`,
      onTimeout: () => this.stop(),
    });
  }

  async stop(): Promise<void> {
    if (this.child) {
      await this.child.stop(5_000);
      this.child = undefined;
    }
    if (this.location) rmSync(this.location, { recursive: true, force: true });
    this.location = undefined;
  }

  log(): string {
    return this.output.text;
  }
}
