// The hook endpoints on the server's shared HTTP port, one per dialect, all answered by one
// HookDecider:
//   POST|GET /hooks/nginx-rtmp/{node}?token=…   nginx-rtmp notify (form body, or query with GET)
//   POST     /hooks/srs[/{node}]?token=…         SRS http_hooks (JSON; node defaults to server_id)
//   POST     /hooks/tencent-css                  Tencent CSS callbacks (JSON, signed md5(key + t))
// nginx-rtmp and SRS calls carry the operator's hook token (compared in constant time); without a
// configured token only loopback callers are answered. Tencent CSS calls are signed instead.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LinkMicError, ValidationError, constantTimeEqual, toErrorPayload, type Disposable, type ErrorPayload } from '../../common';
import { sendJson } from '../http/http-host';
import { readBody } from '../http/read-body';
import { statusForCode } from '../http/http-status';
import { isLoopbackHost } from '../../node/loopback';
import type { HookDecider } from './hook-decider';
import type { HookDecision, HookEvent } from './hook-event';
import { parseNginxRtmpHook } from './nginx-rtmp-hook';
import type { RelayMarkers } from './relay-markers';
import { parseSrsHook } from './srs-hook';
import { parseTencentCssCallback } from './tencent-css-callback';

export const HOOKS_PATH = '/hooks';
const MAX_HOOK_BODY_BYTES = 16 * 1024;
const NODE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface HookEndpointsOptions {
  /** Token nginx-rtmp and SRS put in the hook URL (`?token=`); unset = loopback callers only. */
  readonly token?: string | undefined;
  /** Tencent CSS callback key; unset = Tencent callbacks are refused. */
  readonly tencentCallbackKey?: string | undefined;
  readonly relays: RelayMarkers;
  /** Unix seconds (tests). */
  readonly now?: () => number;
}

export interface HookRouteHost {
  addRoute(method: 'POST' | '*', pathPrefix: string, handler: (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>): Disposable;
}

export class MountedHooks implements Disposable {
  private readonly disposables: Disposable[];

  constructor(
    host: HookRouteHost,
    private readonly decider: HookDecider,
    private readonly options: HookEndpointsOptions,
  ) {
    this.disposables = [
      host.addRoute('*', `${HOOKS_PATH}/nginx-rtmp/`, (req, res, url) => this.nginxRtmp(req, res, url)),
      host.addRoute('POST', `${HOOKS_PATH}/srs`, (req, res, url) => this.srs(req, res, url)),
      host.addRoute('POST', `${HOOKS_PATH}/tencent-css`, (req, res) => this.tencentCss(req, res)),
    ];
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private async nginxRtmp(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let event: HookEvent;
    try {
      this.authorise(req, url);
      const node = nodeOf(url, 'nginx-rtmp');
      if (node === undefined) throw new ValidationError('INVALID_URL', 'node', 'expected /hooks/nginx-rtmp/{node}');
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'POST' && method !== 'GET') throw new LinkMicError('NOT_ALLOWED', 'nginx-rtmp notifications are POST (or GET with notify_method get)');
      const form = method === 'POST' ? await readBody(req, MAX_HOOK_BODY_BYTES) : url.search.slice(1);
      event = parseNginxRtmpHook(node, form, this.options.relays);
    } catch (error) {
      sendRefusal(res, toErrorPayload(error));
      return;
    }
    const decision = await this.decider.decide(event);
    if (decision.allow) sendText(res, 200, 'ok');
    else sendRefusal(res, decision.error);
  }

  private async srs(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let decision: HookDecision;
    try {
      this.authorise(req, url);
      const event = parseSrsHook(nodeOf(url, 'srs'), parseJson(await readBody(req, MAX_HOOK_BODY_BYTES)), this.options.relays);
      decision = await this.decider.decide(event);
    } catch (error) {
      decision = { allow: false, error: toErrorPayload(error) };
    }
    // SRS allows on HTTP 200 with {"code":0} only.
    if (decision.allow) sendJson(res, 200, { code: 0 });
    else sendJson(res, statusForCode(decision.error.code), { code: statusForCode(decision.error.code), error: decision.error });
  }

  private async tencentCss(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let decision: HookDecision | undefined;
    try {
      const key = this.options.tencentCallbackKey;
      if (key === undefined) throw new LinkMicError('NOT_ALLOWED', 'Tencent CSS callbacks are not configured (tencentCallbackKey)');
      const event = parseTencentCssCallback(parseJson(await readBody(req, MAX_HOOK_BODY_BYTES)), key, this.now());
      if (event) decision = await this.decider.decide(event);
    } catch (error) {
      const payload = toErrorPayload(error);
      sendJson(res, statusForCode(payload.code), { code: statusForCode(payload.code), error: payload });
      return;
    }
    // Notification only: acknowledged whatever the decision (it is recorded by the decider).
    sendJson(res, 200, decision && !decision.allow ? { code: 0, refused: decision.error } : { code: 0 });
  }

  private authorise(req: IncomingMessage, url: URL): void {
    const token = this.options.token;
    if (token === undefined) {
      const remote = req.socket.remoteAddress ?? '';
      if (!isLoopbackHost(remote.replace(/^::ffff:/, ''))) throw new LinkMicError('NOT_ALLOWED', 'hooks without a configured token answer loopback callers only');
      return;
    }
    const given = url.searchParams.get('token');
    if (given === null || !constantTimeEqual(given, token)) throw new LinkMicError('NOT_ALLOWED', 'hook token missing or wrong', { field: 'token' });
  }

  private now(): number {
    return this.options.now ? this.options.now() : Math.floor(Date.now() / 1000);
  }
}

/** `/hooks/{dialect}/{node}` → node (undefined when absent); a malformed node is refused. */
function nodeOf(url: URL, dialect: string): string | undefined {
  const rest = url.pathname.slice(`${HOOKS_PATH}/${dialect}`.length).replace(/^\/+|\/+$/g, '');
  if (rest === '') return undefined;
  if (!NODE_NAME.test(rest)) throw new ValidationError('INVALID_URL', 'node', `node name "${rest.slice(0, 64)}" must be 1-64 characters of A-Z, a-z, 0-9, _ . -`);
  return rest;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('INVALID_MESSAGE', 'body', 'hook body is not JSON');
  }
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Never a 3xx: nginx-rtmp would read it as a rename or a relay. */
function sendRefusal(res: ServerResponse, error: ErrorPayload): void {
  sendJson(res, statusForCode(error.code), { error });
}
