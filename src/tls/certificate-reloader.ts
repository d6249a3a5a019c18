import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import {
  readTlsMaterial,
  toSecureContextOptions,
  type TlsFileConfig,
  type TlsMaterial,
} from './https-options';

/** What the reloader needs from the server: `https.Server` and `tls.Server` both have it. */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Narrows what a framework hands back as its server (Nest's `app.getHttpServer()` is typed as a
 * plain http.Server) to one that can swap certificates, failing loudly if HTTPS is not on.
 */
export function asSecureContextTarget(server: unknown): SecureContextTarget {
  const candidate = server as Partial<SecureContextTarget> | null;
  if (typeof candidate?.setSecureContext !== 'function') {
    throw new Error('the server is not a TLS server: create it with buildHttpsOptions(...)');
  }
  return candidate as SecureContextTarget;
}

/** Nest's `Logger` fits this shape, and so does `console`. */
export interface ReloaderLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface CertificateReloaderOptions {
  /** Periodic re-check, for filesystems where fs.watch misses symlink swaps. Default 30 s. */
  pollIntervalMs?: number;
  /** Wait after a watch event so a cert and key written one after the other land together. */
  debounceMs?: number;
  logger?: ReloaderLogger;
}

export type ReloadOutcome = 'unchanged' | 'reloaded' | 'rejected';

/**
 * Keeps a running TLS server on the certificate files currently on disk.
 *
 * cert-manager (through the kubelet's secret volume) replaces all files at once by swapping a
 * `..data` symlink in the mount directory, so the directories are watched rather than the files
 * (a watch on the old inode never fires again), and a poll backs the watch up. Changes are
 * detected by content hash; a new set that does not load (half written, key not matching the
 * cert) is logged and the server keeps its current context until a good set appears.
 */
export class CertificateReloader {
  private readonly pollIntervalMs: number;
  private readonly debounceMs: number;
  private readonly logger: ReloaderLogger;
  private watchers: FSWatcher[] = [];
  private pollTimer?: NodeJS.Timeout;
  private debounceTimer?: NodeJS.Timeout;
  private appliedHash?: string;
  private rejectedHash?: string;

  constructor(
    private readonly target: SecureContextTarget,
    private readonly files: TlsFileConfig,
    options: CertificateReloaderOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 30_000;
    this.debounceMs = options.debounceMs ?? 250;
    this.logger = options.logger ?? console;
  }

  /**
   * Begins watching. The files are applied once right away: a rotation that landed between
   * reading them for the server options and this call would otherwise go unnoticed.
   */
  start(): void {
    if (this.pollTimer) return;
    this.reload({ quiet: true });
    for (const dir of this.watchedDirectories()) this.watchDirectory(dir);
    this.pollTimer = setInterval(() => this.reload(), this.pollIntervalMs);
    this.pollTimer.unref();
  }

  stop(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    clearInterval(this.pollTimer);
    clearTimeout(this.debounceTimer);
    this.pollTimer = undefined;
    this.debounceTimer = undefined;
  }

  /** Applies the files on disk if they changed since the last successful load. */
  reload({ quiet = false }: { quiet?: boolean } = {}): ReloadOutcome {
    let material: TlsMaterial;
    try {
      material = readTlsMaterial(this.files);
    } catch (err) {
      return this.reject(undefined, err);
    }
    const hash = hashMaterial(material);
    if (hash === this.appliedHash) return 'unchanged';
    if (hash === this.rejectedHash) return 'rejected';
    try {
      this.target.setSecureContext(toSecureContextOptions(material));
    } catch (err) {
      return this.reject(hash, err);
    }
    this.appliedHash = hash;
    this.rejectedHash = undefined;
    if (!quiet) this.logger.log(`TLS certificate reloaded from ${this.files.certFile}`);
    return 'reloaded';
  }

  private reject(hash: string | undefined, err: unknown): ReloadOutcome {
    if (hash === undefined || hash !== this.rejectedHash) {
      this.logger.warn(
        `TLS certificate files changed but cannot be loaded; keeping the current certificate: ${
          (err as Error).message
        }`,
      );
    }
    this.rejectedHash = hash;
    return 'rejected';
  }

  private watchedDirectories(): string[] {
    const files = [this.files.certFile, this.files.keyFile, this.files.clientCaFile];
    return [...new Set(files.filter((f): f is string => !!f).map((f) => dirname(f)))];
  }

  private watchDirectory(dir: string): void {
    try {
      const watcher = watch(dir, { persistent: false }, () => this.scheduleReload());
      watcher.on('error', (err) => {
        this.logger.warn(`watching ${dir} failed, relying on polling: ${err.message}`);
        watcher.close();
      });
      this.watchers.push(watcher);
    } catch (err) {
      this.logger.warn(`cannot watch ${dir}, relying on polling: ${(err as Error).message}`);
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.reload(), this.debounceMs);
    this.debounceTimer.unref();
  }
}

function hashMaterial(material: TlsMaterial): string {
  const hash = createHash('sha256');
  for (const part of [material.cert, material.key, material.ca]) {
    hash.update(part ?? '');
    hash.update('\0');
  }
  return hash.digest('hex');
}
