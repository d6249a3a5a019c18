import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import {
  asSecureContextTarget,
  buildHttpsOptions,
  CertificateReloader,
  verifiedClientCommonName,
  type ReloaderLogger,
  type TlsFileConfig,
} from './index';
import { TestPki } from '../../test/support/pki';

const pki = new TestPki();
afterAll(() => pki.cleanup());

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The server answers with the verified client CN it saw, or "none". */
function whoAmIServer(cfg: TlsFileConfig): Server {
  return createServer(buildHttpsOptions(cfg), (req, res) => {
    res.end(verifiedClientCommonName(req.socket) ?? 'none');
  });
}

function get(port: number, client?: { cert: string; key: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path: '/webhook/audit/prod',
        ca: readFileSync(pki.caCert),
        cert: client && readFileSync(client.cert),
        key: client && readFileSync(client.key),
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Serial number (hex) of the certificate a brand-new connection is served. */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(pki.caCert) },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.end();
        resolve(serial);
      },
    );
    socket.on('error', reject);
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('buildHttpsOptions', () => {
  const server = pki.issue('server', 'localhost', 0x1001, { server: true });

  it('serves TLS without asking for client certificates when no client CA is set', async () => {
    const options = buildHttpsOptions({ certFile: server.cert, keyFile: server.key });
    expect(options.requestCert).toBeUndefined();
    const https = whoAmIServer({ certFile: server.cert, keyFile: server.key });
    const port = await listen(https);
    try {
      expect(await get(port)).toBe('none');
    } finally {
      await close(https);
    }
  });

  it('asks for a client certificate but lets clients without one connect', () => {
    const options = buildHttpsOptions({
      certFile: server.cert,
      keyFile: server.key,
      clientCaFile: pki.caCert,
    });
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: false });
  });

  it('fails early with the file name when a file is missing', () => {
    expect(() =>
      buildHttpsOptions({ certFile: join(pki.dir, 'nope.crt'), keyFile: server.key }),
    ).toThrow(/TLS certificate from .*nope\.crt/);
  });

  it('fails early when the key does not belong to the certificate', () => {
    const other = pki.issue('other', 'localhost', 0x1002, { server: true });
    expect(() => buildHttpsOptions({ certFile: server.cert, keyFile: other.key })).toThrow();
  });
});

describe('verifiedClientCommonName over mutual TLS', () => {
  const server = pki.issue('mtls-server', 'localhost', 0x2001, { server: true });
  const prodClient = pki.issue('client-prod', 'prod', 0x2002);
  const rogueClient = pki.issue('client-rogue', 'prod', 0x2003, { selfSigned: true });
  let https: Server;
  let port: number;

  beforeAll(async () => {
    https = whoAmIServer({ certFile: server.cert, keyFile: server.key, clientCaFile: pki.caCert });
    port = await listen(https);
  });
  afterAll(() => close(https));

  it('returns the CN of a client certificate issued by the client CA', async () => {
    expect(await get(port, prodClient)).toBe('prod');
  });

  it('returns nothing for a client without a certificate', async () => {
    expect(await get(port)).toBe('none');
  });

  it('returns nothing for a certificate the client CA did not issue, whatever its CN', async () => {
    expect(await get(port, rogueClient)).toBe('none');
  });
});

