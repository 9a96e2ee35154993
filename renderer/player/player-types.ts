// Public contract of the low-latency FLV player: options, states, events, stats.
import type { BackoffOptions } from '../../common/backoff';
import type { ErrorPayload } from '../../common/errors';
import type { CorrectionKind, LatencyControllerOptions } from '../../common/media/latency-controller';
import type { PlayerPreset } from '../../common/presets';

export type PlayerMode = 'link' | 'audience';

export type PlayerState = 'idle' | 'connecting' | 'buffering' | 'playing' | 'reconnecting' | 'closed';

export interface LowLatencyPlayerOptions {
  /** Origin-direct HTTP-FLV (`http(s)://…/live/{code}.flv`) or WS-FLV (`ws(s)://…`) URL. */
  readonly url: string;
  /** Where video is drawn; sized to the stream's picture. */
  readonly canvas: HTMLCanvasElement;
  /** 'link' (default): jitter buffer sized from measured jitter under the preset's 200 ms
   *  ceiling, AEC-friendly Web Audio playout. 'audience': holds the preset's ~1 s. */
  readonly mode?: PlayerMode;
  /** Defaults to LINK_PLAYER_PRESET or AUDIENCE_PLAYER_PRESET by mode. */
  readonly preset?: PlayerPreset;
  /** 0..1, default 1. */
  readonly volume?: number;
  /** Reconnect delays (common/backoff.ts): default 250 ms doubling up to 2000 ms, no jitter. */
  readonly reconnectBackoff?: BackoffOptions;
  /** No bytes for this long means the stream dropped (default 2500 ms link, 4000 ms audience). */
  readonly dataTimeoutMs?: number;
  /** Give up after this many reconnect attempts in a row (default: never). */
  readonly maxReconnectAttempts?: number;
  /** How often `stats` is emitted (default 1000 ms; 0 turns it off). */
  readonly statsIntervalMs?: number;
  /** Jitter-estimator tuning (benches compare settings in one run; leave unset in the product). */
  readonly latencyTuning?: Partial<Pick<LatencyControllerOptions, 'jitterWindowMs' | 'shrinkMsPerSec' | 'audioPercentile' | 'marginMs' | 'floorMs'>>;
  /** The AudioContext's latencyHint (default: AUDIO_LATENCY_HINT in link mode, 'interactive' in audience mode; benches compare settings). */
  readonly audioLatencyHint?: AudioContextLatencyCategory | number;
  /** Audio underruns keep time, skipping the late audio (default: KEEP_TIME_ON_UNDERRUN in link mode, off in audience mode; benches compare). */
  readonly audioKeepTime?: boolean;
  /** Players of this page share one AudioContext per sample rate (default SHARE_AUDIO_CONTEXT; benches compare). */
  readonly sharedAudioContext?: boolean;
  /** Keep a per-audio-frame timing log (arrival, decoded, rendered, output; `audioTimings()`), benches only. */
  readonly timingLog?: boolean;
  /** Link mode: how far a picture may lead its sound (default LIP_SYNC_MAX_LEAD_MS; benches only). */
  readonly lipSyncLeadMs?: number;
  /**
   * Link mode: read, demux and decode audio in a worker that feeds the audio output directly, so a
   * busy page does not delay what is heard (docs/player.md). Default MEDIA_WORKER where Worker exists.
   */
  readonly mediaWorker?: boolean;
  /** Where the media worker's script is served (default: the one bundled with the player). */
  readonly mediaWorkerUrl?: string;
}

export interface PlayerStats {
  readonly state: PlayerState;
  readonly mode: PlayerMode;
  readonly transport: 'http-flv' | 'ws-flv';
  /** Estimated delay of what is heard (the master clock: audio, or the wall clock without audio)
   *  behind the newest media that could have arrived (ms). */
  readonly latencyMs: number | null;
  /** The same for the picture shown: in link mode it leads the heard audio by at most 20 ms (it waits for its sound). */
  readonly videoLatencyMs: number | null;
  /** The picture's own jitter target (link mode; equals targetMs in audience mode) (ms). */
  readonly videoTargetMs: number;
  /** Media received but not yet played (ms). */
  readonly bufferMs: number;
  /** The jitter buffer the player aims for (ms). */
  readonly targetMs: number;
  /** The sizing percentile (link: p95) of audio arrival jitter (ms), stalls and start-up burst excluded. */
  readonly jitterMs: number;
  readonly playbackRate: number;
  /** Frames drawn per second over the last interval. */
  readonly fps: number;
  /** Received bitrate over the last interval (kbit/s). */
  readonly bitrateKbps: number;
  /** Arrival gaps long enough to count as a stall. */
  readonly stalls: number;
  /** Times the audio ran dry. */
  readonly audioUnderruns: number;
  readonly corrections: Readonly<Record<CorrectionKind, number>>;
  /** Decoded video frames never shown (latency correction, late frames). */
  readonly framesDropped: number;
  readonly framesDrawn: number;
  /** Audio skipped by drop corrections (ms). */
  readonly audioDroppedMs: number;
  /** Audio that came late after an underrun and was skipped, the playout keeping time (ms). */
  readonly audioSkippedLateMs: number;
  /** Curvature spikes in the audio output (clicks; meaningful with tonal test signals). */
  readonly audioClicks: number;
  readonly reconnects: number;
  readonly video: { readonly codec: string; readonly width: number; readonly height: number } | null;
  readonly audio: { readonly codec: string; readonly sampleRate: number; readonly channels: number } | null;
  /** Where the clock comes from: the audio output, or the wall clock (no audio / autoplay held). */
  readonly clock: 'audio' | 'wall';
  /** The audio output's latency as Web Audio reports it (read head to speaker), or null (ms). */
  readonly audioOutputLatencyMs: number | null;
  /** Where the stream is read and the audio decoded: 'worker' (the link mode's media worker) or 'page'. */
  readonly mediaPath: 'worker' | 'page';
}

/** One audio frame's way through the player (performance clock, ms; benches only). */
export interface AudioFrameTiming {
  /** The frame's media timestamp (its first sample). */
  readonly ts: number;
  readonly arrivedAt: number;
  decodedAt?: number;
  /** When the worklet rendered the frame's first sample into the graph. */
  renderAt?: number;
  /** When Web Audio says that sample left the output (getOutputTimestamp). */
  outputAt?: number;
}

export type PlayerEvents = {
  state: { readonly state: PlayerState };
  stats: PlayerStats;
  /** A latency correction started (speed-up, drop to target, skip to keyframe). */
  correction: { readonly kind: CorrectionKind; readonly lagMs: number; readonly rate: number };
  /** Arrivals paused this long and then resumed. */
  stall: { readonly gapMs: number };
  /** A frame was drawn (for measurements and UIs that overlay the picture). */
  render: { readonly pts: number; readonly latencyMs: number | null };
  /** The stream dropped; the player retries in `delayMs`. */
  reconnect: { readonly attempt: number; readonly delayMs: number; readonly reason: ErrorPayload };
  /** Media flows again after a reconnect. */
  reconnect_success: { readonly attempts: number; readonly downtimeMs: number };
  /** A non-fatal problem (decoder error, unsupported codec, audio unavailable). */
  error: ErrorPayload;
  /** Emitted once. `byUser`: close() was called; otherwise the player gave up. */
  close: { readonly byUser: boolean; readonly reason?: ErrorPayload };
};
