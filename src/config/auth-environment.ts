import { randomBytes } from 'node:crypto';
import type { ApiToken, AuthConfig, ClusterGrant, OidcConfig, StaticUser } from './app-config';
import { CLUSTER_NAME } from './app-config';

/** The login variables of EnvironmentVariables (validated for shape there). */
export interface AuthVariables {
  CONSOLE_AUTH?: string;
  OIDC_ISSUER_URL?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_REDIRECT_URL?: string;
  OIDC_SCOPES?: string;
  OIDC_GROUPS_CLAIM?: string;
  OIDC_USERNAME_CLAIM?: string;
  OIDC_ALLOWED_GROUPS?: string;
  CONSOLE_USERS?: string;
  API_TOKENS?: string;
  SESSION_SECRET?: string;
  SESSION_TTL_HOURS?: number;
  CLUSTER_ACCESS?: string;
  ADMIN_GROUPS?: string;
  METRICS_TOKEN?: string;
  TRUST_PROXY?: string;
}

/** Names of people, token holders and groups: printable, no separators of our lists. */
const PRINCIPAL = /^[A-Za-z0-9._@+-]{1,128}$/;
/** What `npm run hash-password` prints: scrypt$N$r$p$<salt base64>$<key base64>. */
export const SCRYPT_HASH =
  /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
const API_TOKEN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

const NO_LOGIN =
  'production needs a login for the console and /api: set OIDC_ISSUER_URL, OIDC_CLIENT_ID and ' +
  'OIDC_REDIRECT_URL (single sign-on), CONSOLE_USERS (hashes from `npm run hash-password`) or ' +
  'API_TOKENS; or CONSOLE_AUTH=none when a proxy in front authenticates every request';

function list(value: string | undefined): string[] {
  return value ? value.split(',').filter((v) => v !== '') : [];
}

/** `name:secret[:group|group]` entries of CONSOLE_USERS and API_TOKENS. */
function entries(
  variable: string,
  value: string | undefined,
  secretOk: (secret: string) => boolean,
  secretRule: string,
  problems: string[],
): Array<{ name: string; secret: string; groups: string[] }> {
  const seen = new Set<string>();
  const out: Array<{ name: string; secret: string; groups: string[] }> = [];
  for (const entry of list(value)) {
    const [name, secret, groupList, ...rest] = entry.split(':');
    const groups = groupList ? groupList.split('|') : [];
    if (!PRINCIPAL.test(name ?? '')) {
      problems.push(`${variable}: "${name}" must be a name of letters, digits and . _ @ + -`);
    } else if (seen.has(name)) {
      problems.push(`${variable}: "${name}" is listed twice`);
    } else if (secret === undefined || !secretOk(secret) || rest.length > 0) {
      problems.push(`${variable}: the entry of "${name}" must be name:${secretRule}[:group|group]`);
    } else if (!groups.every((g) => PRINCIPAL.test(g))) {
      problems.push(`${variable}: the groups of "${name}" must be names separated by |`);
    } else {
      out.push({ name, secret, groups });
    }
    seen.add(name ?? '');
  }
  return out;
}

function parseOidc(env: AuthVariables, problems: string[]): OidcConfig | undefined {
  const { OIDC_ISSUER_URL: issuerUrl, OIDC_CLIENT_ID: clientId, OIDC_REDIRECT_URL } = env;
  const any = Object.entries(env).some(([k, v]) => k.startsWith('OIDC_') && v !== undefined);
  if (!any) return undefined;
  const missing = [
    ['OIDC_ISSUER_URL', issuerUrl],
    ['OIDC_CLIENT_ID', clientId],
    ['OIDC_REDIRECT_URL', OIDC_REDIRECT_URL],
  ].filter(([, v]) => !v);
  if (missing.length > 0 || !issuerUrl || !clientId || !OIDC_REDIRECT_URL) {
    for (const [name] of missing) problems.push(`${name}: must be set to use OIDC login`);
    return undefined;
  }
  return {
    issuerUrl,
    clientId,
    clientSecret: env.OIDC_CLIENT_SECRET,
    redirectUrl: OIDC_REDIRECT_URL,
    scopes: (env.OIDC_SCOPES ?? 'openid profile email').split(' '),
    groupsClaim: env.OIDC_GROUPS_CLAIM ?? 'groups',
    usernameClaim: env.OIDC_USERNAME_CLAIM ?? 'email',
    allowedGroups: list(env.OIDC_ALLOWED_GROUPS),
  };
}

