// The server's single HTTP port: routes by method and path prefix, WebSocket upgrade handlers by
// path prefix, JSON errors, and a close() that leaves no connection behind (upgraded sockets
// included). The origin (HTTP-FLV / WS-FLV), the API, the signalling WebSocket and the viewer
// pages all mount here.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { InvalidStateError, LinkMicError, toErrorPayload, type Disposable } from '../../common';
import type { Logger } from '../../node/logger';
import { closeServer, listenOn } from '../../node/listen';
import { statusForCode } from './http-status';

/** `url` is the request URL parsed against the Host header. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void | Promise<void>;

/** `*` matches any method. */
export type RouteMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | '*';

interface Route {
  readonly method: RouteMethod;
  readonly prefix: string;
  readonly handler: RouteHandler;
}

interface Upgrade {
  readonly prefix: string;
  readonly handler: UpgradeHandler;
}

/**
 * A prefix matches the path itself and anything below it: `/api/streams` matches `/api/streams`
 * and `/api/streams/x`, not `/api/streamsx`; a prefix ending in `/` matches anything under it.
 */
export function matchesPrefix(pathname: string, prefix: string): boolean {
  if (prefix === '/' || pathname === prefix) return true;
  return pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

function normalisePrefix(prefix: string): string {
  if (!prefix.startsWith('/')) throw new LinkMicError('INVALID_ARGUMENT', `path prefix must start with "/": ${prefix}`, { field: 'pathPrefix' });
  return prefix;
}

/** Routes and upgrade handlers; outlives an HttpHost so a server can be stopped and started again. */
export class RouteTable {
  readonly routes: Route[] = [];
  readonly upgrades: Upgrade[] = [];

  /** Adds a route; the longest matching prefix wins, then the most recently added. */
  addRoute(method: RouteMethod, pathPrefix: string, handler: RouteHandler): Disposable {
    const route: Route = { method, prefix: normalisePrefix(pathPrefix), handler };
    this.routes.push(route);
    return { dispose: () => remove(this.routes, route) };
  }

  /** Adds a WebSocket (or other) upgrade handler for a path prefix; longest prefix wins. */
  addUpgradeHandler(pathPrefix: string, handler: UpgradeHandler): Disposable {
    const upgrade: Upgrade = { prefix: normalisePrefix(pathPrefix), handler };
    this.upgrades.push(upgrade);
    return { dispose: () => remove(this.upgrades, upgrade) };
  }
}

export class HttpHost {
  private readonly server: http.Server;
  private readonly routes: Route[];
  private readonly upgrades: Upgrade[];
  private readonly sockets = new Set<Socket>();
  private readonly log: Logger;
  private state: 'idle' | 'starting' | 'running' | 'closing' | 'closed' = 'idle';
  private closing: Promise<void> | undefined;
  private boundPort = 0;

  constructor(
    logger: Logger,
    readonly table: RouteTable = new RouteTable(),
  ) {
    this.routes = table.routes;
    this.upgrades = table.upgrades;
    this.log = logger.child({ component: 'http' });
    this.server = http.createServer({ keepAlive: true }, (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (socket: Socket) => {
      if (this.state === 'closing' || this.state === 'closed') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      this.log.debug({ err: error }, 'HTTP client error');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      socket.destroy();
    });
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(host: string, port: number): Promise<number> {
    if (this.state !== 'idle') throw new InvalidStateError(`HTTP host cannot start: it is ${this.state}`);
    this.state = 'starting';
    try {
      const address = await listenOn(this.server, host, port, 'HTTP');
      this.server.on('error', (error) => this.log.error({ err: error }, 'HTTP listener error'));
      this.boundPort = address.port;
      this.state = 'running';
      return address.port;
    } catch (error) {
      this.state = 'closed';
      throw error;
    }
  }

  /** Stops listening and destroys every connection, upgraded ones included. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      const closed = closeServer(this.server);
      const waits = [...this.sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed && !this.sockets.has(socket)) resolve();
            else socket.once('close', () => resolve());
            socket.destroy();
          }),
      );
      await Promise.all(waits);
      await closed;
      this.state = 'closed';
    })();
    return this.closing;
  }

  private pick<T extends { prefix: string }>(list: readonly T[], pathname: string, accept: (item: T) => boolean): T | undefined {
    let best: T | undefined;
    for (const item of list) {
      if (!accept(item) || !matchesPrefix(pathname, item.prefix)) continue;
      if (!best || item.prefix.length >= best.prefix.length) best = item;
    }
    return best;
  }

  private parseUrl(req: IncomingMessage): URL | undefined {
    try {
      return new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      return undefined;
    }
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = this.parseUrl(req);
    if (!url) {
      sendJson(res, 400, { error: { name: 'ValidationError', code: 'INVALID_URL', message: 'malformed request URL' } });
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS' && !this.pick(this.routes, url.pathname, (route) => route.method === 'OPTIONS')) {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    const route = this.pick(this.routes, url.pathname, (candidate) => candidate.method === '*' || candidate.method === method || (method === 'HEAD' && candidate.method === 'GET'));
    if (!route) {
      const other = this.pick(this.routes, url.pathname, () => true);
      if (other) sendJson(res, 405, { error: { name: 'LinkMicError', code: 'NOT_ALLOWED', message: `${method} is not allowed on ${url.pathname}` } });
      else sendJson(res, 404, { error: { name: 'LinkMicError', code: 'INVALID_URL', message: `no route for ${url.pathname}` } });
      return;
    }
    const fail = (error: unknown): void => {
      const payload = toErrorPayload(error);
      if (payload.code === 'INTERNAL') this.log.error({ err: error, path: url.pathname }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, statusForCode(payload.code), { error: payload });
      else res.destroy();
    };
    try {
      const result = route.handler(req, res, url);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => this.log.debug({ err: error }, 'upgraded socket error'));
    const url = this.parseUrl(req);
    const upgrade = url && this.state === 'running' ? this.pick(this.upgrades, url.pathname, () => true) : undefined;
    if (!url || !upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    const fail = (error: unknown): void => {
      this.log.error({ err: error, path: url.pathname }, 'upgrade handler failed');
      socket.destroy();
    };
    try {
      const result = upgrade.handler(req, socket, head, url);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'Access-Control-Allow-Origin': '*',
  });
  res.end(text);
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}
