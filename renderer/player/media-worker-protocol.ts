// Messages between the link player (page) and its media worker (renderer/player/media-worker.ts).
// The worker reads the stream, demuxes it and decodes the audio off the page's main thread, and
// feeds the decoded audio straight to the playout worklet; the page gets every other event (video
// and configs, with their data) and the audio frames' arrival times for its latency controller.
// Times are epoch milliseconds (performance.timeOrigin + now): page and worker clocks differ.
import type { ErrorPayload } from '../../common/errors';
import type { FlvEvent } from '../../common/media/flv-demuxer';

export type PageToWorker =
  /** Connect (closing any previous connection); messages about it carry `generation`. */
  | { readonly type: 'open'; readonly generation: number; readonly url: string; readonly timingLog: boolean }
  | { readonly type: 'close-source' }
  /** The playout worklet's feed port (transferred): decoded audio goes there directly. */
  | { readonly type: 'feed'; readonly port: MessagePort }
  /** The page cleared the playout: tag later audio with this epoch (the worklet drops older ones). */
  | { readonly type: 'audio-epoch'; readonly epoch: number };

/** Audio frames reach the page without their bytes (the worker decodes them). */
export type RelayedEvent = Exclude<FlvEvent, { kind: 'audio' }> | { readonly kind: 'audio'; readonly dts: number };

export type WorkerToPage =
  | { readonly type: 'chunk'; readonly generation: number; readonly at: number; readonly bytes: number; readonly events: readonly RelayedEvent[] }
  | { readonly type: 'decoded'; readonly generation: number; readonly ts: number; readonly at: number }
  | { readonly type: 'end'; readonly generation: number; readonly error?: ErrorPayload }
  | { readonly type: 'audio-error'; readonly generation: number; readonly message: string };

/** What the worker posts to the worklet's feed port (the worklet keeps only the current epoch's). */
export interface FeedPush {
  readonly type: 'push';
  readonly epoch: number;
  readonly ts: number;
  readonly planes: Float32Array[];
}
