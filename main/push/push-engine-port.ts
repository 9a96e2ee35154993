// The push engine port: what the studio needs from whatever turns its sources into one live
// push (an RTMP publish to the URL the link-mic server issued). In the spirit of libobs's output
// (obs_output_start / obs_output_stop, the output's signals and OBS_OUTPUT_* stop codes):
//
//   start    StudioEngine.startPush(options) resolves with a PushSession once the engine runs
//            (not necessarily live yet); it rejects when the push fails before it ever ran.
//   stop     PushSession.close(): stops the push and whatever it spawned; resolves once that has
//            exited. Idempotent. StudioEngine.close() stops every push the engine started.
//   states   PushSession.status and its `status` event: starting -> live -> (reconnecting -> live)*;
//            the end is the `close` event, once. `attempt` counts reconnect attempts (0 when live).
//   stats    the `stats` event: fps, bitrate, frames, dropped frames, speed, while live.
//   stop codes  `close` carries `closedByUs` ("I stopped it" vs "it ended under me") and, when it
//            ended under us, an ErrorPayload whose `code` (common/errors.ts) says why, after OBS's
//            output codes: PUBLISH_REFUSED (the server refused the stream: bad signature, quota,
//            stream code in use; OBS_OUTPUT_INVALID_STREAM), CONNECT_FAILED / SERVER_UNREACHABLE
//            (never connected; OBS_OUTPUT_CONNECT_FAILED / BAD_PATH), DISCONNECTED (dropped and gave
//            up reconnecting; OBS_OUTPUT_DISCONNECTED), FFMPEG_FAILED (the encoder or a capture
//            failed; OBS_OUTPUT_ENCODE_ERROR). A drop the engine retries is an `error` event
//            (DISCONNECTED) followed by `status: reconnecting`, not a `close`.
//
// Implementations: the ffmpeg engine (main/core/engine-adapter.ts over main/engine/PushEngine) and
// the OBS engine (main/obs/obs-push-engine.ts, behind main/obs/selectable-engine.ts). StudioCore
// owns the push through one PushController (main/push/push-controller.ts): it starts, restarts and stops it.
import type { EncoderSettings } from '../../common/presets';
import type { ErrorPayload } from '../../common/errors';
import type { EncoderChoice, EncoderInfo, EngineSettings, FfmpegState, PushRole, PushStats, SourceList, Sources } from '../../common/studio-api';
import type { TypedEmitter } from '../../common/typed-emitter';

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
  /** Stops the push (and its ffmpeg, or OBS's stream); resolves once it has stopped. Idempotent. */
  close(): Promise<void>;
}

export interface StartPushOptions {
  readonly url: string;
  readonly role: PushRole;
  readonly sources: Sources;
  readonly encoder: EncoderChoice;
  /**
   * The streamer's changes to the role's preset (encoder overrides, echo cancellation). An engine
   * that encodes merges them over `encoderPresetFor(role)` once (the ffmpeg engine: PushEngine's
   * resolveSettings, which also validates); OBS encodes with its own settings.
   */
  readonly settings: Partial<EncoderSettings>;
  readonly ffmpegPath: string | null;
  /** Which engine pushes (absent = the built-in ffmpeg engine). */
  readonly engine?: EngineSettings;
}

export interface StudioEngine {
  describeFfmpeg(ffmpegPath: string | null): Promise<FfmpegState>;
  listSources(ffmpegPath: string | null): Promise<SourceList>;
  probeEncoders(ffmpegPath: string | null, preference: string): Promise<{ encoders: EncoderInfo[]; selected: string | null }>;
  /** Resolves once the engine runs the push (not yet necessarily live); rejects when it fails before ready. */
  startPush(options: StartPushOptions): Promise<PushSession>;
  /** Stops every push it started; nothing it spawned remains. Idempotent. */
  close(): Promise<void>;
}
