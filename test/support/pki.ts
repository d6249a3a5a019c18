import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A throwaway PKI made with the openssl CLI: one CA, then leaf certificates with chosen serials. */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'test-pki-'));
  readonly caCert = join(this.dir, 'ca.crt');
  readonly caKey = join(this.dir, 'ca.key');

  constructor() {
    openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      this.caKey,
      '-out',
      this.caCert,
      '-days',
      '2',
      '-subj',
      '/CN=test-ca',
    ]);
  }

  issue(
    name: string,
    cn: string,
    serial: number,
    opts: { server?: boolean; selfSigned?: boolean } = {},
  ) {
    const [key, csr, cert, ext] = ['key', 'csr', 'crt', 'ext'].map((s) =>
      join(this.dir, `${name}.${s}`),
    );
    writeFileSync(
      ext,
      opts.server
        ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
        : 'extendedKeyUsage=clientAuth\n',
    );
    openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
    const signer = opts.selfSigned ? ['-signkey', key] : ['-CA', this.caCert, '-CAkey', this.caKey];
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      ...signer,
      '-out',
      cert,
      '-days',
      '2',
      '-set_serial',
      String(serial),
      '-extfile',
      ext,
    ]);
    return { cert, key };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
