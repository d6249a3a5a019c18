import { AuthVariables, parseAuth, SCRYPT_HASH } from './auth-environment';

const HASH =
  'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=';
const SECRET = '0123456789abcdef0123456789abcdef';

function parse(env: AuthVariables, environment: 'development' | 'production' = 'development') {
  const problems: string[] = [];
  const auth = parseAuth(env, environment, problems);
  return { auth, problems };
}

describe('parseAuth', () => {
  it('is open in development without any login, with a generated session secret', () => {
    const { auth, problems } = parse({});
    expect(problems).toEqual([]);
    expect(auth.mode).toBe('open');
    expect(auth.sessionSecretGenerated).toBe(true);
    expect(auth.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(parse({}).auth.sessionSecret).not.toBe(auth.sessionSecret);
  });

  it('stops production without a login, naming every way to set one up', () => {
    const { auth, problems } = parse({}, 'production');
    expect(auth.mode).toBe('login');
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    for (const variable of [
      'CONSOLE_AUTH',
      'OIDC_ISSUER_URL',
      'OIDC_CLIENT_ID',
      'OIDC_REDIRECT_URL',
      'CONSOLE_USERS',
      'API_TOKENS',
      'npm run hash-password',
    ]) {
      expect(problem).toContain(variable);
    }
  });

  it('accepts CONSOLE_AUTH=none alone, and refuses it together with a login', () => {
    expect(parse({ CONSOLE_AUTH: 'none' }, 'production')).toMatchObject({
      auth: { mode: 'proxy' },
      problems: [],
    });
    const { problems } = parse({ CONSOLE_AUTH: 'none', API_TOKENS: 'ci:0123456789abcdef' });
    expect(problems).toEqual([expect.stringMatching(/^CONSOLE_AUTH: none turns login off/)]);
  });

  it('reads CONSOLE_USERS with their groups, and says what is wrong with each bad entry', () => {
    const { auth, problems } = parse(
      { CONSOLE_USERS: `alice:${HASH}:sre|dev,bob:${HASH}`, SESSION_SECRET: SECRET },
      'production',
    );
    expect(problems).toEqual([]);
    expect(auth.mode).toBe('login');
    expect(auth.users).toEqual([
      { name: 'alice', passwordHash: HASH, groups: ['sre', 'dev'] },
      { name: 'bob', passwordHash: HASH, groups: [] },
    ]);
    expect(auth.sessionSecretGenerated).toBe(false);

    const bad = parse({
      CONSOLE_USERS: `al ice:${HASH},bob:plaintext,carol:${HASH}:a b,dave:${HASH},dave:${HASH},eve:${HASH}:g:x`,
    });
    expect(bad.problems).toEqual([
      'CONSOLE_USERS: "al ice" must be a name of letters, digits and . _ @ + -',
      'CONSOLE_USERS: the entry of "bob" must be name:<hash from npm run hash-password>[:group|group]',
      'CONSOLE_USERS: the groups of "carol" must be names separated by |',
      'CONSOLE_USERS: "dave" is listed twice',
      'CONSOLE_USERS: the entry of "eve" must be name:<hash from npm run hash-password>[:group|group]',
    ]);
    expect(bad.auth.users.map((u) => u.name)).toEqual(['dave']);
  });

  it('needs a shared SESSION_SECRET in production when sessions exist', () => {
    const { problems } = parse({ CONSOLE_USERS: `alice:${HASH}` }, 'production');
    expect(problems).toEqual([expect.stringMatching(/^SESSION_SECRET: .*openssl rand -hex 32/)]);
    // API tokens alone open no sessions.
    expect(parse({ API_TOKENS: 'ci:0123456789abcdef' }, 'production').problems).toEqual([]);
  });

  it('reads API_TOKENS and refuses short or reused tokens', () => {
    expect(parse({ API_TOKENS: 'ci:0123456789abcdef:sre|audit' }).auth.apiTokens).toEqual([
      { name: 'ci', token: '0123456789abcdef', groups: ['sre', 'audit'] },
    ]);
    expect(parse({ API_TOKENS: 'ci:short' }).problems).toEqual([
      'API_TOKENS: the entry of "ci" must be name:<token of 16+ characters>[:group|group]',
    ]);
    expect(parse({ API_TOKENS: 'a:0123456789abcdef,b:0123456789abcdef' }).problems).toEqual([
      'API_TOKENS: "b" reuses another entry\'s token',
    ]);
  });

  it('reads OIDC with its defaults, and names each missing variable', () => {
    const { auth, problems } = parse({
      OIDC_ISSUER_URL: 'https://sso.example.com/realms/k8s',
      OIDC_CLIENT_ID: 'audit',
      OIDC_REDIRECT_URL: 'https://audit.example.com/auth/callback',
    });
    expect(problems).toEqual([]);
    expect(auth.oidc).toEqual({
      issuerUrl: 'https://sso.example.com/realms/k8s',
      clientId: 'audit',
      clientSecret: undefined,
      redirectUrl: 'https://audit.example.com/auth/callback',
      scopes: ['openid', 'profile', 'email'],
      groupsClaim: 'groups',
      usernameClaim: 'email',
      allowedGroups: [],
    });
    expect(parse({ OIDC_CLIENT_ID: 'audit', OIDC_ALLOWED_GROUPS: 'sre' }).problems).toEqual([
      'OIDC_ISSUER_URL: must be set to use OIDC login',
      'OIDC_REDIRECT_URL: must be set to use OIDC login',
    ]);
  });

  it('reads CLUSTER_ACCESS grants and refuses bad ones or a grant without a login', () => {
    const env = { API_TOKENS: 'ci:0123456789abcdef', CLUSTER_ACCESS: 'sre:*,team-a:dev|staging' };
    expect(parse(env).auth.clusterAccess).toEqual(
      new Map<string, unknown>([
        ['sre', '*'],
        ['team-a', ['dev', 'staging']],
      ]),
    );
    expect(parse({ ...env, CLUSTER_ACCESS: 'sre,team-a:Prod_1,team-a:dev' }).problems).toEqual([
      'CLUSTER_ACCESS: "sre" must be group:cluster|cluster or group:* (e.g. sre:*,team-a:dev|staging)',
      'CLUSTER_ACCESS: "Prod_1" of group "team-a" is not a cluster name',
      'CLUSTER_ACCESS: group "team-a" is listed twice',
    ]);
    expect(parse({ CLUSTER_ACCESS: 'sre:*' }).problems).toEqual([
      'CLUSTER_ACCESS: needs a login (OIDC_*, CONSOLE_USERS or API_TOKENS) to know who is asking',
    ]);
  });

  it('reads the session lifetime, admin groups, metrics token and proxy trust', () => {
    const { auth } = parse({
      API_TOKENS: 'ci:0123456789abcdef',
      SESSION_TTL_HOURS: 8,
      ADMIN_GROUPS: 'sre,security',
      METRICS_TOKEN: 'metrics-0123456789',
      TRUST_PROXY: 'true',
    });
    expect(auth).toMatchObject({
      sessionTtlSeconds: 8 * 3600,
      adminGroups: ['sre', 'security'],
      metricsToken: 'metrics-0123456789',
      trustProxy: true,
    });
    expect(parse({ TRUST_PROXY: 'false' }).auth.trustProxy).toBe(false);
  });

  it('recognizes the hash format npm run hash-password prints', () => {
    expect(SCRYPT_HASH.test(HASH)).toBe(true);
    expect(SCRYPT_HASH.test('scrypt$16384$8$1$c2FsdA==')).toBe(false);
    expect(SCRYPT_HASH.test('$2b$12$bcryptbcryptbcryptbcrypt')).toBe(false);
  });
});
