import type { ConfiguredSource } from '../sources/sources-file';
/** The validated, typed configuration every module reads (through the APP_CONFIG token). */
export type DatabaseConfig =
  | {
      type: 'mysql';
      host: string;
      port: number;
      user: string;
      password: string;
      name: string;
      poolSize: number;
    }
  | { type: 'sqlite'; path: string };

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  /** Take the cluster name from a verified client certificate's CN. */
  clientCnClusters: boolean;
}

/** A console user (CONSOLE_USERS) or an automation client (API_TOKENS), with its groups. */
export interface StaticUser {
  name: string;
  /** `scrypt$N$r$p$salt$hash` as printed by `npm run hash-password`. */
  passwordHash: string;
  groups: string[];
}

export interface ApiToken {
  name: string;
  token: string;
  groups: string[];
}

export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
  redirectUrl: string;
  scopes: string[];
  /** The claim holding the user's groups (a list of strings, or one string). */
  groupsClaim: string;
  /** The claim that names the user in the console and the access log. */
  usernameClaim: string;
  /** Empty: anyone the provider authenticates may log in. */
  allowedGroups: string[];
}

/** Which clusters a group may see: every cluster, or the listed ones. */
export type ClusterGrant = '*' | string[];

export interface AuthConfig {
  /**
   * `login`: every console page and /api/** needs an identity (OIDC, a static user or an API
   * token). `open`: development without any login configured (the console shows a banner).
   * `proxy`: CONSOLE_AUTH=none, a proxy in front authenticates (a warning at every start).
   */
  mode: 'login' | 'open' | 'proxy';
  oidc?: OidcConfig;
  users: StaticUser[];
  apiTokens: ApiToken[];
  /** Signs session cookies; random per process (development only) when SESSION_SECRET is unset. */
  sessionSecret: string;
  sessionSecretGenerated: boolean;
  sessionTtlSeconds: number;
  /** group -> clusters it may see; undefined: every identity sees every cluster. */
  clusterAccess?: Map<string, ClusterGrant>;
  /** Groups that may read the console's own access log. */
  adminGroups: string[];
  /** Bearer token required on /metrics when set. */
  metricsToken?: string;
  /** Honour X-Forwarded-Proto/-For from a proxy in front (Secure cookies, client addresses). */
  trustProxy: boolean;
}

export interface RedactionConfig {
  /** Secret data/stringData values (also in last-applied-configuration annotations). */
  secrets: boolean;
  /** TokenRequest tokens and bearer tokens in exec/env arguments. */
  tokens: boolean;
  /** Keys the marker's hash; when unset the key is generated once and kept in the database. */
  key?: string;
}

export interface AppConfig {
  environment: 'development' | 'production';
  httpHost: string;
  httpPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A token any cluster may use. */
  webhookToken?: string;
  /** cluster name -> the only token that may write to that cluster. */
  webhookTokens: Map<string, string>;
  /** development only, or explicitly allowed: the webhook accepts unauthenticated batches. */
  allowUnauthenticated: boolean;
  maxBodyBytes: number;
  database: DatabaseConfig;
  tls?: TlsConfig;
  auth: AuthConfig;
  redaction: RedactionConfig;
  /** Events older than this many days are deleted in the background; 0 keeps them forever. */
  retentionDays: number;
  /** A read statement running longer is stopped (src/audit/query-deadline.ts) and answered 503. */
  queryTimeoutMs: number;
  /** Batches of one cluster waiting for the database beyond this answer 429 with Retry-After. */
  ingestMaxPendingBatches: number;
  detection: DetectionConfig;
  sources: SourcesConfig;
}

/** SOURCES_FILE: managed clusters' audit logs pulled from their clouds (docs/managed-clusters.md). */
export interface SourcesConfig {
  file?: string;
  sources: ConfiguredSource[];
  /**
   * The environment the entries were checked against (their secrets' variables, emulator
   * hosts); the sources read the same one when they run.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The rules engine (src/detection, docs/detections.md). */
export interface DetectionConfig {
  /** DETECTIONS=false: no rule runs, nothing is stored or forwarded. */
  enabled: boolean;
  /** RULES_DEFAULT=false leaves our `rules/*.yaml` out (only RULES_FILES load). */
  defaultRules: boolean;
  /** RULES_FILES: users' Falco-format rules files, loaded after ours, in the order given. */
  rulesFiles: string[];
  /** Each new alert is also POSTed there as Falco's JSON output. */
  falcosidekickUrl?: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Cluster names go into URLs, metrics labels and filters: DNS-label-like only. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
