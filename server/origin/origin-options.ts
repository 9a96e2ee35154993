// The options an origin is built with (the composition root, server/link-mic-server.ts, fills them).
import type { SessionId } from '../../common';
import type { IssuedSession } from './origin-policy';
import type { RtmpMessageLimits } from './rtmp-guard';

export interface OriginOptions {
  /** Signing key for txSecret/txTime; without it nothing is checked (development only). */
  readonly key?: string | undefined;
  /** Concurrent low-latency links per session_id (1..8). */
  readonly linkQuota: number;
  /** Audience plays must be signed too. */
  readonly requirePlaySign: boolean;
  /** A publisher that sends nothing for this long is dropped. */
  readonly publisherIdleTimeoutMs: number;
  /** An RTMP connection whose handshake is not done this long after connecting is dropped. */
  readonly handshakeTimeoutMs: number;
  /** An RTMP connection that neither publishes nor plays this long after connecting is dropped. */
  readonly commandTimeoutMs: number;
  /** Bounds on RTMP messages and chunk streams (rtmp-guard.ts; defaults DEFAULT_RTMP_GUARD_LIMITS). */
  readonly rtmpLimits?: Partial<RtmpMessageLimits>;
  /** A viewer whose unsent backlog passes this many bytes is dropped. */
  readonly maxViewerBacklogBytes: number;
  /** When a stream ends, close its players (they reconnect) instead of leaving them waiting. */
  readonly closePlayersOnUnpublish: boolean;
  /** Interval of the incoming-bitrate sampler. */
  readonly bitrateSampleMs?: number;
  // [mixer] audience → server-mix routing (server/mixer, docs/mixer.md).
  /** Token of the server's own clients (the mixer): `internal=<token>` plays get the original stream. */
  readonly internalToken?: string;
  /** For an audience play of `streamCode`, the stream actually served (a running mix), or undefined. */
  readonly audienceSource?: (streamCode: string) => string | undefined;
  /** What signalling issued under a session_id (publishers naming it must match; docs/security.md). */
  readonly issuedSession?: (sessionId: SessionId) => IssuedSession | undefined;
}
