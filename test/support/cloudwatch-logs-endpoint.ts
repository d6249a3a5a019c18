import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * A small CloudWatch Logs endpoint of ours, for tests: no CloudWatch Logs emulator runs on this
 * machine (LocalStack's is not installed and needs Docker), so the EKS source is tested with the
 * REAL AWS SDK client over real HTTP against this server, which speaks the documented JSON 1.1
 * protocol (`POST /`, `X-Amz-Target: Logs_20140328.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, errors as HTTP 4xx/5xx with
 * `{"__type": "<Name>", "message": ...}`).
 *
 * Operations: FilterLogEvents, CreateLogGroup, CreateLogStream, PutLogEvents (and `put`, the same
 * in memory, for speed). What it does like the service, because the source depends on it:
 * - FilterLogEvents: `startTime` and `endTime` inclusive (ms), `logStreamNamePrefix` or
 *   `logStreamNames`, events sorted by timestamp (ties in put order), `limit` (1 to 10,000,
 *   default 10,000) and the service's 1 MB page cap honoured, `nextToken` paging, pages that
 *   come back empty with a token (`emptyPageEvery`, as the service does while it searches),
 *   tokens bound to their query and expiring (`expireTokens()`: InvalidParameterException);
 * - an event put later with an older timestamp is visible to every later query of its range
 *   (late ingestion), and to a paged query whose position has not passed it yet;
 * - a missing group is ResourceNotFoundException (400); `failNext` answers the next calls with
 *   a ThrottlingException (400) or ServiceUnavailableException (500).
 * What it does not do: check the SigV4 signature (it checks that the SDK sent one), filter
 * patterns (refused), the 14-day age limit of PutLogEvents, retention.
 */

export interface LogEventInput {
  timestamp: number;
  message: string;
}

interface StoredEvent {
  stream: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  seq: number;
  eventId: string;
}

interface LogGroup {
  streams: Set<string>;
  events: StoredEvent[];
}

export interface FilterRequest {
  logGroupName?: string;
  logStreamNamePrefix?: string;
  logStreamNames?: string[];
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  limit?: number;
  /** What the page held. */
  returned: number;
  /** The Authorization header's scheme and credential scope (never the signature). */
  authorization: string;
}

interface TokenBody {
  q: string;
  ts: number;
  seq: number;
  gen: number;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const PAGE_BYTES = 1024 * 1024;
/** The service counts each event's message plus 26 bytes against the 1 MB page. */
const EVENT_OVERHEAD = 26;
const MAX_RECORDED = 10_000;

export interface EndpointOptions {
  /** Every n-th FilterLogEvents call that has events to give answers an empty page and a token. */
  emptyPageEvery?: number;
  /** Milliseconds each FilterLogEvents answer waits (for abort tests). */
  delayMs?: number;
  /** A page holds at most this many events whatever the limit (the service's pages are often partly full). */
  maxEventsPerPage?: number;
  /** The ingestion clock (default Date.now), shared with a test's fake clock. */
  now?: () => number;
}

export class CloudWatchLogsEndpoint {
  private readonly groups = new Map<string, LogGroup>();
  private readonly sockets = new Set<Socket>();
  private seq = 0;
  private tokenGeneration = 0;
  private failures: { type: string; status: number }[] = [];
  private filterCalls = 0;
  /** FilterLogEvents requests as received (the last 10,000). */
  readonly requests: FilterRequest[] = [];
  /** How many times FilterLogEvents returned each eventId. */
  readonly served = new Map<string, number>();
  /** Requests received per X-Amz-Target, failed ones included. */
  readonly calls: Record<string, number> = {};
  /** Requests refused for lacking a SigV4 Authorization header. */
  unsigned = 0;
  url = '';

  private constructor(
    private readonly server: Server,
    readonly options: EndpointOptions,
  ) {}

  static async start(options: EndpointOptions = {}): Promise<CloudWatchLogsEndpoint> {
    const server = createServer();
    const endpoint = new CloudWatchLogsEndpoint(server, options);
    server.on(
      'request',
      (req: IncomingMessage, res: ServerResponse) => void endpoint.handle(req, res),
    );
    server.on('connection', (socket: Socket) => {
      endpoint.sockets.add(socket);
      socket.once('close', () => endpoint.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return endpoint;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  createLogGroup(name: string): void {
    if (this.groups.has(name)) {
      throw new ApiError(
        'ResourceAlreadyExistsException',
        'The specified log group already exists',
      );
    }
    this.groups.set(name, { streams: new Set(), events: [] });
  }

  createLogStream(group: string, stream: string): void {
    const g = this.group(group);
    if (g.streams.has(stream)) {
      throw new ApiError(
        'ResourceAlreadyExistsException',
        'The specified log stream already exists',
      );
    }
    g.streams.add(stream);
  }

  /** Stores events now (their ingestion time), creating the group and stream if needed. */
  put(group: string, stream: string, events: LogEventInput[]): string[] {
    if (!this.groups.has(group)) this.createLogGroup(group);
    const g = this.group(group);
    g.streams.add(stream);
    const ingestionTime = (this.options.now ?? Date.now)();
    return events.map((e) => {
      const seq = ++this.seq;
      // The service's eventIds are 56 digits; ours keep the put order in them.
      const eventId = String(seq).padStart(56, '0');
      g.events.push({
        stream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime,
        seq,
        eventId,
      });
      return eventId;
    });
  }

  /** The next `count` calls (any operation) fail with this error. */
  failNext(count: number, type = 'ThrottlingException', status = 400): void {
    for (let i = 0; i < count; i++) this.failures.push({ type, status });
  }

  /** Every token handed out so far is refused from now on (the service's expire after 24 h). */
  expireTokens(): void {
    this.tokenGeneration++;
  }

  /** FilterLogEvents requests that carried a nextToken. */
  get pagedRequests(): number {
    return this.requests.filter((r) => r.nextToken !== undefined).length;
  }

  private group(name: string): LogGroup {
    const g = this.groups.get(name);
    if (!g)
      throw new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      if (req.method !== 'POST' || req.url !== '/') {
        throw new ApiError('UnknownOperationException', 'POST / only', 404);
      }
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('AWS4-HMAC-SHA256 Credential=') || !auth.includes('Signature=')) {
        this.unsigned++;
        throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      if (!String(req.headers['content-type']).startsWith('application/x-amz-json-1.1')) {
        throw new ApiError('SerializationException', 'expected application/x-amz-json-1.1');
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      this.calls[target] = (this.calls[target] ?? 0) + 1;
      const failure = this.failures.shift();
      if (failure) throw new ApiError(failure.type, 'Rate exceeded', failure.status);
      let input: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(body || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error();
        input = parsed as Record<string, unknown>;
      } catch {
        throw new ApiError('SerializationException', 'the body is not a JSON object');
      }
      let output: unknown;
      switch (target) {
        case 'Logs_20140328.FilterLogEvents':
          output = this.filterLogEvents(input, auth);
          if (this.options.delayMs) await delay(this.options.delayMs, req);
          break;
        case 'Logs_20140328.CreateLogGroup':
          this.createLogGroup(str(input.logGroupName, 'logGroupName'));
          output = {};
          break;
        case 'Logs_20140328.CreateLogStream':
          this.createLogStream(
            str(input.logGroupName, 'logGroupName'),
            str(input.logStreamName, 'logStreamName'),
          );
          output = {};
          break;
        case 'Logs_20140328.PutLogEvents':
          output = this.putLogEvents(input);
          break;
        default:
          throw new ApiError('UnknownOperationException', `unknown operation ${target}`);
      }
      send(res, 200, output);
    } catch (e) {
      if (e instanceof ApiError) send(res, e.status, { __type: e.type, message: e.message });
      else send(res, 500, { __type: 'ServiceUnavailableException', message: String(e) });
    }
  }

  private putLogEvents(input: Record<string, unknown>): unknown {
    const group = this.group(str(input.logGroupName, 'logGroupName'));
    const stream = str(input.logStreamName, 'logStreamName');
    if (!group.streams.has(stream)) {
      throw new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
    }
    const events = input.logEvents;
    if (!Array.isArray(events) || events.length === 0 || events.length > 10_000) {
      throw new ApiError('InvalidParameterException', 'logEvents must hold 1 to 10,000 events');
    }
    const parsed = events.map((e: unknown) => {
      const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
      return { timestamp: num(o.timestamp, 'timestamp'), message: str(o.message, 'message') };
    });
    this.put(str(input.logGroupName, 'logGroupName'), stream, parsed);
    return {};
  }

  private filterLogEvents(input: Record<string, unknown>, auth: string): unknown {
    if (input.filterPattern !== undefined) {
      throw new ApiError(
        'InvalidParameterException',
        'filterPattern is not supported by this test endpoint',
      );
    }
    const groupName = str(input.logGroupName, 'logGroupName');
    const group = this.group(groupName);
    const prefix = optStr(input.logStreamNamePrefix, 'logStreamNamePrefix');
    const names = input.logStreamNames;
    if (
      names !== undefined &&
      (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    ) {
      throw new ApiError('InvalidParameterException', 'logStreamNames must be strings');
    }
    if (prefix !== undefined && names !== undefined) {
      throw new ApiError(
        'InvalidParameterException',
        'logStreamNames and logStreamNamePrefix are mutually exclusive',
      );
    }
    const start = input.startTime === undefined ? 0 : num(input.startTime, 'startTime');
    const end =
      input.endTime === undefined ? Number.MAX_SAFE_INTEGER : num(input.endTime, 'endTime');
    if (start > end) throw new ApiError('InvalidParameterException', 'startTime is after endTime');
    const limit = input.limit === undefined ? 10_000 : num(input.limit, 'limit');
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ApiError('InvalidParameterException', 'limit must be from 1 to 10000');
    }
    const query = createHash('sha256')
      .update(JSON.stringify([groupName, prefix ?? null, names ?? null, start, end]))
      .digest('hex')
      .slice(0, 16);
    const token = optStr(input.nextToken, 'nextToken');
    let after: { ts: number; seq: number } | undefined;
    if (token !== undefined) {
      const t = decodeToken(token);
      if (!t || t.q !== query) {
        throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
      }
      if (t.gen !== this.tokenGeneration) {
        throw new ApiError('InvalidParameterException', 'The specified nextToken has expired.');
      }
      after = { ts: t.ts, seq: t.seq };
    }
    const wanted = group.events
      .filter(
        (e) =>
          e.timestamp >= start &&
          e.timestamp <= end &&
          (prefix === undefined || e.stream.startsWith(prefix)) &&
          (names === undefined || (names as string[]).includes(e.stream)) &&
          (after === undefined ||
            e.timestamp > after.ts ||
            (e.timestamp === after.ts && e.seq > after.seq)),
      )
      .sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
    this.filterCalls++;
    const page: StoredEvent[] = [];
    const empty =
      this.options.emptyPageEvery !== undefined &&
      this.filterCalls % this.options.emptyPageEvery === 0;
    if (!empty) {
      let bytes = 0;
      for (const e of wanted) {
        const size = Buffer.byteLength(e.message) + EVENT_OVERHEAD;
        const full = page.length >= Math.min(limit, this.options.maxEventsPerPage ?? limit);
        if (full || (page.length > 0 && bytes + size > PAGE_BYTES)) break;
        page.push(e);
        bytes += size;
      }
    }
    const last = page.at(-1);
    const position = last ? { ts: last.timestamp, seq: last.seq } : after;
    const more = empty ? wanted.length > 0 : page.length < wanted.length;
    const nextToken = more
      ? encodeToken({
          q: query,
          ts: position?.ts ?? -1,
          seq: position?.seq ?? -1,
          gen: this.tokenGeneration,
        })
      : undefined;
    for (const e of page) this.served.set(e.eventId, (this.served.get(e.eventId) ?? 0) + 1);
    if (this.requests.length >= MAX_RECORDED) this.requests.shift();
    this.requests.push({
      logGroupName: groupName,
      logStreamNamePrefix: prefix,
      logStreamNames: names as string[] | undefined,
      startTime: input.startTime as number | undefined,
      endTime: input.endTime as number | undefined,
      nextToken: token,
      limit: input.limit as number | undefined,
      returned: page.length,
      authorization: auth.split(',')[0],
    });
    return {
      events: page.map((e) => ({
        logStreamName: e.stream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: e.eventId,
      })),
      searchedLogStreams: [],
      ...(nextToken ? { nextToken } : {}),
    };
  }
}

function encodeToken(t: TokenBody): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): TokenBody | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenBody;
    return typeof v.q === 'string' && typeof v.ts === 'number' && typeof v.seq === 'number'
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new ApiError('InvalidParameterException', `${field} must be a non-empty string`);
  }
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field);
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ApiError('InvalidParameterException', `${field} must be a number`);
  }
  return v;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': createHash('md5').update(text).digest('hex'),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new ApiError('InvalidParameterException', 'request too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number, req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      req.socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    req.socket.once('close', done);
  });
}
