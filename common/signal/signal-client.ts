// SignalClient: the typed client of the `/signal` WebSocket, for main/, the browser viewer page and
// tests. Pure (no Node, no DOM): the WebSocket comes from a factory (`(url) => new WebSocket(url)`
// in a browser, `ws`'s class under Node 20).
//
// - request/response with ids and timeouts (`request(type, params)` and one method per request);
// - typed events (`client.events.on('link.started', …)`) for every server event;
// - reconnects with exponential backoff and jitter after an unexpected close, then re-announces
//   its state when the server no longer holds it (server restart, or past the grace period):
//   re-opens its room with the same stream code and previous session_id, re-joins rooms, and
//   reports the links / PK that could not survive as `link.ended` / `pk.ended` (reason
//   `disconnected`). Within the grace the server resumes the state and nothing is re-sent.
import { backoffDelayMs, type BackoffOptions } from '../backoff';
import { LinkMicError, isErrorCode, type ErrorPayload } from '../errors';
import { TypedEmitter } from '../typed-emitter';
import {
  CLOSE_AUTH_FAILED,
  EVENTS,
  REQUESTS,
  type EventPayload,
  type EventType,
  type LinkStarted,
  type PkStarted,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type ServerMix,
} from './messages';

/** Event handler type checked bivariantly, so both `ws` and DOM WebSockets fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket (DOM or `ws`) the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

/** How the client reconnects: the shared backoff rule (common/backoff.ts; defaults 250 ms → 10 s, ×2, ±20 %). */
export interface ReconnectOptions extends BackoffOptions {
  /** Attempts before giving up (default: unlimited). */
  readonly maxAttempts?: number;
}

const RECONNECT_DEFAULTS = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 } as const;

export interface SignalClientOptions {
  /** `ws://host:port/signal` (or wss://). */
  readonly url: string;
  /**
   * Other signalling nodes of the same cluster: after a lost connection each reconnect attempt
   * tries the next URL in turn (`url`, then these), so a client whose node died continues on another.
   */
  readonly fallbackUrls?: readonly string[];
  readonly userId: string;
  /** The login token, or a function that fetches a fresh one before each (re)connect. */
  readonly token: string | (() => string | Promise<string>);
  readonly createWebSocket: WebSocketFactory;
  /** Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Reconnect after an unexpected close (default on). */
  readonly reconnect?: ReconnectOptions | false;
  /** Times a re-join of a room not (yet) re-opened by its host is retried (default 5). */
  readonly rejoinAttempts?: number;
  readonly random?: () => number;
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export type HelloResult = RequestResult<'hello'>;

export type SignalClientEvents = { [T in EventType]: EventPayload<T> } & {
  state: { state: ClientState };
  /** Every successful hello (first connect and each reconnect). */
  connected: HelloResult;
  reconnecting: { attempt: number; delayMs: number };
  /** After a reconnect the server did not resume: what was re-announced. */
  reannounced: { roomId: string | null; sessionId: number | null; rejoined: string[] };
  /** The socket closed (a reconnect may follow). */
  disconnected: { code: number; reason: string };
  /** An error not tied to a request (e.g. an error answer with id null). */
  error: ErrorPayload;
  /** The client stopped for good (close() or no more reconnects). */
  close: { error?: ErrorPayload };
};

interface Pending {
  readonly type: RequestType;
  readonly params: Record<string, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: LinkMicError) => void;
  readonly timer: unknown;
}

interface HostedRoomIntent {
  streamCode: string;
  sessionId: number;
  allowLinkRequests: boolean;
  guestLimit: number;
  serverMix: ServerMix;
}

const OPEN = 1;

