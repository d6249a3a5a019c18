import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoginClient } from '../support/login-client';
import { freePort } from '../support/oidc-provider';
import { compiledServerMain, removeCompiledServer } from '../support/server-child';
import { startTestApp } from '../support/test-app';

interface Run {
  code: number | null;
  output: string;
}

/**
 * `src/main.ts` as an operator starts it (transpiled once, as ts-node would: no build needed), until it
 * exits or logs that it listens; then it is stopped.
 */
async function startServer(env: Record<string, string>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'auth-start-'));
  const child = spawn(process.execPath, [compiledServerMain()], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      DB_PATH: join(dir, 'audit.db'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('listening on')) child.kill('SIGTERM');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  return { code, output };
}

afterAll(() => removeCompiledServer());

describe('starting the server', () => {
  it('refuses production without a login, naming the variables to set', async () => {
    const run = await startServer({ ENVIRONMENT: 'production', WEBHOOK_TOKEN: 'webhook-token' });
    expect(run.code).toBe(2);
    expect(run.output).toContain(
      'CONSOLE_AUTH: production needs a login for the console and /api: set OIDC_ISSUER_URL, ' +
        'OIDC_CLIENT_ID and OIDC_REDIRECT_URL (single sign-on), CONSOLE_USERS (hashes from ' +
        '`npm run hash-password`) or API_TOKENS',
    );
    expect(run.output).not.toContain('listening on');
  });

  it('warns at every start with CONSOLE_AUTH=none, and when it generated SESSION_SECRET', async () => {
    const proxied = await startServer({
      ENVIRONMENT: 'production',
      WEBHOOK_TOKEN: 'webhook-token',
      CONSOLE_AUTH: 'none',
    });
    expect(proxied.output).toContain('listening on');
    expect(proxied.output).toMatch(/"level":40[^\n]*CONSOLE_AUTH=none: the console and \/api/);

    const generated = await startServer({ API_TOKENS: 'ci:0123456789abcdef', CONSOLE_USERS: '' });
    expect(generated.output).not.toContain('SESSION_SECRET is not set');
    const withUsers = await startServer({
      CONSOLE_USERS: 'alice:scrypt$16384$8$1$c2FsdA==$a2V5',
    });
    expect(withUsers.output).toMatch(/"level":40[^\n]*SESSION_SECRET is not set: a random one/);
  });
});

describe('console without a login of its own', () => {
  it('development without a login: every page says anyone can read every event', async () => {
    const app = await startTestApp('sqlite');
    try {
      const client = new LoginClient(app.url);
      const page = await client.request('/overview');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('id="open-access-banner"');
      expect(html).toContain('anyone who can reach this port can read every event');
      expect(html).toContain('CONSOLE_USERS');
      expect(html).not.toContain('id="logout"');
      // There is nothing to log in to.
      const login = await client.request('/login');
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/');
    } finally {
      await app.close();
    }
  });

  it('API tokens only: console pages answer 401 saying no console login is set up', async () => {
    const app = await startTestApp('sqlite', { API_TOKENS: 'ci:0123456789abcdef' });
    try {
      const client = new LoginClient(app.url);
      const page = await client.request('/');
      expect(page.status).toBe(401);
      const html = await page.text();
      expect(html).toContain('No console login is set up on this server');
      expect(html).not.toContain('id="open-access-banner"');
      const login = await client.request('/login');
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('id="no-console-login"');
      const post = await client.request('/login', { form: { username: 'a', password: 'b' } });
      expect(post.status).toBe(404);
      const api = await client.request('/api/v1/events', {
        headers: { authorization: 'Bearer 0123456789abcdef' },
      });
      expect(api.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
