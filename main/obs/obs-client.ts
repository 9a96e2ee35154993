// One connection to OBS Studio's obs-websocket (5.x) through obs-websocket-js. Connecting fails
// with a stable code a streamer can act on: OBS_NOT_RUNNING (nothing answers), OBS_AUTH_FAILED
// (close code 4009, wrong or missing password), OBS_WEBSOCKET_TOO_OLD (a 4.x server: no
// obs-websocket subprotocol, or an RPC version it does not speak). A failed request is
// OBS_REQUEST_FAILED with OBS's own status code and comment.
import { EventSubscription, OBSWebSocket, OBSWebSocketError, type OBSEventTypes, type OBSRequestTypes, type OBSResponseTypes } from 'obs-websocket-js';
import { LinkMicError, ValidationError, toErrorPayload, type ErrorPayload } from '../../common/errors';
import { obsUrlSchema } from '../../common/studio-api';
import { TypedEmitter, type Disposable } from '../../common/typed-emitter';

/** obs-websocket's WebSocketCloseCode values we tell apart. */
export const OBS_CLOSE_CODES = { authenticationFailed: 4009, unsupportedRpcVersion: 4010, sessionInvalidated: 4011 } as const;

export interface ObsConnectOptions {
  readonly url: string;
  /** The obs-websocket password; empty or null when OBS's authentication is off. */
  readonly password: string | null;
  /** Bound on the whole handshake. Default 10 s. */
  readonly timeoutMs?: number;
}

export interface ObsClientEvents extends Record<string, unknown> {
  /** The connection is over: `closedByUs` tells "I closed it" from "OBS went away". Emitted once. */
  close: { closedByUs: boolean; error: ErrorPayload | null };
}

export interface ObsServerInfo {
  readonly obsWebSocketVersion: string;
  readonly rpcVersion: number;
}

export class ObsClient {
  readonly events = new TypedEmitter<ObsClientEvents>();
  private closing: Promise<void> | null = null;
  private ended = false;

  private constructor(
    readonly url: string,
    readonly server: ObsServerInfo,
    private readonly socket: OBSWebSocket,
  ) {
    socket.on('ConnectionClosed', (error) => this.end(false, error));
  }

  static async connect(options: ObsConnectOptions): Promise<ObsClient> {
    const parsed = obsUrlSchema.safeParse(options.url);
    if (!parsed.success) throw new ValidationError('INVALID_URL', 'obs.url', `not an OBS WebSocket address: ${options.url}`);
    const socket = new OBSWebSocket();
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    // The library reports a refused TCP connection as ConnectionError, then ConnectionClosed 1006.
    let socketError: string | null = null;
    const onError = (error: OBSWebSocketError) => {
      socketError ??= error.message;
    };
    socket.on('ConnectionError', onError);
    try {
      const hello = await Promise.race([
        socket.connect(options.url, options.password ?? undefined, {
          eventSubscriptions: EventSubscription.All,
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new OBSWebSocketError(-2, `no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return new ObsClient(options.url, { obsWebSocketVersion: hello.obsWebSocketVersion, rpcVersion: hello.negotiatedRpcVersion }, socket);
    } catch (error) {
      await socket.disconnect().catch(() => undefined);
      throw connectError(options.url, error, socketError);
    } finally {
      clearTimeout(timer);
      socket.off('ConnectionError', onError);
    }
  }

  get connected(): boolean {
    return !this.ended;
  }

  /** One obs-websocket request; OBS's refusal becomes OBS_REQUEST_FAILED naming the request. */
  async call<T extends keyof OBSRequestTypes>(type: T, data?: OBSRequestTypes[T]): Promise<OBSResponseTypes[T]> {
    if (this.ended) throw new LinkMicError('OBS_NOT_RUNNING', `the connection to OBS at ${this.url} is closed`);
    try {
      return await this.socket.call(type, data);
    } catch (error) {
      if (error instanceof OBSWebSocketError) {
        throw new LinkMicError('OBS_REQUEST_FAILED', `${type}: ${error.message || 'refused'} (OBS status ${error.code})`, { cause: error });
      }
      throw new LinkMicError('OBS_NOT_RUNNING', `${type}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Subscribes to one obs-websocket event; a listener that throws is swallowed (logged by the owner). */
  on<E extends keyof OBSEventTypes>(event: E, listener: (payload: OBSEventTypes[E]) => void): Disposable {
    const safe = (payload: OBSEventTypes[E]) => {
      try {
        listener(payload);
      } catch {
        // a listener's failure must not break the socket's dispatch
      }
    };
    // eventemitter3's typings want the exact listener type per event name.
    (this.socket.on as (event: string, fn: (payload: OBSEventTypes[E]) => void) => void)(event, safe);
    return { dispose: () => (this.socket.off as (event: string, fn: (payload: OBSEventTypes[E]) => void) => void)(event, safe) };
  }

  /** Closes the WebSocket (OBS keeps running). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.ended) {
        this.ended = true;
        await this.socket.disconnect().catch(() => undefined);
        this.events.emit('close', { closedByUs: true, error: null });
      }
    })();
    return this.closing;
  }

  private end(closedByUs: boolean, error: OBSWebSocketError): void {
    if (this.ended) return;
    this.ended = true;
    const payload =
      error.code === OBS_CLOSE_CODES.sessionInvalidated
        ? toErrorPayload(new LinkMicError('OBS_NOT_RUNNING', 'OBS ended this WebSocket session'))
        : toErrorPayload(new LinkMicError('OBS_NOT_RUNNING', `OBS closed the connection (${error.code}${error.message ? `: ${error.message}` : ''})`));
    this.events.emit('close', { closedByUs, error: payload });
  }
}

/** A failed handshake as the stable code a streamer can act on. */
function connectError(url: string, error: unknown, socketError: string | null): LinkMicError {
  const code = error instanceof OBSWebSocketError ? error.code : 0;
  const message = error instanceof Error ? error.message : String(error);
  if (code === OBS_CLOSE_CODES.authenticationFailed) {
    return new LinkMicError('OBS_AUTH_FAILED', `OBS at ${url} refused the password (close code 4009)`, { cause: error });
  }
  if (code === OBS_CLOSE_CODES.unsupportedRpcVersion || /subprotocol/i.test(message)) {
    return new LinkMicError('OBS_WEBSOCKET_TOO_OLD', `the WebSocket server at ${url} is not obs-websocket 5 (${message})`, { cause: error });
  }
  const reason = socketError ?? message;
  return new LinkMicError('OBS_NOT_RUNNING', `${url}: ${reason || `closed with code ${code}`}`, { cause: error });
}
