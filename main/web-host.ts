// The web host: the same StudioCore behind a plain Node HTTP server on 127.0.0.1. It serves the
// built renderer (dist/renderer) and bridges the StudioApi over a WebSocket at WEB_BRIDGE_PATH,
// protected by a per-run token (page URL `#token=…`, WebSocket `?token=…`). A missing or wrong
// token, or a foreign Origin, is refused. It is how the console runs in real Chromium in tests, and
// it works as a remote console.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { LinkMicError, toErrorPayload } from '../common/errors';
import { constantTimeEqual } from '../common/signing';
import { hostPort, listenOn } from '../node/listen';
import { isLoopbackHost } from '../node/loopback';
import {
  bridgeCallSchema,
  STUDIO_EVENTS,
  STUDIO_METHODS,
  WEB_BRIDGE_PATH,
  WEB_CLOSE_UNAUTHORIZED,
  WEB_MAX_MESSAGE_BYTES,
  WEB_TOKEN_PARAM,
  type BridgeMessage,
} from '../common/studio-api';
import type { StudioCore } from './core/studio-core';
import { CONTENT_SECURITY_POLICY, contentTypeOf, fileInside } from './security/app-content';

export { CONTENT_SECURITY_POLICY } from './security/app-content';

export interface WebHostOptions {
  readonly core: StudioCore;
  /** The built renderer folder (index.html + assets). */
  readonly rendererDir: string;
  /** Bind address: 127.0.0.1 unless you mean to expose a remote console. */
  readonly host?: string;
  /** 0 = any free port. */
  readonly port?: number;
  /** The per-run token; default 32 random bytes, hex. */
  readonly token?: string;
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** Drops events for a console that stopped reading (state snapshots are re-sent on the next change). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class WebHost {
  /** `http://127.0.0.1:{port}` */
  readonly baseUrl: string;
  readonly token: string;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    private readonly clients: Set<WebSocket>,
    baseUrl: string,
    token: string,
  ) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** The URL to open: the console with the token in the fragment (never sent in HTTP requests). */
  get pageUrl(): string {
    return `${this.baseUrl}/#${WEB_TOKEN_PARAM}=${this.token}`;
  }

  get port(): number {
    return Number(new URL(this.baseUrl).port);
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  static async start(options: WebHostOptions): Promise<WebHost> {
    const token = options.token ?? randomBytes(32).toString('hex');
    const host = options.host ?? '127.0.0.1';
    const rendererDir = path.resolve(options.rendererDir);
    const clients = new Set<WebSocket>();
    const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(WEB_MAX_MESSAGE_BYTES, 96_000 + 1024), perMessageDeflate: false, clientTracking: false });
    const server = http.createServer((request, response) => {
      void serveStatic(rendererDir, request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    let baseUrl = '';
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== WEB_BRIDGE_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      // Bound to loopback: only loopback Host names (no DNS rebinding onto the console).
      if (isLoopbackHost(host) && !isLoopbackHostHeader(request.headers.host)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      // A browser names the page that opened the socket: it must be a page we served (same host:port).
      const origin = request.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, request.headers.host ? `http://${request.headers.host}` : baseUrl)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      const authorised = tokenMatches(url.searchParams.get(WEB_TOKEN_PARAM), token);
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (!authorised) {
          // Upgrade, then close at once with a code the console can explain; nothing is read.
          ws.close(WEB_CLOSE_UNAUTHORIZED, 'missing or wrong token');
          return;
        }
        attachClient(ws, options, clients);
      });
    });
    const address = await listenOn(server, host, options.port ?? 0, 'web console');
    baseUrl = `http://${hostPort(host, address.port)}`;
    return new WebHost(server, wss, clients, baseUrl, token);
  }

  /** Closes every console connection and the HTTP server. Idempotent. Does not close the core. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const client of this.clients) client.close(1001, 'studio shutting down');
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      for (const client of this.clients) client.terminate();
      this.clients.clear();
      this.wss.close();
    })();
    return this.closing;
  }
}

export function startWebHost(options: WebHostOptions): Promise<WebHost> {
  return WebHost.start(options);
}

function tokenMatches(given: string | null, expected: string): boolean {
  return given !== null && constantTimeEqual(given, expected);
}

function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return true;
  try {
    return isLoopbackHost(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return false;
  }
}

function sameOrigin(origin: string, baseUrl: string): boolean {
  try {
    const a = new URL(origin);
    const b = new URL(baseUrl);
    return a.protocol === b.protocol && a.port === b.port && (a.hostname === b.hostname || (isLoopbackHost(a.hostname) && isLoopbackHost(b.hostname)));
  } catch {
    return false;
  }
}

function attachClient(ws: WebSocket, options: WebHostOptions, clients: Set<WebSocket>): void {
  const { core } = options;
  clients.add(ws);
  const send = (message: BridgeMessage, droppable = false): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (droppable && ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
    ws.send(JSON.stringify(message));
  };
  const subscriptions = STUDIO_EVENTS.map((event) => core.events.on(event, (payload) => send({ type: 'event', event, payload }, event === 'stats')));
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = toBuffer(data);
    if (isBinary) {
      core.pushAudioFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    if (bytes.byteLength > WEB_MAX_MESSAGE_BYTES) {
      send({ type: 'error', error: new LinkMicError('MESSAGE_TOO_LARGE', `a message is at most ${WEB_MAX_MESSAGE_BYTES} bytes`).toPayload() });
      return;
    }
    let call;
    try {
      const parsed = bridgeCallSchema.safeParse(JSON.parse(bytes.toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.map(String).join('.') || 'message';
        const id = (JSON.parse(bytes.toString('utf8')) as { id?: unknown }).id;
        const error = new LinkMicError('INVALID_MESSAGE', `${field}: ${issue?.message ?? 'invalid'}`, { field }).toPayload();
        if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) send({ type: 'result', id, result: { ok: false, error } });
        else send({ type: 'error', error });
        return;
      }
      call = parsed.data;
    } catch {
      send({ type: 'error', error: new LinkMicError('INVALID_MESSAGE', 'a message must be JSON').toPayload() });
      return;
    }
    const { id, method, input } = call;
    void core.invoke(method, input).then(
      (result) => send({ type: 'result', id, result }),
      (error: unknown) => send({ type: 'result', id, result: { ok: false, error: toErrorPayload(error) } }),
    );
  });
  ws.on('close', () => {
    clients.delete(ws);
    for (const subscription of subscriptions) subscription.dispose();
  });
  ws.on('error', (error) => options.logger?.warn('console connection error', { error: String(error) }));
  send({ type: 'hello', methods: STUDIO_METHODS, events: STUDIO_EVENTS });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

async function serveStatic(rootDir: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const headers = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
    return;
  }
  const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
  const file = fileInside(rootDir, pathname);
  if (!file) {
    response.writeHead(404, headers).end();
    return;
  }
  let info;
  try {
    info = await stat(file);
  } catch {
    info = undefined;
  }
  if (!info?.isFile()) {
    response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': contentTypeOf(file),
    'content-length': info.size,
    'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}