export class SignalClient {
  readonly events = new TypedEmitter<SignalClientEvents>();
  private socket: WebSocketLike | undefined;
  private currentState: ClientState = 'idle';
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private attempt = 0;
  /** Which of `url` and `fallbackUrls` the next connection uses. */
  private urlIndex = 0;
  private reconnectTimer: unknown;
  private everConnected = false;
  private stopped = false;
  // State to re-announce.
  private hostedRoom: HostedRoomIntent | undefined;
  private readonly joinedRooms = new Set<string>();
  private readonly links = new Map<string, LinkStarted>();
  private pk: PkStarted | undefined;

  constructor(private readonly options: SignalClientOptions) {}

  get state(): ClientState {
    return this.currentState;
  }

  get userId(): string {
    return this.options.userId;
  }

  /** Links this client is part of, as last told by the server. */
  get activeLinks(): readonly LinkStarted[] {
    return [...this.links.values()];
  }

  get activePk(): PkStarted | undefined {
    return this.pk;
  }

  /** Connects and says hello; rejects with the server's error (e.g. TOKEN_EXPIRED) or CONNECT_FAILED. */
  connect(): Promise<HelloResult> {
    if (this.stopped) return Promise.reject(new LinkMicError('INVALID_STATE', 'client is closed'));
    if (this.currentState !== 'idle') return Promise.reject(new LinkMicError('INVALID_STATE', `client is ${this.currentState}`));
    return this.open();
  }

  /** Closes for good: no reconnect; pending requests fail with DISCONNECTED. Idempotent. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, 'client closed');
    }
    this.failPending('DISCONNECTED', 'client closed');
    this.setState('closed');
    this.events.emit('close', {});
  }

  /** Sends a request and resolves with its result, or rejects with a LinkMicError (code from the server, or TIMEOUT / DISCONNECTED). */
  request<T extends Exclude<RequestType, 'hello'>>(type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    if (this.currentState !== 'open' || !this.socket) {
      return Promise.reject(new LinkMicError('DISCONNECTED', `not connected (${this.currentState})`));
    }
    return this.send(this.socket, type, params as Record<string, unknown>) as Promise<RequestResult<T>>;
  }

  // Named requests ---------------------------------------------------------------------------

  ping() {
    return this.request('ping', {});
  }
  sendC2C(to: string, body: unknown) {
    return this.request('c2c.send', { to, body });
  }
  openRoom(params: RequestParams<'room.open'>) {
    return this.request('room.open', params);
  }
  updateRoom(params: RequestParams<'room.update'>) {
    return this.request('room.update', params);
  }
  closeRoom(roomId: string) {
    return this.request('room.close', { roomId });
  }
  joinRoom(roomId: string) {
    return this.request('room.join', { roomId });
  }
  leaveRoom(roomId: string) {
    return this.request('room.leave', { roomId });
  }
  requestLink(roomId: string, streamCode: string) {
    return this.request('link.request', { roomId, streamCode });
  }
  cancelLinkRequest(requestId: string) {
    return this.request('link.cancel', { requestId });
  }
  acceptLink(requestId: string) {
    return this.request('link.accept', { requestId });
  }
  rejectLink(requestId: string, reason?: string) {
    return this.request('link.reject', reason === undefined ? { requestId } : { requestId, reason });
  }
  hangUp(linkId: string) {
    return this.request('link.hangup', { linkId });
  }
  kick(linkId: string) {
    return this.request('link.kick', { linkId });
  }
  /** `durationSec` (60/180/300/600) makes it a PK battle; omitted: an open-ended PK. */
  invitePk(roomId: string, durationSec?: number) {
    return this.request('pk.invite', durationSec === undefined ? { roomId } : { roomId, durationSec });
  }
  votePk(pkId: string, roomId: string, kind: RequestParams<'pk.vote'>['kind']) {
    return this.request('pk.vote', { pkId, roomId, kind });
  }
  rematchPk(pkId: string) {
    return this.request('pk.rematch', { pkId });
  }
  cancelPkInvite(pkId: string) {
    return this.request('pk.cancel', { pkId });
  }
  acceptPk(pkId: string) {
    return this.request('pk.accept', { pkId });
  }
  rejectPk(pkId: string, reason?: string) {
    return this.request('pk.reject', reason === undefined ? { pkId } : { pkId, reason });
  }
  endPk(pkId: string) {
    return this.request('pk.end', { pkId });
  }
  setLayout(params: RequestParams<'layout.set'>) {
    return this.request('layout.set', params);
  }

