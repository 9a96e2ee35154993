// The small interfaces StudioCore is built on. The real implementations: the push engine port
// (main/push/push-engine-port.ts: the ffmpeg engine via engine-adapter.ts, or the OBS engine),
// the SignalClient (common/signal, adapted by signal-adapter.ts) and LinkMicServer (server/,
// started by server-connector.ts). Tests may pass their own, but the product wires the real ones
// (create-studio-core.ts).
import type { ErrorPayload } from '../../common/errors';
import type { EventPayload, EventType, RequestParams, RequestResult, RequestType } from '../../common/signal/messages';
import type { ServerState, SignalStatus, StudioSettings } from '../../common/studio-api';
import type { Disposable } from '../../common/typed-emitter';

// ------------------------------------------------------------------ engine

// The push engine port lives in its own file (main/push/push-engine-port.ts, documented there).
export type { PushStatus, PushSessionEvents, PushSession, StartPushOptions, StudioEngine } from '../push/push-engine-port';

// ------------------------------------------------------------------ signalling

export interface SignalPort {
  readonly userId: string;
  /** The `hello` result's user state (what the server still holds for us). */
  readonly initialState: RequestResult<'hello'>['state'] | null;
  /** The `hello` result's PK battle lengths, seconds (absent: the server did not say). */
  readonly battleDurationsSec?: readonly number[];
  request<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>>;
  on<E extends EventType>(event: E, listener: (payload: EventPayload<E>) => void): Disposable;
  onStatus(listener: (status: SignalStatus, error: ErrorPayload | null) => void): Disposable;
  /**
   * Each `hello` after a reconnect (resumed or not; not the first, which is `initialState`): what the
   * server holds for us now, including what changed while we were away.
   */
  onReconnected(listener: (hello: RequestResult<'hello'>) => void): Disposable;
  close(): Promise<void>;
}

// ------------------------------------------------------------------ server

export interface ServerConnection {
  readonly kind: ServerState['kind'];
  readonly httpUrl: string;
  readonly rtmpUrl: string | null;
  readonly signal: SignalPort;
  /** Closes the signal connection and, when embedded, stops the server. Idempotent. */
  close(): Promise<void>;
}

export interface ServerConnectRequest {
  readonly profile: StudioSettings['server'];
  readonly userId: string;
  /** The stored token of a remote profile. */
  readonly token: string | null;
}

/** Starts (embedded) or reaches (remote) a link-mic server and signs in. */
export type ServerConnector = (request: ServerConnectRequest) => Promise<ServerConnection>;

export interface CoreLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentCoreLogger: CoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
