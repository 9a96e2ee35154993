// Contract of a push: states, stats and events, as the StudioCore sees them.
import type { BackoffOptions as SharedBackoffOptions } from '../../common/backoff';
import type { ErrorPayload } from '../../common/errors';
import type { VideoEncoder } from './encoder-args';

export type PushState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface PushStats {
  readonly state: PushState;
  readonly encoder: VideoEncoder;
  /** Frames per second the encoder delivers (ffmpeg's figure). */
  readonly fps: number;
  /** Output bitrate over the last few seconds, kbit/s (audio + video + FLV overhead). */
  readonly bitrateKbps: number;
  /** Frames dropped / duplicated to hold the frame rate, since the push started (all connections). */
  readonly droppedFrames: number;
  readonly duplicatedFrames: number;
  /** Encoder speed relative to real time (below 1: the machine cannot keep up). */
  readonly speed: number;
  /** Frames sent over the current connection. */
  readonly frames: number;
  /** Since the push first went live, in ms (0 before). */
  readonly uptimeMs: number;
  /** Times the connection was re-established after a drop. */
  readonly reconnects: number;
}

export type StopReason = 'closed' | 'refused' | 'failed' | 'ended';

export interface PusherEvents extends Record<string, unknown> {
  state: PushState;
  /** The first connection is live (frames reach the server). */
  live: { encoder: VideoEncoder };
  stats: PushStats;
  /** The connection dropped (or a reconnect attempt failed); the next attempt starts after `delayMs`. */
  reconnecting: { attempt: number; delayMs: number; reason: string };
  /** Live again after a drop. */
  reconnected: { attempt: number; downtimeMs: number };
  /** The push is over: `closed` by us, `refused` by the server (PUBLISH_REFUSED), `failed`, or the file `ended`. */
  stopped: { reason: StopReason; error?: ErrorPayload };
  /** Emitted once, after ffmpeg has exited. */
  close: { reason: StopReason };
}

/** The push's reconnect backoff: the shared rule (common/backoff.ts; defaults 500 ms → 5 s, ×2, no jitter) and its attempt limits. */
export interface BackoffOptions extends SharedBackoffOptions {
  /** Consecutive failed attempts before giving up with DISCONNECTED. Default 60 (about 5 minutes). */
  readonly maxAttempts?: number;
  /** Failed attempts allowed before the first connection (server unreachable). Default 3. */
  readonly maxInitialAttempts?: number;
}
