// A TCP proxy between players and the origin that can stall: pause(ms) holds every byte from the
// origin for `ms`, then lets it all through at once (what a congested link or a Wi-Fi hiccup does).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { listenOn } from '../../node/listen';

export class StallProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; held: Buffer[] }>();
  private pausedUntil = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    this.port = (await listenOn(server, '127.0.0.1', 0, 'proxy')).port;
    return this.port;
  }

  /** Holds all origin-to-player bytes for `ms`, then releases them in one burst. */
  pause(ms: number): Promise<void> {
    this.pausedUntil = Date.now() + ms;
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    return new Promise((ok) => {
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = null;
        this.pausedUntil = 0;
        for (const pair of this.pairs) {
          for (const chunk of pair.held) pair.client.write(chunk);
          pair.held = [];
        }
        ok();
      }, ms);
    });
  }

  /** Cuts every current connection (the players see the stream drop). */
  dropAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.dropAll();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream, held: [] as Buffer[] };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (Date.now() < this.pausedUntil) pair.held.push(chunk);
      else client.write(chunk);
    });
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
