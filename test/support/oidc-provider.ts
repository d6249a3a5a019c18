import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freeLoopbackPort } from './server-child';

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/** A free TCP port on this machine (the provider's issuer URL must be known before it starts). */
export const freePort = freeLoopbackPort;

/**
 * Starts the real `oidc-provider` (test/support/oidc-provider.mjs) on http://localhost:<port>
 * with one confidential client allowed to redirect to `redirectUri`, and these accounts (id ->
 * claims, e.g. `{ alice: { email: 'alice@example.com', groups: ['sre'] } }`).
 */
export async function startOidcProvider(
  redirectUri: string,
  accounts: Record<string, Record<string, unknown>>,
): Promise<OidcTestProvider> {
  const port = await freeLoopbackPort('localhost');
  const clientId = 'k8s-audit-console';
  const clientSecret = 'a-client-secret-for-the-login-tests';
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: String(port),
      CLIENT_ID: clientId,
      CLIENT_SECRET: clientSecret,
      REDIRECT_URI: redirectUri,
      OIDC_TEST_ACCOUNTS: JSON.stringify(accounts),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`oidc-provider did not start:\n${output}`)),
      20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider exited with ${code}:\n${output}`));
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
