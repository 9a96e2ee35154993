// FLV serving on the server's shared HTTP port: HTTP-FLV plays (GET /live/{code}.flv) and WS-FLV
// plays (the same path upgraded to a WebSocket). Each play is checked against the link-mic policy,
// routed to the mix when one runs ([mixer]) and handed to NMS's FlvSession under the origin's
// internal app. Only RTMP publishes: an HTTP or WebSocket publish is refused with NOT_ALLOWED.
import type net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LinkMicError, parseQuery, toErrorPayload, type ErrorPayload } from '../../common';
import { statusForCode } from '../http/http-status';
import { FlvSession } from './nms-bridge';
import type { PlayGrant } from './origin-policy';
import type { OriginShared } from './origin-records';
import { countRefusal } from './origin-refusals';

const FLV_PATH = /^\/([^/]+)\/([^/]+)\.flv$/;

export class FlvServing {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });

  constructor(private readonly shared: OriginShared) {}

  /** GET /live/{code}.flv[?session_id=…&txSecret=…&txTime=…] on the shared HTTP port. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const shared = this.shared;
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const match = FLV_PATH.exec(pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Publishing over HTTP-FLV would bypass the RTMP refusal path; only RTMP publishes.
      sendJsonError(res, 405, new LinkMicError('NOT_ALLOWED', 'only GET plays are served here; publish over RTMP'));
      return;
    }
    let grant: PlayGrant;
    try {
      if (!shared.isRunning()) throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (!match) throw new LinkMicError('INVALID_URL', 'expected /live/{streamCode}.flv');
      grant = shared.policy.decide('play', { app: match[1]!, streamCode: match[2]!, query: parseQuery(rawQuery) }, shared.policyState);
    } catch (error) {
      const payload = countRefusal(shared, 'play', 'http-flv', match?.[2] ?? pathname, remote, error);
      sendJsonError(res, statusForCode(payload.code), payload);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'video/x-flv',
      'Cache-Control': 'no-cache, no-store',
      'Access-Control-Allow-Origin': '*',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    req.socket.setNoDelay(true);
    const socket = req.socket;
    const play = shared.plays.open(grant, 'http-flv', remote, {
      backlog: () => res.writableLength,
      destroy: () => socket.destroy(),
      closed: new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))),
    });
    // FlvSession expects an express request: params, query and hostname.
    // [mixer] an audience play of a mixed stream is served from the mix
    const source = shared.routing.playSource(grant, parseQuery(rawQuery));
    Object.assign(req, { params: { app: shared.internalApp, name: source }, query: Object.fromEntries(parseQuery(rawQuery)), hostname: req.headers.host?.split(':')[0] ?? '' });
    const session = new FlvSession(req, res);
    // A player has nothing to send: a request body is discarded, never parsed as an FLV publish.
    session.onData = () => undefined;
    shared.plays.attachPlayer(play, session);
    session.run();
    shared.plays.endBurst(play);
    socket.once('close', () => shared.plays.finish(play.playId));
    shared.plays.announce(play);
  }

  /** Upgrade of GET /live/{code}.flv to WebSocket-FLV on the shared HTTP port. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const shared = this.shared;
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const match = FLV_PATH.exec(pathname);
    let grant: PlayGrant;
    try {
      if (!shared.isRunning()) throw new LinkMicError('INVALID_STATE', 'the origin is closing');
      if (!match) throw new LinkMicError('INVALID_URL', 'expected /live/{streamCode}.flv');
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '').toLowerCase();
      if (/\b(post|publisher)\b/.test(protocols)) throw new LinkMicError('NOT_ALLOWED', 'publishing over WebSocket is not served; publish over RTMP');
      grant = shared.policy.decide('play', { app: match[1]!, streamCode: match[2]!, query: parseQuery(rawQuery) }, shared.policyState);
    } catch (error) {
      const payload = countRefusal(shared, 'play', 'ws-flv', match?.[2] ?? pathname, remote, error);
      rejectUpgrade(socket, statusForCode(payload.code), payload);
      return;
    }
    let ws: WebSocket | undefined;
    const play = shared.plays.open(grant, 'ws-flv', remote, {
      backlog: () => ws?.bufferedAmount ?? 0,
      destroy: () => (ws ? ws.terminate() : socket.destroy()),
      closed: new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))),
    });
    socket.once('close', () => shared.plays.finish(play.playId));
    this.wss.handleUpgrade(req, socket, head, (client) => {
      ws = client;
      if (play.ended || !shared.isRunning()) {
        client.terminate();
        return;
      }
      (req.socket as net.Socket).setNoDelay(true);
      // FlvSession parses app and name from the URL: point it at the internal app.
      // [mixer] an audience play of a mixed stream is served from the mix
      req.url = `/${shared.internalApp}/${shared.routing.playSource(grant, parseQuery(rawQuery))}.flv${rawQuery === '' ? '' : `?${rawQuery}`}`;
      const session = new FlvSession(req, client);
      // A WS-FLV player has nothing to send: NMS would parse a message as an FLV publish.
      session.onData = () => {
        if (play.endReason !== undefined) return;
        play.endReason = 'kicked';
        shared.log.info({ streamCode: play.streamCode, remote: play.remote, code: 'INVALID_MESSAGE' }, 'WS-FLV player sent a message: dropped');
        client.terminate();
      };
      shared.plays.attachPlayer(play, session);
      session.run();
      shared.plays.endBurst(play);
      shared.plays.announce(play);
    });
  }

  /** Stops the WebSocket side: no more upgrades, every WS-FLV client terminated. */
  close(): void {
    this.wss.close();
    for (const client of this.wss.clients) client.terminate();
  }
}

function sendJsonError(res: ServerResponse, status: number, error: unknown): void {
  const payload = error instanceof Error ? toErrorPayload(error) : (error as ErrorPayload);
  const body = JSON.stringify({ error: payload });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Access-Control-Allow-Origin': '*' });
  res.end(body);
}

function rejectUpgrade(socket: Duplex, status: number, error: unknown): void {
  const body = JSON.stringify({ error: error instanceof Error ? toErrorPayload(error) : (error as ErrorPayload) });
  socket.end(
    `HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : status === 403 ? 'Forbidden' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}
