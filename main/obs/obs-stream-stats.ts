// The push's figures for the status bar, read from OBS: GetStreamStatus (bytes, skipped and total
// frames, congestion, duration) and GetStats (render fps, OBS's CPU use). The bitrate is the byte
// counter's slope between two samples.
import type { OBSResponseTypes } from 'obs-websocket-js';
import type { ObsClient } from './obs-client';

export interface ObsStreamStats {
  /** Frames per second OBS renders. */
  readonly fps: number;
  /** Output bitrate since the previous sample, kbit/s (0 on the first). */
  readonly bitrateKbps: number;
  readonly bytes: number;
  /** Frames the stream output sent / skipped (encoder or network could not keep up). */
  readonly totalFrames: number;
  readonly skippedFrames: number;
  /** Frames the renderer skipped (the GPU, or here the software renderer, lagged). */
  readonly renderSkippedFrames: number;
  /** 0..1: how far the network is behind (OBS's congestion figure). */
  readonly congestion: number;
  /** OBS's own CPU use, percent of one core. */
  readonly cpuPercent: number;
  /** Since the stream started, ms. */
  readonly durationMs: number;
  readonly reconnecting: boolean;
}

interface Sample {
  readonly at: number;
  readonly bytes: number;
}

/** Figures from one pair of responses and the previous sample (pure, for tests). */
export function toObsStreamStats(
  status: OBSResponseTypes['GetStreamStatus'],
  stats: OBSResponseTypes['GetStats'],
  at: number,
  previous: Sample | null,
): ObsStreamStats {
  const elapsedMs = previous ? at - previous.at : 0;
  const deltaBytes = previous ? status.outputBytes - previous.bytes : 0;
  return {
    fps: round(stats.activeFps, 2),
    bitrateKbps: elapsedMs > 0 && deltaBytes >= 0 ? round((deltaBytes * 8) / elapsedMs, 1) : 0,
    bytes: status.outputBytes,
    totalFrames: status.outputTotalFrames,
    skippedFrames: status.outputSkippedFrames,
    renderSkippedFrames: stats.renderSkippedFrames,
    congestion: round(Math.min(1, Math.max(0, status.outputCongestion || 0)), 3),
    cpuPercent: round(stats.cpuUsage, 1),
    durationMs: status.outputDuration,
    reconnecting: status.outputReconnecting,
  };
}

/** Samples one OBS's stream figures; keeps the previous sample for the bitrate. */
export class ObsStatsSampler {
  private previous: Sample | null = null;

  constructor(
    private readonly client: ObsClient,
    private readonly now: () => number = Date.now,
  ) {}

  async sample(): Promise<ObsStreamStats> {
    const [status, stats] = await Promise.all([this.client.call('GetStreamStatus'), this.client.call('GetStats')]);
    const at = this.now();
    const figures = toObsStreamStats(status, stats, at, this.previous);
    this.previous = { at, bytes: status.outputBytes };
    return figures;
  }

  reset(): void {
    this.previous = null;
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round((Number.isFinite(value) ? value : 0) * factor) / factor;
}