/** `CLUSTER_ACCESS=sre:*,team-a:dev|staging`: which clusters each group may see. */
function parseClusterAccess(
  value: string | undefined,
  problems: string[],
): Map<string, ClusterGrant> | undefined {
  if (value === undefined) return undefined;
  const access = new Map<string, ClusterGrant>();
  for (const entry of list(value)) {
    const [group, clusters, ...rest] = entry.split(':');
    if (!PRINCIPAL.test(group ?? '') || !clusters || rest.length > 0) {
      problems.push(
        `CLUSTER_ACCESS: "${entry}" must be group:cluster|cluster or group:* (e.g. sre:*,team-a:dev|staging)`,
      );
      continue;
    }
    if (access.has(group)) problems.push(`CLUSTER_ACCESS: group "${group}" is listed twice`);
    if (clusters === '*') {
      access.set(group, '*');
      continue;
    }
    const names = clusters.split('|');
    const bad = names.filter((c) => !CLUSTER_NAME.test(c));
    if (bad.length > 0) {
      problems.push(
        `CLUSTER_ACCESS: "${bad.join('", "')}" of group "${group}" is not a cluster name`,
      );
    }
    access.set(group, names);
  }
  return access;
}

/**
 * The login configuration: which identities exist and what they may see. Production without any
 * login stops here, naming the variables to set.
 */
export function parseAuth(
  env: AuthVariables,
  environment: 'development' | 'production',
  problems: string[],
): AuthConfig {
  const oidc = parseOidc(env, problems);
  const users: StaticUser[] = entries(
    'CONSOLE_USERS',
    env.CONSOLE_USERS,
    (s) => SCRYPT_HASH.test(s),
    '<hash from npm run hash-password>',
    problems,
  ).map(({ name, secret, groups }) => ({ name, passwordHash: secret, groups }));
  const apiTokens: ApiToken[] = entries(
    'API_TOKENS',
    env.API_TOKENS,
    (s) => API_TOKEN.test(s),
    '<token of 16+ characters>',
    problems,
  ).map(({ name, secret, groups }) => ({ name, token: secret, groups }));
  const duplicateToken = apiTokens.find(
    (t, i) => apiTokens.findIndex((o) => o.token === t.token) !== i,
  );
  if (duplicateToken) {
    problems.push(`API_TOKENS: "${duplicateToken.name}" reuses another entry's token`);
  }

  const configured = oidc !== undefined || users.length > 0 || apiTokens.length > 0;
  const anyLoginVariable = configured || env.OIDC_ISSUER_URL || env.CONSOLE_USERS || env.API_TOKENS;
  let mode: AuthConfig['mode'];
  if (env.CONSOLE_AUTH === 'none') {
    mode = 'proxy';
    if (anyLoginVariable) {
      problems.push(
        'CONSOLE_AUTH: none turns login off, but OIDC_*, CONSOLE_USERS or API_TOKENS is set; remove one or the other',
      );
    }
  } else if (anyLoginVariable) {
    mode = 'login';
  } else if (environment === 'development') {
    mode = 'open';
  } else {
    mode = 'login';
    problems.push(`CONSOLE_AUTH: ${NO_LOGIN}`);
  }

  const sessions = oidc !== undefined || users.length > 0;
  if (sessions && environment === 'production' && !env.SESSION_SECRET) {
    problems.push(
      'SESSION_SECRET: production with OIDC or CONSOLE_USERS needs a secret of 32+ characters ' +
        'shared by every replica to sign session cookies (e.g. openssl rand -hex 32)',
    );
  }
  const clusterAccess = parseClusterAccess(env.CLUSTER_ACCESS, problems);
  if (clusterAccess && mode !== 'login') {
    problems.push(
      'CLUSTER_ACCESS: needs a login (OIDC_*, CONSOLE_USERS or API_TOKENS) to know who is asking',
    );
  }
  return {
    mode,
    oidc,
    users,
    apiTokens,
    sessionSecret: env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    sessionSecretGenerated: env.SESSION_SECRET === undefined,
    sessionTtlSeconds: (env.SESSION_TTL_HOURS ?? 12) * 3600,
    clusterAccess,
    adminGroups: list(env.ADMIN_GROUPS),
    metricsToken: env.METRICS_TOKEN,
    trustProxy: env.TRUST_PROXY === 'true',
  };
}
