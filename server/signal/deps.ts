// What the signal service needs from the rest of the server, as small interfaces: the URL issuer
// (signed push / low-latency play / audience URLs) and the origin's publish events. LinkMicServer
// passes its real issuer (through url-issuer-adapter.ts) and its origin events (see
// mount-signal.ts, MountedSignal); tests may pass fakes.
import type { Layer } from '../../common/mix-param';
import type { PlayUrls, ServerMix } from '../../common/signal/messages';
import type { Disposable } from '../../common/typed-emitter';
import type { Clock } from './clock';
import type { SignalStore } from './signal-store';
import type { SignalLimits } from './signal-limiter';
import type { RateLimit } from './token-bucket';

export interface UrlIssuerLike {
  /** Signed push URL: `rtmp://…/live/{streamCode}?mix=layer:{layer};session_id:{N}[;t_id:{T}]&txSecret&txTime` (t_id only with a template). */
  pushUrl(options: { streamCode: string; sessionId: number; layer: Layer; templateId?: number }): string;
  /** Signed origin-direct low-latency URLs of `streamCode`, carrying `session_id={sessionId}`. */
  linkPlayUrls(options: { streamCode: string; sessionId: number }): PlayUrls;
  /** The ordinary audience URL (FLV) of a stream. */
  audienceUrl(streamCode: string): string;
}

export interface OriginPublishEvent {
  readonly streamCode: string;
}

/** The origin's typed emitter (`publish` / `unpublish` events) satisfies this. */
export interface OriginEventsLike {
  on(event: 'publish', listener: (event: OriginPublishEvent) => void): Disposable;
  on(event: 'unpublish', listener: (event: OriginPublishEvent & { readonly reason?: string }) => void): Disposable;
}

export interface SignalServiceOptions {
  /** HMAC key of login tokens (user-sig.ts). */
  readonly tokenKey: string;
  /** Serve POST /api/dev-login (embedded/local servers); off for operators minting their own tokens. */
  readonly devLogin?: boolean;
  /** Lifetime of dev-login tokens, seconds (default 24 h). */
  readonly devLoginTtlSec?: number;
  /** Browser origins allowed besides the server's own (`--allow-origin`, /signal and dev-login). */
  readonly allowOrigins?: readonly string[];
  /** The server binds loopback only: its own origin must name a loopback host (DNS rebinding). */
  readonly loopbackOnly?: boolean;
  /** Pending link request / PK invite timeout (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Reconnect grace per user (default 30 s). */
  readonly graceMs?: number;
  /** How long a linked party's stream may be gone from the origin before its link ends (default 5 s). */
  readonly mediaLossMs?: number;
  /**
   * How long an accepted guest may take to start publishing before its link ends with `no-media` and
   * its slot frees (default 20 s; 0 = off; only with origin events).
   */
  readonly linkPublishDeadlineMs?: number;
  /** Low-latency link quota per session_id (default 3, at most 8): a room's guest limit never exceeds it. */
  readonly linkQuota?: number;
  /** Largest text message, bytes (default 64 KiB). */
  readonly maxMessageBytes?: number;
  /** Per-connection rate limit (default burst 100, 50 messages/s). */
  readonly rateLimit?: RateLimit;
  /** Limits shared by a user's and an IP address's connections (signal-limiter.ts; docs/security.md). */
  readonly limits?: Partial<SignalLimits>;
  /** Time until an unauthenticated connection is closed (default 10 s). */
  readonly helloTimeoutMs?: number;
  /** Ping interval for dead-peer detection, real time (default 30 s); a peer missing a pong is dropped. */
  readonly heartbeatMs?: number;
  /**
   * Mix of a room that does not choose one: null (the default) = client-side mix, push URLs without
   * `t_id`; `{ templateId }` = server-side mix with that template (an operator's choice: server CPU).
   */
  readonly defaultServerMix?: ServerMix;
  /** Length of a PK battle's result phase (default 10 s). */
  readonly battleResultMs?: number;
  /**
   * Tests only: one extra PK battle duration, seconds, accepted besides 60/180/300/600 (default
   * off). The product offers 1, 3, 5 and 10 minutes; e2e specs use this to play a whole battle.
   */
  readonly battleTestDurationSec?: number | null;
  /** Votes per viewer per PK (default burst 20, 5/s); beyond it `pk.vote` is RATE_LIMITED. */
  readonly voteRateLimit?: RateLimit;
  /** Stream codes one user may claim (default 16); beyond it room.open / link.request answer STREAM_CODE_LIMIT_REACHED. */
  readonly maxStreamCodesPerUser?: number;
  /** A stream code claim not in use for this long expires (default 30 days, on the hub's clock). */
  readonly streamCodeIdleExpiryMs?: number;
}

export interface SignalLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface SignalServiceDeps {
  readonly issuer: UrlIssuerLike;
  /** Optional: without origin events, media awareness is off. */
  readonly origin?: OriginEventsLike;
  readonly clock?: Clock;
  /** 32-bit CSPRNG for session_id allocation (default node:crypto). */
  readonly random?: () => number;
  readonly logger?: SignalLogger;
  /** Where the state lives (default: memory; a state file or Redis keep it across restarts and nodes). */
  readonly store?: SignalStore;
  /** A live stream other than `exceptStreamCode` pushes under `sessionId` (never allocated then). */
  readonly sessionClaimedAtOrigin?: (sessionId: number, exceptStreamCode: string) => boolean;
}
