import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { DataSource } from 'typeorm';
import { buildHttpsOptions } from '../../src/tls';
import { hashPassword } from '../../src/auth/password';
import { LoginClient, parseSetCookie } from '../support/login-client';
import { TestPki } from '../support/pki';
import {
  backends,
  freshDatabase,
  startTestApp,
  startTestAppOn,
  TestApp,
} from '../support/test-app';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const API_TOKEN = 'ci-token-0123456789abcdef';

async function accessLog(app: TestApp, name: string): Promise<string[]> {
  const rows = (await app.app
    .get(DataSource)
    .query(
      "SELECT action, target FROM access_log WHERE username = ? AND action IN ('login', 'logout', 'login-failed') ORDER BY at_ms, id",
      [name],
    )) as { action: string; target: string }[];
  return rows.map((row) => `${row.action} ${row.target}`);
}

async function sessionCount(app: TestApp): Promise<number> {
  const [row] = (await app.app
    .get(DataSource)
    .query('SELECT COUNT(*) AS n FROM console_sessions')) as { n: number | string }[];
  return Number(row.n);
}

describe.each(backends())('console login with CONSOLE_USERS (%s)', (backend) => {
  let app: TestApp;

  beforeAll(async () => {
    const hash = await hashPassword('correct horse battery staple');
    app = await startTestApp(backend, {
      CONSOLE_USERS: `alice:${hash}:sre|dev,bob:${hash}`,
      API_TOKENS: `ci:${API_TOKEN}:sre`,
      SESSION_SECRET: SECRET,
      SESSION_TTL_HOURS: '2',
      METRICS_TOKEN: 'metrics-token-0123456789',
    });
  });
  afterAll(() => app?.close());

  it('sends a browser without a session to the login page, and htmx requests via HX-Redirect', async () => {
    const client = new LoginClient(app.url);
    const page = await client.request('/overview?cluster=prod');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Foverview%3Fcluster%3Dprod');

    const swap = await client.request('/events/rows?cursor=x', {
      headers: { 'hx-request': 'true', 'hx-current-url': `${app.url}/?verb=delete` },
    });
    expect(swap.status).toBe(401);
    expect(swap.headers.get('hx-redirect')).toBe('/login?next=%2F%3Fverb%3Ddelete');
    const elsewhere = await client.request('/events/rows', {
      headers: { 'hx-request': 'true', 'hx-current-url': 'https://evil.example//evil.example/' },
    });
    expect(elsewhere.headers.get('hx-redirect')).toBe('/login');
    const bare = await client.request('/events/rows', { headers: { 'hx-request': 'true' } });
    expect(bare.headers.get('hx-redirect')).toBe('/login?next=%2Fevents%2Frows');

    const api = await client.request('/api/v1/events');
    expect(api.status).toBe(401);
    expect(((await api.json()) as { message: string }).message).toMatch(/Bearer <API token>/);
  });

  it('shows a login page with every value escaped', async () => {
    const client = new LoginClient(app.url);
    const hostile = '/"><script>alert(1)</script>';
    const { html } = await client.hiddenField(`/login?next=${encodeURIComponent(hostile)}`, 'csrf');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('name="next" value="/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"');
    expect(client.cookies.has('audit_csrf')).toBe(true);

    const name = '<img src=x onerror=alert(1)>"\'&';
    const failed = await client.logIn(name, 'wrong');
    expect(failed.status).toBe(401);
    const page = await failed.text();
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('value="&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&quot;&#x27;&amp;"');
  });

  it('refuses a login without or with a wrong anti-forgery token (403)', async () => {
    const client = new LoginClient(app.url);
    const form = { username: 'alice', password: 'correct horse battery staple', next: '/' };
    expect((await client.request('/login', { form })).status).toBe(403);
    await client.hiddenField('/login', 'csrf');
    const refused = await client.request('/login', { form: { ...form, csrf: 'guessed' } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('expired or came from another site');
    // The right field with a forged (unsigned) cookie.
    const { value } = await client.hiddenField('/login', 'csrf');
    const forged = await client.request('/login', {
      form: { ...form, csrf: value },
      headers: { cookie: `audit_csrf=${value}` },
    });
    expect(forged.status).toBe(403);
    expect(client.lastSetCookies.find((c) => c.name === 'audit_session')).toBeUndefined();
  });

  it('answers a wrong password with 401, then 429 with Retry-After after five failures', async () => {
    const client = new LoginClient(app.url);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await client.logIn('bob', `wrong-${attempt}`);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('Wrong user name or password.');
    }
    const limited = await client.logIn('bob', 'correct horse battery staple');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await limited.text()).toContain('Too many failed logins');
    // Only the failures that reached the password check are logged (not the throttled one).
    expect(await accessLog(app, 'bob')).toEqual(Array(5).fill('login-failed /login'));
    // Unknown names are answered the same way, and alice is not locked out by bob's failures.
    expect((await client.logIn('mallory', 'x')).status).toBe(401);
    expect(await accessLog(app, 'mallory')).toEqual(['login-failed /login']);
    expect((await client.logIn('alice', 'correct horse battery staple')).status).toBe(303);
  });

  it('opens a session with a strict cookie that opens console pages and /api', async () => {
    const client = new LoginClient(app.url);
    const response = await client.logIn('alice', 'correct horse battery staple', '/overview');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/overview');
    const cookie = client.lastSetCookies.find((c) => c.name === 'audit_session');
    expect(cookie).toBeDefined();
    expect(cookie!.attributes).toMatchObject({
      httponly: true,
      samesite: 'Lax',
      path: '/',
      'max-age': String(2 * 3600),
    });
    // Plain HTTP, and X-Forwarded-Proto is not trusted without TRUST_PROXY.
    expect(cookie!.attributes.secure).toBeUndefined();
    // The cookie carries a signed random id; the table only its hash.
    const id = cookie!.value.slice(0, cookie!.value.lastIndexOf('.'));
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = (await app.app
      .get(DataSource)
      .query('SELECT id_hash, username FROM console_sessions')) as { id_hash: string }[];
    expect(stored.map((row) => row.id_hash)).not.toContain(id);

    const page = await client.request('/overview');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/id="viewer-name"[^>]*>alice</);
    expect(html).toContain('id="logout"');
    expect(html).not.toContain('id="open-access-banner"');
    // What one identity may see is kept by no cache, nor shown by Back after a logout.
    expect(page.headers.get('cache-control')).toBe('no-store');
    const api = await client.request('/api/v1/events');
    expect(api.status).toBe(200);
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect((await client.request('/api/docs-json')).status).toBe(200);
  });

  it('never sends a logged-in user to another site', async () => {
    for (const next of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const client = new LoginClient(app.url);
      const response = await client.logIn('alice', 'correct horse battery staple', next);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('logs out with the page token only, and the old cookie opens nothing afterwards', async () => {
    const client = new LoginClient(app.url);
    await client.logIn('alice', 'correct horse battery staple');
    const before = await sessionCount(app);
    const { value: token } = await client.hiddenField('/', 'csrf');
    const replayed = client.cookies.get('audit_session')!;

    const forged = await client.request('/logout', { form: { csrf: 'forged' } });
    expect(forged.status).toBe(403);
    expect((await client.request('/')).status).toBe(200);

    const out = await client.request('/logout', { form: { csrf: token } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?loggedOut=1');
    expect(client.cookies.has('audit_session')).toBe(false);
    expect(await sessionCount(app)).toBe(before - 1);

    expect((await accessLog(app, 'alice')).slice(-2)).toEqual(['login /', 'logout /logout']);

    const again = new LoginClient(app.url);
    again.cookies.set('audit_session', replayed);
    expect((await again.request('/')).status).toBe(303);
    expect((await again.request('/api/v1/events')).status).toBe(401);
  });

  it('refuses a tampered cookie and an expired session, and deletes expired sessions', async () => {
    const client = new LoginClient(app.url);
    await client.logIn('alice', 'correct horse battery staple');
    const good = client.cookies.get('audit_session')!;
    const flipped = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`;
    const tampered = new LoginClient(app.url);
    tampered.cookies.set('audit_session', flipped);
    expect((await tampered.request('/api/v1/events')).status).toBe(401);
    const unsigned = new LoginClient(app.url);
    unsigned.cookies.set('audit_session', good.slice(0, good.lastIndexOf('.')));
    expect((await unsigned.request('/api/v1/events')).status).toBe(401);

    const dataSource = app.app.get(DataSource);
    await dataSource.query('UPDATE console_sessions SET expires_at = ?', [Date.now() - 1000]);
    expect((await client.request('/api/v1/events')).status).toBe(401);
    expect((await client.request('/')).status).toBe(303);
    // The next login removes every expired row.
    await new LoginClient(app.url).logIn('alice', 'correct horse battery staple');
    expect(await sessionCount(app)).toBe(1);
  });

  it('takes API tokens on /api only, read-only', async () => {
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const client = new LoginClient(app.url);
    expect((await client.request('/api/v1/events', bearer(API_TOKEN))).status).toBe(200);
    expect((await client.request('/api/docs-json', bearer(API_TOKEN))).status).toBe(200);
    const wrong = await client.request('/api/v1/events', bearer('ci-token-0123456789abcdeX'));
    expect(wrong.status).toBe(401);
    const page = await client.request('/', bearer(API_TOKEN));
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('API tokens are accepted on /api/** only');
    const write = await client.request('/api/v1/events', { method: 'POST', ...bearer(API_TOKEN) });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { message: string }).message).toBe('API tokens are read-only');
  });

  it('protects the OpenAPI page: a browser goes to the login page', async () => {
    const client = new LoginClient(app.url);
    const docs = await client.request('/api/docs', { headers: { accept: 'text/html' } });
    expect(docs.status).toBe(303);
    expect(docs.headers.get('location')).toBe('/login?next=%2Fapi%2Fdocs');
    expect((await client.request('/api/docs-json')).status).toBe(401);
  });

  it('leaves health, readiness and the webhook open, and /metrics to METRICS_TOKEN', async () => {
    const client = new LoginClient(app.url);
    expect((await client.request('/healthz')).status).toBe(200);
    expect((await client.request('/readyz')).status).toBe(200);
    const webhook = await fetch(`${app.url}/webhook/audit/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [] }),
    });
    expect(webhook.status).toBe(200);
    expect((await client.request('/metrics')).status).toBe(401);
    const metrics = await client.request('/metrics', {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('audit_events_accepted_total');
  });
});

describe.each(backends())('sessions shared by two replicas on one database (%s)', (backend) => {
  it('a login on one replica opens the other, and a logout on either ends it on both', async () => {
    const db = freshDatabase(backend);
    const env = {
      CONSOLE_USERS: `alice:${await hashPassword('pw')}`,
      SESSION_SECRET: SECRET,
    };
    const first = await startTestAppOn(db.database, env);
    const second = await startTestAppOn(db.database, env);
    try {
      const onFirst = new LoginClient(first.url);
      expect((await onFirst.logIn('alice', 'pw')).status).toBe(303);
      const onSecond = new LoginClient(second.url);
      onSecond.cookies.set('audit_session', onFirst.cookies.get('audit_session')!);
      const { html, value: token } = await onSecond.hiddenField('/', 'csrf');
      expect(html).toMatch(/id="viewer-name"[^>]*>alice</);

      expect((await onSecond.request('/logout', { form: { csrf: token } })).status).toBe(303);
      expect((await onFirst.request('/')).status).toBe(303);
      expect((await onFirst.request('/api/v1/events')).status).toBe(401);
    } finally {
      await first.close();
      await second.close();
      await db.drop();
    }
  });
});

describe('console login behind a TLS proxy', () => {
  it('marks cookies Secure when the proxy says https, and throttles the address it saw', async () => {
    const hash = await hashPassword('pw');
    const app = await startTestApp('sqlite', {
      CONSOLE_USERS: `alice:${hash}`,
      SESSION_SECRET: SECRET,
      TRUST_PROXY: 'true',
    });
    try {
      const client = new LoginClient(app.url);
      const login = await client.request('/login', { headers: { 'x-forwarded-proto': 'https' } });
      expect(login.status).toBe(200);
      expect(client.lastSetCookies.find((c) => c.name === 'audit_csrf')?.attributes.secure).toBe(
        true,
      );
      const plain = await client.request('/login', { headers: { 'x-forwarded-proto': 'http' } });
      expect(plain.status).toBe(200);
      expect(client.lastSetCookies.find((c) => c.name === 'audit_csrf')?.attributes.secure).toBe(
        undefined,
      );

      // The address counted is the one the nearest proxy appended, whatever the client wrote
      // before it: 20 failures under 20 names and 20 made-up addresses still block the 21st.
      for (let i = 0; i < 20; i++) {
        const { value: csrf } = await client.hiddenField('/login', 'csrf');
        const failed = await client.request('/login', {
          form: { csrf, next: '/', username: `user${i}`, password: 'wrong' },
          headers: { 'x-forwarded-for': `198.51.100.${i}, 10.0.0.1` },
        });
        expect(failed.status).toBe(401);
      }
      const { value: csrf } = await client.hiddenField('/login', 'csrf');
      const blocked = await client.request('/login', {
        form: { csrf, next: '/', username: 'alice', password: 'pw' },
        headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
      });
      expect(blocked.status).toBe(429);
      const elsewhere = await client.request('/login', {
        form: { csrf, next: '/', username: 'alice', password: 'pw' },
        headers: { 'x-forwarded-for': '10.0.0.2' },
      });
      expect(elsewhere.status).toBe(303);
    } finally {
      await app.close();
    }
  });
});

describe('console login over our own TLS', () => {
  it('marks the login cookies Secure (the session cookie shares the rule)', async () => {
    const pki = new TestPki();
    const server = pki.issue('server', 'localhost', 1, { server: true });
    const app = await startTestApp(
      'sqlite',
      {
        CONSOLE_USERS: `alice:${await hashPassword('pw')}`,
        SESSION_SECRET: SECRET,
        TLS_CERT_FILE: server.cert,
        TLS_KEY_FILE: server.key,
      },
      { https: buildHttpsOptions({ certFile: server.cert, keyFile: server.key }) },
    );
    try {
      const setCookies = await new Promise<string[]>((resolve, reject) => {
        get(`${app.url}/login`, { ca: readFileSync(pki.caCert) }, (res) => {
          res.resume();
          resolve(res.headers['set-cookie'] ?? []);
        }).on('error', reject);
      });
      const csrf = setCookies.map(parseSetCookie).find((c) => c.name === 'audit_csrf');
      expect(csrf?.attributes).toMatchObject({ secure: true, httponly: true, samesite: 'Lax' });
    } finally {
      await app.close();
      pki.cleanup();
    }
  });
});
