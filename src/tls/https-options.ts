import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContextOptions } from 'node:tls';
import type { ServerOptions } from 'node:https';

/** Where the serving certificate lives; cert-manager and kubelet secret mounts give these paths. */
export interface TlsFileConfig {
  certFile: string;
  keyFile: string;
  /** PEM bundle of CAs whose client certificates are accepted (mutual TLS on the webhook path). */
  clientCaFile?: string;
}

/** The PEM material read from disk, in the shape `tls.createSecureContext` takes. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

export function readTlsMaterial(cfg: TlsFileConfig): TlsMaterial {
  const material: TlsMaterial = {
    cert: readPem(cfg.certFile, 'TLS certificate'),
    key: readPem(cfg.keyFile, 'TLS private key'),
  };
  if (cfg.clientCaFile) material.ca = readPem(cfg.clientCaFile, 'TLS client CA');
  return material;
}

/**
 * Builds a secure context from the material, which is what proves it usable: OpenSSL rejects a
 * malformed PEM or a key that does not belong to the certificate here, not at the first handshake.
 */
export function toSecureContextOptions(material: TlsMaterial): SecureContextOptions {
  const options: SecureContextOptions = {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2',
  };
  if (material.ca) options.ca = material.ca;
  createSecureContext(options);
  return options;
}

/**
 * Options for `https.createServer` / Fastify's `https`. With a client CA the server asks for a
 * certificate but lets the handshake through without one (`rejectUnauthorized: false`): the
 * console, /healthz and /metrics stay reachable, and the webhook route alone demands a verified
 * client through `verifiedClientCommonName`.
 */
export function buildHttpsOptions(cfg: TlsFileConfig): ServerOptions {
  const context = toSecureContextOptions(readTlsMaterial(cfg));
  if (!cfg.clientCaFile) return context;
  return { ...context, requestCert: true, rejectUnauthorized: false };
}

/**
 * The subject CN of the peer's certificate, only when that certificate chained to the configured
 * client CA during this handshake. A plain-TCP socket, no certificate, or an unverified one all
 * give `undefined`, so callers can treat the result as an authenticated identity.
 */
export function verifiedClientCommonName(socket: Socket | TLSSocket): string | undefined {
  if (!(socket instanceof TLSSocket) || socket.authorized !== true) return undefined;
  const commonName = socket.getPeerCertificate().subject?.CN;
  const value = Array.isArray(commonName) ? commonName[0] : commonName;
  return value ? value : undefined;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${what} from ${file}: ${(err as Error).message}`);
  }
}
