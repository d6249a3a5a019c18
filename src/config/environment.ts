import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import {
  IsBooleanString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import {
  AppConfig,
  CLUSTER_NAME,
  DatabaseConfig,
  DetectionConfig,
  RedactionConfig,
  SourcesConfig,
  TlsConfig,
} from './app-config';
import { parseAuth } from './auth-environment';
import { loadSourcesFile } from '../sources/sources-file';
import { SOURCE_DEFINITIONS } from '../sources/source-registry';

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const NO_SPACES = /^\S+$/;
const GROUP_LIST = /^[^,\s]+(,[^,\s]+)*$/;
const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const MiB = 1024 * 1024;

/** One message for type and range, so `HTTP_PORT=abc` gets one line, not three. */
function WholeNumber(min: number, max: number, what = 'a whole number'): PropertyDecorator {
  const message = `must be ${what} from ${min} to ${max}`;
  return (target, key) => {
    for (const decorator of [IsInt({ message }), Min(min, { message }), Max(max, { message })]) {
      decorator(target, key as string);
    }
  };
}

/** Every variable the service reads; `.env.example` documents each one. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production'], { message: 'must be development or production' })
  ENVIRONMENT?: string;

  @IsOptional()
  @Matches(/^[0-9a-fA-F:.]+$|^localhost$/, { message: 'must be an IP address or localhost' })
  HTTP_HOST?: string;

  @IsOptional()
  @WholeNumber(1, 65535)
  HTTP_PORT?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL?: string;

  @IsOptional()
  @Matches(NO_SPACES, { message: 'must be a non-empty token without spaces' })
  WEBHOOK_TOKEN?: string;

  @IsOptional()
  @Matches(/^[^=,\s]+=[^=,\s]+(,[^=,\s]+=[^=,\s]+)*$/, {
    message: 'must look like prod=tokenA,dev=tokenB',
  })
  WEBHOOK_TOKENS?: string;

  @IsOptional()
  @IsBooleanString({ message: 'must be true or false' })
  ALLOW_UNAUTHENTICATED_WEBHOOK?: string;

  @IsOptional()
  @WholeNumber(1024, 1024 * MiB, 'a whole number of bytes')
  MAX_BODY_BYTES?: number;

  @IsOptional()
  @Matches(NO_SPACES, { message: 'must be a host name or address' })
  DB_HOST?: string;

  @IsOptional()
  @WholeNumber(1, 65535)
  DB_PORT?: number;

  @IsOptional() DB_USER?: string;
  @IsOptional() DB_PASSWORD?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_$]{1,64}$/, { message: 'must be 1-64 letters, digits, _ or $' })
  DB_NAME?: string;

  @IsOptional()
  @WholeNumber(1, 256)
  DB_POOL_SIZE?: number;

  @IsOptional() DB_PATH?: string;
  @IsOptional() TLS_CERT_FILE?: string;
  @IsOptional() TLS_KEY_FILE?: string;
  @IsOptional() TLS_CLIENT_CA_FILE?: string;

  @IsOptional()
  @IsBooleanString({ message: 'must be true or false' })
  TLS_CLIENT_CN_CLUSTERS?: string;

  // --- Console and API login (src/auth; parsed by auth-environment.ts) ---
  @IsOptional()
  @IsIn(['none'], { message: 'must be none (a proxy in front authenticates) or unset' })
  CONSOLE_AUTH?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL' })
  OIDC_ISSUER_URL?: string;

  @IsOptional()
  @Matches(NO_SPACES, { message: 'must be a non-empty value without spaces' })
  OIDC_CLIENT_ID?: string;

  @IsOptional() OIDC_CLIENT_SECRET?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'must be an http(s) URL ending in /auth/callback' })
  @Matches(/\/auth\/callback$/, { message: 'must end in /auth/callback' })
  OIDC_REDIRECT_URL?: string;

  @IsOptional()
  @Matches(/^[\w.:/-]+( [\w.:/-]+)*$/, { message: 'must be scopes separated by spaces' })
  OIDC_SCOPES?: string;

  @IsOptional()
  @Matches(NO_SPACES, { message: 'must be a claim name' })
  OIDC_GROUPS_CLAIM?: string;

  @IsOptional()
  @Matches(NO_SPACES, { message: 'must be a claim name' })
  OIDC_USERNAME_CLAIM?: string;

  @IsOptional()
  @Matches(GROUP_LIST, { message: 'must be group names separated by commas' })
  OIDC_ALLOWED_GROUPS?: string;

  @IsOptional() CONSOLE_USERS?: string;
  @IsOptional() API_TOKENS?: string;

  @IsOptional()
  @Length(32, 1024, { message: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
  SESSION_SECRET?: string;

  @IsOptional()
  @WholeNumber(1, 720, 'a whole number of hours')
  SESSION_TTL_HOURS?: number;

  @IsOptional() CLUSTER_ACCESS?: string;

  @IsOptional()
  @Matches(GROUP_LIST, { message: 'must be group names separated by commas' })
  ADMIN_GROUPS?: string;

  @IsOptional()
  @Length(16, 1024, { message: 'must be a token of at least 16 characters' })
  @Matches(NO_SPACES, { message: 'must be a token without spaces' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @IsBooleanString({ message: 'must be true or false' })
  TRUST_PROXY?: string;

  // --- Redaction at rest, retention, limits ---
  @IsOptional()
  @Matches(/^(none|(secrets|tokens)(,(secrets|tokens))*)$/, {
    message: 'must be none, or secrets and/or tokens separated by commas',
  })
  REDACT?: string;

  @IsOptional()
  @Length(32, 1024, { message: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
  REDACT_KEY?: string;

  @IsOptional()
  @WholeNumber(0, 36500, 'a whole number of days (0 keeps events forever)')
  RETENTION_DAYS?: number;

  @IsOptional()
  @WholeNumber(100, 600_000, 'a whole number of milliseconds')
  QUERY_TIMEOUT_MS?: number;

  @IsOptional()
  @WholeNumber(1, 10_000)
  INGEST_MAX_PENDING_BATCHES?: number;

  @IsOptional()
  @IsBooleanString({ message: 'must be true or false' })
  DETECTIONS?: string;

  @IsOptional()
  @IsBooleanString({ message: 'must be true or false' })
  RULES_DEFAULT?: string;

  @IsOptional()
  @Matches(/^[^,]+(,[^,]+)*$/, { message: 'must be comma-separated paths of rules files' })
  RULES_FILES?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, {
    message: 'must be an http(s) URL of Falcosidekick (e.g. http://falcosidekick:2801/)',
  })
  FALCOSIDEKICK_URL?: string;

  @IsOptional()
  @IsString()
  SOURCES_FILE?: string;
}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function parseTokens(spec: string | undefined, problems: string[]): Map<string, string> {
  const tokens = new Map<string, string>();
  if (!spec) return tokens;
  for (const pair of spec.split(',')) {
    const [cluster, token] = pair.split('=');
    if (!CLUSTER_NAME.test(cluster)) {
      problems.push(
        `WEBHOOK_TOKENS: cluster "${cluster}" must be 1-63 characters of a-z, 0-9 and -`,
      );
    } else if (tokens.has(cluster)) {
      problems.push(`WEBHOOK_TOKENS: cluster "${cluster}" is listed twice`);
    }
    tokens.set(cluster, token);
  }
  return tokens;
}

function readable(variable: string, path: string | undefined, problems: string[]): void {
  if (path !== undefined && !existsSync(path))
    problems.push(`${variable}: file ${path} does not exist`);
  else if (path !== undefined) {
    try {
      readFileSync(path);
    } catch (e) {
      problems.push(`${variable}: cannot read ${path} (${(e as Error).message})`);
    }
  }
}

function parseTls(env: EnvironmentVariables, problems: string[]): TlsConfig | undefined {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, TLS_CLIENT_CA_FILE: clientCaFile } = env;
  if (!certFile && !keyFile) {
    if (clientCaFile) problems.push('TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE too');
    return undefined;
  }
  if (!certFile || !keyFile) {
    problems.push(
      `${certFile ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'}: must be set together with ${certFile ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'}`,
    );
    return undefined;
  }
  readable('TLS_CERT_FILE', certFile, problems);
  readable('TLS_KEY_FILE', keyFile, problems);
  readable('TLS_CLIENT_CA_FILE', clientCaFile, problems);
  const clientCnClusters = env.TLS_CLIENT_CN_CLUSTERS === 'true';
  if (clientCnClusters && !clientCaFile) {
    problems.push('TLS_CLIENT_CN_CLUSTERS: needs TLS_CLIENT_CA_FILE to verify client certificates');
  }
  return { certFile, keyFile, clientCaFile, clientCnClusters };
}

function parseDatabase(env: EnvironmentVariables): DatabaseConfig {
  if (!env.DB_HOST) return { type: 'sqlite', path: env.DB_PATH ?? './data/audit.db' };
  return {
    type: 'mysql',
    host: env.DB_HOST,
    port: env.DB_PORT ?? 3306,
    user: env.DB_USER ?? 'root',
    password: env.DB_PASSWORD ?? '',
    name: env.DB_NAME ?? 'audit',
    poolSize: env.DB_POOL_SIZE ?? 8,
  };
}

function parseRedaction(env: EnvironmentVariables): RedactionConfig {
  const kinds = (env.REDACT ?? 'secrets,tokens').split(',');
  return {
    secrets: kinds.includes('secrets'),
    tokens: kinds.includes('tokens'),
    key: env.REDACT_KEY,
  };
}

/**
 * Validates the environment and returns the typed configuration. Every problem is collected and
 * reported at once, each naming its variable and what is allowed, so one restart fixes them all.
 */
export function parseEnvironment(rawEnv: Env): AppConfig {
  const given = nonEmpty(rawEnv);
  const env = plainToInstance(EnvironmentVariables, given, { enableImplicitConversion: true });
  const problems: string[] = validateSync(env, {
    forbidUnknownValues: false,
    stopAtFirstError: true,
  }).map((error) => {
    const why = Object.values(error.constraints ?? {}).join('; ');
    return `${error.property}: ${why} (got ${JSON.stringify(given[error.property])})`;
  });
  const webhookTokens = parseTokens(env.WEBHOOK_TOKENS, problems);
  const tls = parseTls(env, problems);
  const environment = env.ENVIRONMENT === 'production' ? 'production' : 'development';
  const allowUnauthenticated =
    env.ALLOW_UNAUTHENTICATED_WEBHOOK === 'true' || environment === 'development';
  const anyAuth =
    Boolean(env.WEBHOOK_TOKEN) || webhookTokens.size > 0 || Boolean(tls?.clientCaFile);
  if (!anyAuth && !allowUnauthenticated) {
    problems.push(
      'WEBHOOK_TOKEN: production needs WEBHOOK_TOKEN, WEBHOOK_TOKENS or TLS_CLIENT_CA_FILE ' +
        '(or ALLOW_UNAUTHENTICATED_WEBHOOK=true to accept anyone)',
    );
  }
  const auth = parseAuth(env, environment, problems);
  const detection = parseDetection(env, problems);
  const sources = parseSources(env, rawEnv, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    environment,
    httpHost: env.HTTP_HOST ?? '0.0.0.0',
    httpPort: env.HTTP_PORT ?? 8080,
    logLevel: (env.LOG_LEVEL as AppConfig['logLevel'] | undefined) ?? 'info',
    webhookToken: env.WEBHOOK_TOKEN,
    webhookTokens,
    allowUnauthenticated: !anyAuth,
    maxBodyBytes: env.MAX_BODY_BYTES ?? 64 * MiB,
    database: parseDatabase(env),
    tls,
    auth,
    redaction: parseRedaction(env),
    retentionDays: env.RETENTION_DAYS ?? 365,
    queryTimeoutMs: env.QUERY_TIMEOUT_MS ?? 15_000,
    ingestMaxPendingBatches: env.INGEST_MAX_PENDING_BATCHES ?? 32,
    detection,
    sources,
  };
}

/** Managed-cluster sources (src/sources): every entry checked now, none connected yet. */
function parseSources(env: EnvironmentVariables, rawEnv: Env, problems: string[]): SourcesConfig {
  if (!env.SOURCES_FILE) return { sources: [] };
  const loaded = loadSourcesFile(
    env.SOURCES_FILE,
    { env: rawEnv, log: () => undefined, now: Date.now },
    SOURCE_DEFINITIONS,
  );
  problems.push(...loaded.problems);
  return { file: env.SOURCES_FILE, sources: loaded.sources, env: rawEnv };
}

/** Rules files must exist when the service starts: a typo would otherwise silently drop rules. */
function parseDetection(env: EnvironmentVariables, problems: string[]): DetectionConfig {
  const rulesFiles = (env.RULES_FILES ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
  for (const path of rulesFiles) {
    try {
      readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.push(`RULES_FILES: cannot read ${path} (${code})`);
    }
  }
  return {
    enabled: env.DETECTIONS !== 'false',
    defaultRules: env.RULES_DEFAULT !== 'false',
    rulesFiles,
    falcosidekickUrl: env.FALCOSIDEKICK_URL,
  };
}

/**
 * The configuration of a process started by a user (server or importer): the environment,
 * completed by a `.env` file in the working directory (variables already set win).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  if (env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  return parseEnvironment(env);
}
