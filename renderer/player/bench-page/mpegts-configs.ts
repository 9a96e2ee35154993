// The stock peer's configurations compared by bench:latency (mpegts.js 1.8.2, MSE, `isLive`); the
// bench reports each and names the best. Values from shared/design/player-latency-notes.md.
import type mpegts from 'mpegts.js';

export const MPEGTS_CONFIGS = {
  /** No stash buffer, liveSync catch-up at 1.5x above 0.4 s to 0.2 s (the bench's config until 2026-12). */
  liveSync: { enableStashBuffer: false, liveSync: true, liveSyncMaxLatency: 0.4, liveSyncTargetLatency: 0.2, liveSyncPlaybackRate: 1.5 },
  /** The same catch-up at a gentle 1.1x (the 1.5x drains the buffer, underruns and escalates with audio). */
  liveSyncGentle: { enableStashBuffer: false, liveSync: true, liveSyncMaxLatency: 0.4, liveSyncTargetLatency: 0.25, liveSyncPlaybackRate: 1.1 },
  /** No stash buffer, latency chasing: a seek to 0.1 s behind the buffer end when it holds more than 0.4 s. */
  chasing: { enableStashBuffer: false, liveBufferLatencyChasing: true, liveBufferLatencyMaxLatency: 0.4, liveBufferLatencyMinRemain: 0.1 },
} as const satisfies Record<string, mpegts.Config>;
export type MpegtsConfigName = keyof typeof MPEGTS_CONFIGS;
