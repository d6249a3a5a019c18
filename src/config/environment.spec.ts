import { ConfigError, parseEnvironment } from './environment';

function problems(env: Record<string, string>): string[] {
  try {
    parseEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseEnvironment', () => {
  it('defaults to development on embedded SQLite, port 8080, 64 MiB bodies', () => {
    expect(parseEnvironment({})).toEqual({
      environment: 'development',
      httpHost: '0.0.0.0',
      httpPort: 8080,
      logLevel: 'info',
      webhookToken: undefined,
      webhookTokens: new Map(),
      allowUnauthenticated: true,
      maxBodyBytes: 64 * 1024 * 1024,
      database: { type: 'sqlite', path: './data/audit.db' },
      tls: undefined,
      auth: {
        mode: 'open',
        oidc: undefined,
        users: [],
        apiTokens: [],
        sessionSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
        sessionSecretGenerated: true,
        sessionTtlSeconds: 12 * 3600,
        clusterAccess: undefined,
        adminGroups: [],
        metricsToken: undefined,
        trustProxy: false,
      },
      redaction: { secrets: true, tokens: true, key: undefined },
      retentionDays: 365,
      queryTimeoutMs: 15_000,
      ingestMaxPendingBatches: 32,
      detection: { enabled: true, defaultRules: true, rulesFiles: [], falcosidekickUrl: undefined },
      sources: { sources: [] },
    });
  });

  it('reads the detection settings; a rules file that cannot be read is named at startup', () => {
    const config = parseEnvironment({
      DETECTIONS: 'false',
      RULES_DEFAULT: 'false',
      RULES_FILES: ` ${__filename} ,${__filename}`,
      FALCOSIDEKICK_URL: 'http://falcosidekick:2801/',
    });
    expect(config.detection).toEqual({
      enabled: false,
      defaultRules: false,
      rulesFiles: [__filename, __filename],
      falcosidekickUrl: 'http://falcosidekick:2801/',
    });
    expect(() =>
      parseEnvironment({
        RULES_FILES: '/no/such/rules.yaml',
        FALCOSIDEKICK_URL: 'falcosidekick:2801',
        DETECTIONS: 'maybe',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'DETECTIONS: must be true or false (got "maybe")',
          expect.stringMatching(/^FALCOSIDEKICK_URL: must be an http\(s\) URL/),
          'RULES_FILES: cannot read /no/such/rules.yaml (ENOENT)',
        ],
      }),
    );
  });

  it('uses MySQL when DB_HOST is set, and per-cluster tokens', () => {
    const config = parseEnvironment({
      DB_HOST: 'db',
      DB_PORT: '3307',
      DB_USER: 'audit',
      DB_PASSWORD: 'pw',
      DB_NAME: 'k8s_audit',
      WEBHOOK_TOKENS: 'prod=a,dev=b',
      ENVIRONMENT: 'production',
      API_TOKENS: 'ci:0123456789abcdef',
    });
    expect(config.database).toEqual({
      type: 'mysql',
      host: 'db',
      port: 3307,
      user: 'audit',
      password: 'pw',
      name: 'k8s_audit',
      poolSize: 8,
    });
    expect([...config.webhookTokens]).toEqual([
      ['prod', 'a'],
      ['dev', 'b'],
    ]);
    expect(config.allowUnauthenticated).toBe(false);
  });

  it.each([
    [{ HTTP_PORT: 'abc' }, /^HTTP_PORT: .*whole number.* \(got "abc"\)$/],
    [{ HTTP_PORT: '70000' }, /^HTTP_PORT: .*65535/],
    [
      { ENVIRONMENT: 'staging' },
      /^ENVIRONMENT: must be development or production \(got "staging"\)$/,
    ],
    [{ MAX_BODY_BYTES: '12' }, /^MAX_BODY_BYTES: /],
    [{ WEBHOOK_TOKENS: 'prod:a' }, /^WEBHOOK_TOKENS: must look like prod=tokenA,dev=tokenB/],
    [{ WEBHOOK_TOKENS: 'Prod=a' }, /^WEBHOOK_TOKENS: cluster "Prod" must be/],
    [{ WEBHOOK_TOKENS: 'a=x,a=y' }, /^WEBHOOK_TOKENS: cluster "a" is listed twice/],
    [{ DB_NAME: 'a;drop' }, /^DB_NAME: /],
    [
      { TLS_CERT_FILE: '/nonexistent.pem' },
      /^TLS_KEY_FILE: must be set together with TLS_CERT_FILE/,
    ],
    [
      { TLS_CERT_FILE: '/nonexistent.pem', TLS_KEY_FILE: '/nonexistent.key' },
      /^TLS_CERT_FILE: file \/nonexistent.pem does not exist/,
    ],
    [{ ENVIRONMENT: 'production' }, /^WEBHOOK_TOKEN: production needs/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of/],
    [{ REDACT: 'secrets,passwords' }, /^REDACT: must be none, or secrets and\/or tokens/],
    [{ RETENTION_DAYS: '-1' }, /^RETENTION_DAYS: .*days/],
    [{ QUERY_TIMEOUT_MS: '5' }, /^QUERY_TIMEOUT_MS: /],
  ])('refuses %p naming the variable', (env, message) => {
    expect(problems(env)[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(problems({ HTTP_PORT: 'x', DB_PORT: 'y', ENVIRONMENT: 'z' })).toHaveLength(3);
  });

  it('lets production run open only when explicitly allowed', () => {
    expect(
      parseEnvironment({
        ENVIRONMENT: 'production',
        ALLOW_UNAUTHENTICATED_WEBHOOK: 'true',
        CONSOLE_AUTH: 'none',
      }).allowUnauthenticated,
    ).toBe(true);
  });
});

describe('.env.example', () => {
  it('documents every variable the service reads', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const source = readFileSync(`${__dirname}/environment.ts`, 'utf8');
    const example = readFileSync(`${__dirname}/../../.env.example`, 'utf8');
    const variables = [...source.matchAll(/\b([A-Z][A-Z_]{2,})\?: (?:string|number)/g)].map(
      (m) => m[1],
    );
    expect(variables.length).toBeGreaterThan(15);
    expect(variables.filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example))).toEqual([]);
  });
});