describe('CertificateReloader', () => {
  const warnings: string[] = [];
  const logger: ReloaderLogger = { log: () => undefined, warn: (m) => warnings.push(m) };
  const first = pki.issue('rot-1', 'localhost', 0xa1, { server: true });
  const second = pki.issue('rot-2', 'localhost', 0xb2, { server: true });
  const third = pki.issue('rot-3', 'localhost', 0xc3, { server: true });

  /** Lays files out like the kubelet's atomic writer: tls.crt -> ..data/tls.crt, ..data -> ts dir. */
  function projectSecret(
    mount: string,
    version: string,
    pair: { cert: string; key: string },
  ): void {
    const versionDir = join(mount, version);
    mkdirSync(versionDir);
    writeFileSync(join(versionDir, 'tls.crt'), readFileSync(pair.cert));
    writeFileSync(join(versionDir, 'tls.key'), readFileSync(pair.key));
    symlinkSync(version, join(mount, '..data_tmp'));
    renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
  }

  it('follows a kubelet-style symlink swap via fs.watch and keeps serving the old cert when the new set is broken', async () => {
    const mount = mkdtempSync(join(pki.dir, 'secret-'));
    projectSecret(mount, '..v1', first);
    symlinkSync('..data/tls.crt', join(mount, 'tls.crt'));
    symlinkSync('..data/tls.key', join(mount, 'tls.key'));
    const files = { certFile: join(mount, 'tls.crt'), keyFile: join(mount, 'tls.key') };
    const https = whoAmIServer(files);
    const reloader = new CertificateReloader(https, files, {
      pollIntervalMs: 200,
      debounceMs: 20,
      logger,
    });
    const port = await listen(https);
    reloader.start();
    try {
      expect(await servedSerial(port)).toBe('A1');

      projectSecret(mount, '..v2', second);
      await eventually(async () => (await servedSerial(port)) === 'B2');

      projectSecret(mount, '..v3', { cert: third.cert, key: first.key });
      await eventually(async () => warnings.length > 0);
      expect(warnings[0]).toMatch(/keeping the current certificate/);
      expect(await servedSerial(port)).toBe('B2');
      expect(reloader.reload()).toBe('rejected');
      expect(warnings).toHaveLength(1);
    } finally {
      reloader.stop();
      await close(https);
    }
  });

  it('applies the files once on start, then only when they change', () => {
    const dir = mkdtempSync(join(pki.dir, 'plain-'));
    const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    writeFileSync(files.certFile, readFileSync(first.cert));
    writeFileSync(files.keyFile, readFileSync(first.key));
    const contexts: unknown[] = [];
    const reloader = new CertificateReloader({ setSecureContext: (o) => contexts.push(o) }, files, {
      logger,
    });
    reloader.start();
    try {
      expect(reloader.reload()).toBe('unchanged');
      writeFileSync(files.certFile, readFileSync(second.cert));
      writeFileSync(files.keyFile, readFileSync(second.key));
      expect(reloader.reload()).toBe('reloaded');
      expect(reloader.reload()).toBe('unchanged');
      expect(contexts).toHaveLength(2);
    } finally {
      reloader.stop();
    }
  });
  it('falls back to polling when the directory cannot be watched (here: it does not exist yet)', async () => {
    const dir = join(pki.dir, 'mounted-later');
    const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    let reloads = 0;
    const pollWarnings: string[] = [];
    const reloader = new CertificateReloader({ setSecureContext: () => reloads++ }, files, {
      pollIntervalMs: 50,
      logger: { log: () => undefined, warn: (m) => pollWarnings.push(m) },
    });
    reloader.start();
    try {
      expect(pollWarnings.join('\n')).toMatch(/cannot watch .*relying on polling/);
      mkdirSync(dir);
      writeFileSync(files.certFile, readFileSync(second.cert));
      writeFileSync(files.keyFile, readFileSync(second.key));
      await eventually(async () => reloads === 1);
    } finally {
      reloader.stop();
    }
  });
  it('picks up a rotation that landed between reading the options and start()', async () => {
    const dir = mkdtempSync(join(pki.dir, 'race-'));
    const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    writeFileSync(files.certFile, readFileSync(first.cert));
    writeFileSync(files.keyFile, readFileSync(first.key));
    const https = whoAmIServer(files);
    writeFileSync(files.certFile, readFileSync(second.cert));
    writeFileSync(files.keyFile, readFileSync(second.key));
    const reloader = new CertificateReloader(https, files, { logger });
    const port = await listen(https);
    reloader.start();
    try {
      expect(await servedSerial(port)).toBe('B2');
    } finally {
      reloader.stop();
      await close(https);
    }
  });
  it('accepts an https server as a reload target and refuses a plain http one', () => {
    const tlsServer = whoAmIServer({ certFile: first.cert, keyFile: first.key });
    expect(asSecureContextTarget(tlsServer)).toBe(tlsServer);
    expect(() => asSecureContextTarget(createHttpServer())).toThrow(/not a TLS server/);
  });
});
