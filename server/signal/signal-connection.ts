// One WebSocket on /signal: size and rate limits, JSON + zod validation, the `hello` handshake,
// then requests dispatched to the hub. A bad message gets an `error` naming the id it answers and
// never disturbs the connection's other work; only a failed `hello` closes the socket.
import type { WebSocket, RawData } from 'ws';
import { LinkMicError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import {
  CLOSE_AUTH_FAILED,
  REQUESTS,
  clientMessageSchema,
  requestEnvelopeSchema,
  type ClientMessage,
  type RequestType,
} from '../../common/signal/messages';
import type { TimerHandle } from './clock';
import type { Peer } from './signal-state';
import { jsonDepthExceeds } from './signal-limiter';
import type { TokenBucket } from './token-bucket';

/** What a connection needs from the service that owns it. */
export interface ConnectionHost {
  readonly maxMessageBytes: number;
  /** Bytes queued to a client beyond which it is dropped as too slow. */
  readonly maxBufferedBytes: number;
  readonly helloTimeoutMs: number;
  now(): number;
  createBucket(): TokenBucket;
  /** Takes one message from the limits shared by this connection's address and user. */
  admitMessage(connection: SignalConnection): 'ok' | 'ip' | 'user';
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Verifies the token; returns the hello result (or its promise: Redis) or throws a TOKEN_* LinkMicError. */
  authenticate(connection: SignalConnection, userId: string, token: string): unknown;
  /** Runs a request; its result, or a promise of it when the state is shared through Redis. */
  dispatch(connection: SignalConnection, message: ClientMessage): unknown;
  connectionClosed(connection: SignalConnection): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The heartbeat interval is split into this many slots; each connection is pinged in one. */
export const HEARTBEAT_SLOTS = 30;

let connectionSequence = 0;

export class SignalConnection implements Peer {
  /** Unique in this process: commands and snapshots name the connection so. */
  readonly connectionId = `c${(++connectionSequence).toString(36)}`;
  private authenticatedAs: string | undefined;
  /** Messages that came while an asynchronous hello was being answered, handled after it. */
  private waitingForHello: { data: RawData; isBinary: boolean }[] | undefined;
  private readonly bucket: TokenBucket;
  private helloTimer: TimerHandle | undefined;
  /** Ends the connection when its token expires (armed by `expireAt`). */
  private expiryTimer: TimerHandle | undefined;
  private closed = false;
  alive = true;
  /** Which heartbeat slot pings this connection (spreads pings over the interval). */
  readonly heartbeatSlot = Math.floor(Math.random() * HEARTBEAT_SLOTS);

  constructor(
    readonly socket: WebSocket,
    private readonly host: ConnectionHost,
    /** The peer's IP address (limits count per address). */
    readonly remoteAddress = 'unknown',
  ) {
    this.bucket = host.createBucket();
    this.helloTimer = host.setTimeout(() => {
      if (this.authenticatedAs === undefined) this.refuse(new LinkMicError('TOKEN_MISSING', 'no hello within the time allowed'), null);
    }, host.helloTimeoutMs);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.onClose());
    socket.on('error', () => {
      /* 'close' follows */
    });
  }

  get userId(): string {
    if (this.authenticatedAs === undefined) throw new LinkMicError('INVALID_STATE', 'connection is not authenticated');
    return this.authenticatedAs;
  }

  get isAuthenticated(): boolean {
    return this.authenticatedAs !== undefined;
  }

  sendRaw(text: string): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.host.maxBufferedBytes) {
      // A client that does not read: drop it rather than buffer without bound.
      this.socket.terminate();
      return;
    }
    this.socket.send(text);
  }

  sendError(id: string | null, error: ErrorPayload): void {
    this.sendRaw(JSON.stringify({ type: 'error', id, error }));
  }

  /**
   * The token this connection said hello with expires at `atMs`: then the connection gets a
   * TOKEN_EXPIRED error and is closed with 4401 (the client logs in again and reconnects).
   */
  expireAt(atMs: number): void {
    this.expiryTimer?.cancel();
    if (this.closed) return;
    // timers cannot wait longer than 2^31-1 ms: long-lived tokens are re-checked then
    const wait = Math.min(Math.max(0, atMs - this.host.now()), MAX_TIMER_MS);
    this.expiryTimer = this.host.setTimeout(() => {
      if (this.host.now() < atMs) return this.expireAt(atMs);
      this.refuse(new LinkMicError('TOKEN_EXPIRED', 'the token of this connection expired; log in again', { field: 'token' }), null);
    }, wait);
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.socket.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.waitingForHello) {
      if (this.waitingForHello.length < 64) this.waitingForHello.push({ data, isBinary });
      else this.sendError(null, new LinkMicError('RATE_LIMITED', 'too many messages before the hello was answered').toPayload());
      return;
    }
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    // Every frame counts against the limits, whatever it holds (JSON or not, oversized, binary).
    const limited = !this.bucket.take(this.host.now()) ? 'connection' : this.host.admitMessage(this);
    if (limited !== 'ok') {
      const scope = limited === 'ip' ? 'this address' : limited === 'user' ? `user ${this.authenticatedAs}` : 'this connection';
      this.sendError(isBinary || size > this.host.maxMessageBytes ? null : idOf(safeJson(data)), new LinkMicError('RATE_LIMITED', `too many messages from ${scope}; slow down`).toPayload());
      return;
    }
    if (isBinary) {
      this.sendError(null, new LinkMicError('INVALID_MESSAGE', 'binary frames are not accepted: send JSON text frames').toPayload());
      return;
    }
    if (size > this.host.maxMessageBytes) {
      this.sendError(null, new LinkMicError('MESSAGE_TOO_LARGE', `messages are limited to ${this.host.maxMessageBytes} bytes, got ${size}`).toPayload());
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      this.sendError(null, new LinkMicError('INVALID_MESSAGE', `messages nest at most ${MAX_JSON_DEPTH} arrays or objects deep`).toPayload());
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.sendError(null, new LinkMicError('INVALID_MESSAGE', 'message is not valid JSON').toPayload());
      return;
    }
    // The common case first: one parse of a valid message; the envelope is examined only to
    // explain a failure with the right id and code.
    const parsed = clientMessageSchema.safeParse(json);
    const id = parsed.success ? parsed.data.id : idOf(json);
    if (!parsed.success) {
      const envelope = requestEnvelopeSchema.safeParse(json);
      if (!envelope.success) {
        this.sendError(id, new LinkMicError('INVALID_MESSAGE', 'a message is an object with a string `id` and `type`', { field: id === null ? 'id' : 'type' }).toPayload());
        return;
      }
      const type = envelope.data.type;
      if (!Object.hasOwn(REQUESTS, type)) {
        this.sendError(id, new LinkMicError('UNKNOWN_MESSAGE_TYPE', `unknown message type "${type}"`, { field: 'type' }).toPayload());
        return;
      }
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'message';
      this.sendError(id, new LinkMicError('INVALID_MESSAGE', `${type}: ${field}: ${issue?.message ?? 'invalid'}`, { field }).toPayload());
      return;
    }
    const message = parsed.data as ClientMessage;
    if (this.authenticatedAs === undefined) {
      if (message.type !== 'hello') {
        this.sendError(id, new LinkMicError('TOKEN_MISSING', 'say hello with a token first', { field: 'type' }).toPayload());
        return;
      }
      this.onHello(message);
      return;
    }
    if (message.type === 'hello') {
      this.sendError(id, new LinkMicError('INVALID_STATE', `already authenticated as ${this.authenticatedAs}`).toPayload());
      return;
    }
    this.answer(message.id, () => this.host.dispatch(this, message));
  }

  private onHello(message: Extract<ClientMessage, { type: 'hello' }>): void {
    let result: unknown;
    try {
      this.authenticatedAs = message.userId;
      result = this.host.authenticate(this, message.userId, message.token);
    } catch (error) {
      this.authenticatedAs = undefined;
      this.refuse(error, message.id);
      return;
    }
    const welcome = (value: unknown): void => {
      this.helloTimer?.cancel();
      this.helloTimer = undefined;
      this.sendRaw(JSON.stringify({ type: 'result', id: message.id, result: value }));
    };
    if (!(result instanceof Promise)) {
      welcome(result);
      return;
    }
    this.waitingForHello = [];
    result.then(welcome, (error: unknown) => this.refuse(error, message.id)).finally(() => {
      const waiting = this.waitingForHello ?? [];
      this.waitingForHello = undefined;
      for (const queued of waiting) if (!this.closed) this.onMessage(queued.data, queued.isBinary);
    });
  }

  private answer(id: string, run: () => unknown): void {
    let result: unknown;
    try {
      result = run();
    } catch (error) {
      this.sendError(id, toErrorPayload(error));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => this.sendRaw(JSON.stringify({ type: 'result', id, result: value ?? {} })),
        (error: unknown) => this.sendError(id, toErrorPayload(error)),
      );
      return;
    }
    this.sendRaw(JSON.stringify({ type: 'result', id, result: result ?? {} }));
  }

  /** Answers a failed hello (or an expired token) and closes with 4401. */
  private refuse(error: unknown, id: string | null): void {
    this.sendError(id, toErrorPayload(error));
    this.close(CLOSE_AUTH_FAILED, 'authentication failed');
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.helloTimer?.cancel();
    this.expiryTimer?.cancel();
    this.host.connectionClosed(this);
  }
}

/** Nesting deeper than this is refused before parsing (a stack overflow would answer INTERNAL). */
export const MAX_JSON_DEPTH = 64;

function safeJson(data: RawData): unknown {
  try {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    return jsonDepthExceeds(text, MAX_JSON_DEPTH) ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function idOf(json: unknown): string | null {
  if (typeof json === 'object' && json !== null && 'id' in json) {
    const id = (json as { id: unknown }).id;
    if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  }
  return null;
}

export type { RequestType };
