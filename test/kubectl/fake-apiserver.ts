import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import {
  apiGroupList,
  apiResourceList,
  coreApiVersions,
  findResource,
  openApiV3GroupVersion,
  openApiV3Root,
  versionDoc,
} from './api-catalog';
import { ObjectStore } from './object-store';
import { decodePath } from './request-compare';
import { requestInfo } from './request-info';
import { notFound, Reply, resourceRequest, status } from './resource-handlers';

/** One HTTP request as kubectl sent it, plus what the fake answered. */
export interface RecordedRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded). */
  path: string;
  /** The raw query string without `?`, exactly as sent. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** Header name/value pairs as sent; repeated headers (Impersonate-Group) stay separate. */
  rawHeaders: [string, string][];
  contentType?: string;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON (kubectl 1.32 sends protobuf for built-in kinds). */
  json?: unknown;
  /** True for connection upgrades (exec, attach, port-forward over WebSocket or SPDY). */
  upgrade: boolean;
  status: number;
  /** The JSON the fake answered with (what a RequestResponse-level event would hold). */
  response?: unknown;
  receivedAt: Date;
}

export interface FakeApiServer {
  readonly url: string;
  readonly hostPort: string;
  readonly requests: RecordedRequest[];
  readonly store: ObjectStore;
  close(): Promise<void>;
}

export interface FakeApiServerOptions {
  /** Minor version reported at /version (default 31). */
  minor?: string;
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

export async function startFakeApiServer(
  options: FakeApiServerOptions = {},
): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const store = new ObjectStore();
  const minor = options.minor ?? '31';
  let hostPort = '';

  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const rec = record(req, body, false);
        requests.push(rec);
        const reply = route(rec, store, hostPort, minor);
        rec.status = reply.status;
        rec.response = reply.body;
        send(res, reply);
      },
      () => res.destroy(),
    );
  });
  // exec/attach/port-forward: WebSocket GET or SPDY POST. Both are recorded, then refused with a
  // plain 400 so kubectl falls back (WebSocket -> SPDY) and finally gives up.
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const rec = record(req, Buffer.alloc(0), true);
    rec.status = 400;
    requests.push(rec);
    const payload = JSON.stringify(
      status(400, 'BadRequest', 'upgrade refused by the fake apiserver'),
    );
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  hostPort = `127.0.0.1:${port}`;
  return {
    url: `http://${hostPort}`,
    hostPort,
    requests,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function record(req: IncomingMessage, body: Buffer, upgrade: boolean): RecordedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const contentType = req.headers['content-type'];
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
    rawHeaders: pairs(req.rawHeaders),
    contentType,
    body,
    json: parseJson(body, contentType),
    upgrade,
    status: 0,
    receivedAt: new Date(),
  };
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

function parseJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0 || contentType?.startsWith(PROTOBUF)) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply) {
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'text/plain' });
    res.end(reply.text);
    return;
  }
  const payload = JSON.stringify(reply.body ?? {});
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function route(rec: RecordedRequest, store: ObjectStore, hostPort: string, minor: string): Reply {
  const query = new URLSearchParams(rec.rawQuery);
  const path = decodePath(rec.path);
  const info = requestInfo(rec.method, path, query);
  if (!info.isResourceRequest) return nonResource(path, hostPort, minor);
  const def = findResource(info.apiGroup, info.apiVersion ?? '', info.resource ?? '');
  if (!def) return notFound(info);
  return resourceRequest(info, rec, query, store);
}

function nonResource(path: string, hostPort: string, minor: string): Reply {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/version') return { status: 200, body: versionDoc(minor) };
  if (p === '/api') return { status: 200, body: coreApiVersions(hostPort) };
  if (p === '/apis') return { status: 200, body: apiGroupList() };
  if (p === '/openapi/v3') return { status: 200, body: openApiV3Root() };
  if (['/healthz', '/readyz', '/livez'].includes(p)) return { status: 200, text: 'ok' };
  let m = /^\/api\/([^/]+)$/.exec(p) ?? /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (m) {
    const list = m.length === 2 ? apiResourceList('', m[1]) : apiResourceList(m[1], m[2]);
    if (list) return { status: 200, body: list };
  }
  m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(p);
  if (m) {
    const doc = m[1] ? openApiV3GroupVersion('', m[1]) : openApiV3GroupVersion(m[2], m[3]);
    if (doc) return { status: 200, body: doc };
  }
  return {
    status: 404,
    body: status(404, 'NotFound', 'the server could not find the requested resource'),
  };
}
