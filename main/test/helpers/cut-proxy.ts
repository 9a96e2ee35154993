// A TCP proxy in front of a server that can cut the line: cut() drops every connection through it
// and refuses new ones (the client sees a network outage and keeps retrying; the server sees the
// sockets close, so its grace period starts) until restore().
import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOn } from '../../../node/listen';

export class CutProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** http://127.0.0.1:{port} of the proxy. */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    this.port = (await listenOn(server, '127.0.0.1', 0, 'proxy')).port;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  private accept(client: Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
