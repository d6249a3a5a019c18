import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { buildHttpsOptions } from '../../src/tls';
import { TestPki } from '../support/pki';
import { startTestApp, TestApp } from '../support/test-app';

const event = {
  level: 'Metadata',
  auditID: 'mtls-1',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces',
  verb: 'list',
  user: { username: 'system:admin' },
  requestReceivedTimestamp: '2026-11-25T10:00:00.000001Z',
  stageTimestamp: '2026-11-25T10:00:00.000002Z',
};

describe('webhook over mutual TLS, cluster named by the client certificate', () => {
  const pki = new TestPki();
  const server = pki.issue('server', 'localhost', 1, { server: true });
  const prod = pki.issue('prod', 'prod', 2);
  const rogue = pki.issue('rogue', 'prod', 3, { selfSigned: true });
  let app: TestApp;

  beforeAll(async () => {
    const tls = {
      TLS_CERT_FILE: server.cert,
      TLS_KEY_FILE: server.key,
      TLS_CLIENT_CA_FILE: pki.caCert,
    };
    const env = { ...tls, TLS_CLIENT_CN_CLUSTERS: 'true' };
    const https = buildHttpsOptions({
      certFile: server.cert,
      keyFile: server.key,
      clientCaFile: pki.caCert,
    });
    app = await startTestApp('sqlite', env, { https });
  });
  afterAll(async () => {
    await app.close();
    pki.cleanup();
  });

  function post(
    path: string,
    client?: { cert: string; key: string },
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${app.url}${path}`,
        {
          method: 'POST',
          ca: readFileSync(pki.caCert),
          headers: { 'content-type': 'application/json' },
          ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(event));
    });
  }

  it('stores a batch from a verified client under the cluster its CN names', async () => {
    const res = await post('/webhook/audit?timeout=30s', prod);
    expect(res).toEqual({ status: 200, body: '{"accepted":1,"duplicates":0,"rejected":0}' });
    const page = (await (
      await fetch(`${app.url.replace('https', 'http')}/healthz`).catch(() => null)
    )?.json()) as unknown;
    expect(page).toBeFalsy(); // plain HTTP is not served on the TLS port
  });

  it('refuses no certificate (401), a self-signed one (401) and another cluster path (403)', async () => {
    expect((await post('/webhook/audit/prod')).status).toBe(401);
    expect((await post('/webhook/audit/prod', rogue)).status).toBe(401);
    const other = await post('/webhook/audit/dev', prod);
    expect(other.status).toBe(403);
    expect(other.body).toContain('client certificate is for cluster prod, not dev');
  });
});