  // Connection ---------------------------------------------------------------------------------

  private async open(): Promise<HelloResult> {
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    let token: string;
    try {
      token = typeof this.options.token === 'string' ? this.options.token : await this.options.token();
    } catch (error) {
      // No socket was opened, so no close event will schedule the next attempt: do it here.
      if (this.everConnected && !this.stopped && this.options.reconnect !== false) this.scheduleReconnect(this.options.reconnect ?? {});
      else if (!this.stopped) {
        this.stopped = true;
        this.setState('closed');
        this.events.emit('close', { error: toPayload(error) });
      }
      throw new LinkMicError('TOKEN_MISSING', `could not get a token: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (this.stopped) throw new LinkMicError('INVALID_STATE', 'client is closed');
    const urls = [this.options.url, ...(this.options.fallbackUrls ?? [])];
    const socket = this.options.createWebSocket(urls[this.urlIndex % urls.length]!);
    this.socket = socket;
    return new Promise<HelloResult>((resolve, reject) => {
      let settled = false;
      socket.onmessage = (event) => this.onMessage(socket, event.data);
      socket.onerror = () => {
        /* onclose follows */
      };
      socket.onopen = () => {
        this.send(socket, 'hello', { userId: this.options.userId, token }).then(
          (result) => {
            settled = true;
            this.onHello(result as HelloResult);
            resolve(result as HelloResult);
          },
          (error: LinkMicError) => {
            settled = true;
            reject(error);
          },
        );
      };
      socket.onclose = (event) => {
        if (!settled) {
          settled = true;
          reject(new LinkMicError(event.code === CLOSE_AUTH_FAILED ? 'TOKEN_INVALID' : 'CONNECT_FAILED', `connection closed (${event.code} ${event.reason})`));
        }
        this.onSocketClose(socket, event.code, event.reason);
      };
    });
  }

  private onHello(result: HelloResult): void {
    const wasConnected = this.everConnected;
    this.everConnected = true;
    this.attempt = 0;
    this.setState('open');
    this.events.emit('connected', result);
    if (!wasConnected) return;
    if (result.resumed) this.reconcile(result);
    else void this.reannounce();
  }

  private onSocketClose(socket: WebSocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.failPending('DISCONNECTED', `connection closed (${code})`);
    this.events.emit('disconnected', { code, reason });
    if (this.stopped) return;
    const backoff = this.options.reconnect;
    if (!this.everConnected || backoff === false || code === CLOSE_AUTH_FAILED) {
      this.stopped = true;
      this.setState('closed');
      this.events.emit('close', code === CLOSE_AUTH_FAILED ? { error: { name: 'LinkMicError', code: 'TOKEN_INVALID', message: reason } } : {});
      return;
    }
    // This node is gone or refuses: the next attempt tries the next node.
    this.urlIndex += 1;
    this.scheduleReconnect(backoff ?? {});
  }

  /** The URL the client uses now (or will on its next attempt). */
  get currentUrl(): string {
    const urls = [this.options.url, ...(this.options.fallbackUrls ?? [])];
    return urls[this.urlIndex % urls.length]!;
  }

  private scheduleReconnect(backoff: ReconnectOptions): void {
    this.attempt += 1;
    if (this.attempt > (backoff.maxAttempts ?? Infinity)) {
      this.stopped = true;
      this.setState('closed');
      this.events.emit('close', { error: { name: 'LinkMicError', code: 'SERVER_UNREACHABLE', message: 'gave up reconnecting' } });
      return;
    }
    const delayMs = this.backoffDelay(backoff, this.attempt);
    this.setState('reconnecting');
    this.events.emit('reconnecting', { attempt: this.attempt, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      this.open().catch(() => {
        // onclose of the failed attempt schedules the next one.
      });
    }, delayMs);
  }

  private backoffDelay(backoff: ReconnectOptions, attempt: number): number {
    return backoffDelayMs(backoff, RECONNECT_DEFAULTS, attempt, this.options.random ?? Math.random);
  }

  // Re-announce --------------------------------------------------------------------------------

  /** The server resumed us: adopt its view, and report what ended while we were away. */
  private reconcile(result: HelloResult): void {
    const serverLinks = new Set(result.state.links.map((link) => link.linkId));
    for (const [linkId, link] of this.links) {
      if (!serverLinks.has(linkId)) {
        this.links.delete(linkId);
        this.events.emit('link.ended', { linkId, roomId: link.roomId, reason: 'disconnected' });
      }
    }
    for (const link of result.state.links) this.links.set(link.linkId, link);
    if (this.pk && result.state.pk?.pkId !== this.pk.pkId) {
      this.events.emit('pk.ended', { pkId: this.pk.pkId, reason: 'disconnected' });
    }
    this.pk = result.state.pk ?? undefined;
    this.joinedRooms.clear();
    for (const roomId of result.state.joinedRooms) this.joinedRooms.add(roomId);
  }

  /** The server lost our state (restart, or past the grace): rebuild what can be rebuilt. */
  private async reannounce(): Promise<void> {
    for (const link of [...this.links.values()]) {
      this.links.delete(link.linkId);
      this.events.emit('link.ended', { linkId: link.linkId, roomId: link.roomId, reason: 'disconnected' });
    }
    if (this.pk) {
      const pkId = this.pk.pkId;
      this.pk = undefined;
      this.events.emit('pk.ended', { pkId, reason: 'disconnected' });
    }
    let roomId: string | null = null;
    let sessionId: number | null = null;
    const intent = this.hostedRoom;
    if (intent) {
      try {
        const opened = await this.request('room.open', { ...intent });
        roomId = opened.room.roomId;
        sessionId = opened.room.sessionId;
      } catch (error) {
        this.hostedRoom = undefined;
        this.events.emit('error', toPayload(error));
      }
    }
    const rejoined: string[] = [];
    for (const room of [...this.joinedRooms]) {
      if (await this.rejoin(room)) rejoined.push(room);
    }
    this.events.emit('reannounced', { roomId, sessionId, rejoined });
  }

  private async rejoin(roomId: string): Promise<boolean> {
    const attempts = this.options.rejoinAttempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.request('room.join', { roomId });
        return true;
      } catch (error) {
        if (!(error instanceof LinkMicError) || error.code !== 'ROOM_NOT_FOUND' || attempt === attempts || this.stopped) break;
        // The host may not have re-opened its room yet.
        await new Promise((resolve) => setTimeout(() => resolve(undefined), this.backoffDelay(this.options.reconnect || {}, attempt)));
      }
    }
    this.joinedRooms.delete(roomId);
    this.events.emit('room.closed', { roomId, reason: 'host-left' });
    return false;
  }

  // Wire ---------------------------------------------------------------------------------------

  private send(socket: WebSocketLike, type: RequestType, params: Record<string, unknown>): Promise<unknown> {
    this.sequence += 1;
    const id = `c${this.sequence}`;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new LinkMicError('TIMEOUT', `${type} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { type, params, resolve, reject, timer });
      try {
        if (socket.readyState !== OPEN) throw new Error('socket not open');
        socket.send(JSON.stringify({ ...params, id, type }));
      } catch {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new LinkMicError('DISCONNECTED', `could not send ${type}`));
      }
    });
  }

  private onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.socket || typeof data !== 'string') return;
    let message: { type?: unknown; id?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if (message.type === 'result' || message.type === 'error') {
      const pending = typeof message.id === 'string' ? this.pending.get(message.id) : undefined;
      if (!pending) {
        if (message.type === 'error') this.events.emit('error', toPayload(message.error));
        return;
      }
      this.pending.delete(message.id as string);
      clearTimeout(pending.timer);
      if (message.type === 'result') {
        const parsed = REQUESTS[pending.type].result.safeParse(message.result);
        if (!parsed.success) {
          pending.reject(new LinkMicError('INVALID_MESSAGE', `server sent an invalid ${pending.type} result`));
          return;
        }
        this.track(pending.type, pending.params, parsed.data);
        pending.resolve(parsed.data);
      } else pending.reject(LinkMicError.fromPayload(toPayload(message.error)));
      return;
    }
    const type = message.type as EventType;
    if (typeof type !== 'string' || !Object.hasOwn(EVENTS, type)) return;
    const parsed = EVENTS[type].schema.safeParse(message);
    if (!parsed.success) {
      this.events.emit('error', { name: 'LinkMicError', code: 'INVALID_MESSAGE', message: `server sent an invalid ${type}` });
      return;
    }
    this.trackEvent(type, parsed.data as EventPayload<EventType>);
    this.events.emit(type, parsed.data as never);
  }

  /** Remembers what a successful request changed, to re-announce it later. */
  private track(type: RequestType, params: Record<string, unknown>, result: unknown): void {
    switch (type) {
      case 'room.close':
        this.hostedRoom = undefined;
        break;
      case 'room.leave':
        this.joinedRooms.delete(params.roomId as string);
        break;
      case 'room.open':
      case 'room.update': {
        const room = (result as RequestResult<'room.open'>).room;
        this.hostedRoom = { streamCode: room.streamCode, sessionId: room.sessionId, serverMix: room.serverMix, ...room.settings };
        break;
      }
      case 'room.join':
        this.joinedRooms.add((result as RequestResult<'room.join'>).room.roomId);
        break;
      case 'link.accept': {
        const link = result as LinkStarted;
        this.links.set(link.linkId, link);
        break;
      }
      case 'pk.accept':
        this.pk = result as PkStarted;
        break;
      default:
    }
  }

  private trackEvent(type: EventType, payload: EventPayload<EventType>): void {
    switch (type) {
      case 'link.started': {
        const link = payload as LinkStarted;
        this.links.set(link.linkId, link);
        break;
      }
      case 'link.ended':
        this.links.delete((payload as EventPayload<'link.ended'>).linkId);
        break;
      case 'pk.started':
        this.pk = payload as PkStarted;
        break;
      case 'pk.ended':
        this.pk = undefined;
        break;
      case 'pk.battle': {
        const event = payload as EventPayload<'pk.battle'>;
        if (this.pk?.pkId === event.pkId) this.pk = { ...this.pk, battle: event.battle };
        break;
      }
      case 'room.closed': {
        const roomId = (payload as EventPayload<'room.closed'>).roomId;
        this.joinedRooms.delete(roomId);
        break;
      }
      default:
    }
  }

  private failPending(code: 'DISCONNECTED', message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new LinkMicError(code, `${pending.type}: ${message}`));
      this.pending.delete(id);
    }
  }

  private setState(state: ClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.events.emit('state', { state });
  }
}

function toPayload(error: unknown): ErrorPayload {
  if (error instanceof LinkMicError) return error.toPayload();
  if (typeof error === 'object' && error !== null) {
    const e = error as Partial<ErrorPayload>;
    if (isErrorCode(e.code) && typeof e.message === 'string') {
      return e.field === undefined ? { name: String(e.name ?? 'LinkMicError'), code: e.code, message: e.message } : { name: String(e.name ?? 'LinkMicError'), code: e.code, message: e.message, field: e.field };
    }
  }
  return { name: 'Error', code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
