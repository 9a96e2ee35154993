// The small interfaces StudioCore is built on. The real implementations: the push engine
// (main/engine, adapted by engine-adapter.ts), the SignalClient (common/signal, adapted by
// signal-adapter.ts) and LinkMicServer (server/, started by server-connector.ts). Tests may pass
// their own, but the product wires the real ones (create-studio-core.ts).
import type { EncoderSettings } from '../../common/presets';
import type { ErrorPayload } from '../../common/errors';
import type { EventPayload, EventType, RequestParams, RequestResult, RequestType } from '../../common/signal/messages';
import type { EncoderChoice, EncoderInfo, EngineSettings, FfmpegState, PushRole, PushStats, ServerState, SignalStatus, SourceList, Sources, StudioSettings } from '../../common/studio-api';
import type { Disposable, TypedEmitter } from '../../common/typed-emitter';

// ------------------------------------------------------------------ engine

export type PushStatus = 'starting' | 'live' | 'reconnecting';

export interface PushSessionEvents extends Record<string, unknown> {
  status: { status: PushStatus; attempt: number };
  stats: Omit<PushStats, 'at'>;
  /** A failure while running (the session may still reconnect). */
  error: ErrorPayload;
  /** Ended for good: `closedByUs` tells "I stopped it" from "it died under me". */
  close: { closedByUs: boolean; error: ErrorPayload | null };
}

export interface PushSession {
  readonly events: TypedEmitter<PushSessionEvents>;
  /** The encoder actually in use. */
  readonly encoder: string | null;
  /** The status now (events before the caller subscribed are not replayed). */
  readonly status: PushStatus;
  readonly reconnectAttempt: number;
  /** Writes one PCM frame of the renderer's mic (s16le, 48 kHz, mono). */
  pushPcm(frame: Uint8Array): void;
  /** Stops the push and its ffmpeg; resolves once the child exited. Idempotent. */
  close(): Promise<void>;
}

export interface StartPushOptions {
  readonly url: string;
  readonly role: PushRole;
  readonly sources: Sources;
  readonly encoder: EncoderChoice;
  readonly settings: EncoderSettings;
  readonly ffmpegPath: string | null;
  /** Which engine pushes (absent = the built-in ffmpeg engine). */
  readonly engine?: EngineSettings;
}

export interface StudioEngine {
  describeFfmpeg(ffmpegPath: string | null): Promise<FfmpegState>;
  listSources(ffmpegPath: string | null): Promise<SourceList>;
  probeEncoders(ffmpegPath: string | null, preference: string): Promise<{ encoders: EncoderInfo[]; selected: string | null }>;
  /** Resolves once ffmpeg is running (not yet necessarily live); rejects when it fails before ready. */
  startPush(options: StartPushOptions): Promise<PushSession>;
  /** Stops every push it started; no ffmpeg remains. Idempotent. */
  close(): Promise<void>;
}

// ------------------------------------------------------------------ signalling

export interface SignalPort {
  readonly userId: string;
  /** The `hello` result's user state (what the server still holds for us). */
  readonly initialState: RequestResult<'hello'>['state'] | null;
  request<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>>;
  on<E extends EventType>(event: E, listener: (payload: EventPayload<E>) => void): Disposable;
  onStatus(listener: (status: SignalStatus, error: ErrorPayload | null) => void): Disposable;
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
