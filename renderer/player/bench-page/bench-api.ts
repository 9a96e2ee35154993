// What the bench/test page exposes to playwright as `window.__bench`.

export interface BenchSample {
  /** Date.now() when the picture was on screen. */
  readonly at: number;
  /** Glass-to-glass delay (ms). */
  readonly ageMs: number;
  readonly counter: number;
}

export interface BenchApi {
  readonly player: string;
  readonly samples: BenchSample[];
  readonly events: { at: number; type: string; detail: unknown }[];
  /** The player's estimate of the delay of the audio being heard, from each `stats` (every 1 s). */
  readonly audioLatency: { at: number; ms: number }[];
  /** The link/audience player's stats every 1 s (for per-second traces). */
  readonly trace: { at: number; latencyMs: number | null; videoLatencyMs: number | null; targetMs: number; videoTargetMs: number; jitterMs: number; underruns: number; outputLatencyMs: number | null }[];
  /** Every audio frame's way through the player (Date.now() milliseconds): arrival, decoded, rendered, output. */
  audioTimings(): { ts: number; arrivedAt: number; decodedAt: number | null; renderAt: number | null; outputAt: number | null }[];
  /** Pictures shown whose blocks could not be read (blank, torn). */
  unreadable: number;
  stats(): unknown;
  close(): Promise<void>;
}

declare global {
  interface Window {
    __bench?: BenchApi;
    /** Every player of the page (`?count=N`), the first is `__bench`. */
    __benches: BenchApi[];
    /** Starts the page's players (`?defer=1`); a no-op once they run. */
    __startPlayers: () => void;
  }
}
