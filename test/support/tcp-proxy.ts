import { createServer, Server, Socket } from 'node:net';

/**
 * How the proxy treats traffic:
 * - `pass`: every byte is forwarded both ways;
 * - `refuse`: the database is down: live connections are reset and new ones refused
 *   (the listener is closed, so a connect gets ECONNREFUSED);
 * - `blackhole`: a network partition: connections stay open but nothing gets through (live ones
 *   are paused, new ones accepted and never answered), as when packets are silently dropped.
 */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

interface Pair {
  client: Socket;
  upstream?: Socket;
}

/** A TCP proxy between the application and its database, to cut the database off at will. */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private mode: ProxyMode = 'pass';
  port = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  /** Listens on a loopback port (the same one again after an outage). */
  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
    this.port = address.port;
  }

  get liveConnections(): number {
    return this.pairs.size;
  }

  async setMode(mode: ProxyMode): Promise<void> {
    const previous = this.mode;
    this.mode = mode;
    if (mode === 'refuse') {
      for (const pair of this.pairs) this.drop(pair);
      await this.closeListener();
      return;
    }
    if (previous === 'refuse') await this.start();
    if (mode === 'blackhole') {
      for (const { client, upstream } of this.pairs) {
        // Unpiped as well as paused: a pipe resumes its source when the destination drains.
        if (upstream) {
          client.unpipe(upstream);
          upstream.unpipe(client);
          upstream.pause();
        }
        client.pause();
      }
      return;
    }
    if (previous !== 'blackhole') return;
    // Back to pass: a healed partition delivers what TCP buffered; connections accepted while
    // black-holed never reached the database, and their client gave up long ago.
    for (const pair of this.pairs) {
      if (pair.upstream) {
        pair.client.pipe(pair.upstream);
        pair.upstream.pipe(pair.client);
      } else {
        this.drop(pair);
      }
    }
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair);
    await this.closeListener();
  }

  private accept(client: Socket): void {
    const pair: Pair = { client };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    if (this.mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = new Socket();
    pair.upstream = upstream;
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
    upstream.connect(this.upstreamPort, this.upstreamHost);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  }

  private closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
