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
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Cluster names go into URLs, metrics labels and filters: DNS-label-like only. */
export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
