// Reconnect and restart backoff: the one rule for how long to wait before attempt n (1-based):
// exponential from `initialMs` by `factor`, capped at `maxMs`, or a fixed table (`stepsMs`, the
// last step repeating); spread by ±`jitter` (a fraction) so many clients that lost the same server
// do not come back in step. Its users and their defaults:
//   common/signal/signal-client.ts       signalling reconnect (250 ms → 10 s, ×2, ±20 %)
//   main/engine/pusher.ts                 the push's reconnect (500 ms → 5 s, ×2, no jitter)
//   renderer/player/low-latency-player.ts the player's reconnect (250 ms → 2 s, ×2, no jitter)
//   server/mixer/party-decoder.ts         a mix input's restart (RESTART_BACKOFF)
//   renderer/audio/mic-capture.ts         the mic's re-acquire after a loss (RESTART_BACKOFF)

export interface BackoffOptions {
  /** Delay before the first retry (ms). */
  readonly initialMs?: number;
  /** Largest delay (ms). */
  readonly maxMs?: number;
  /** Growth per attempt. */
  readonly factor?: number;
  /** Random spread as a fraction of the delay (0 = none). */
  readonly jitter?: number;
  /** Fixed delays instead of the exponential rule: attempt n waits stepsMs[n - 1], the last one repeats (empty = none). */
  readonly stepsMs?: readonly number[];
}

export interface BackoffDefaults {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly stepsMs?: readonly number[];
}

/** Restarts of a local part that fails fast (a mix input's decoder, the mic): 200 ms, 500 ms, 1 s, then every 2 s. */
export const RESTART_BACKOFF: BackoffDefaults = Object.freeze({ initialMs: 200, maxMs: 2000, factor: 2, jitter: 0, stepsMs: Object.freeze([200, 500, 1000, 2000]) });

/** The delay before attempt `attempt` (1-based); `random` in [0, 1) (Math.random by default). */
export function backoffDelayMs(options: BackoffOptions, defaults: BackoffDefaults, attempt: number, random: () => number = Math.random): number {
  const initial = options.initialMs ?? defaults.initialMs;
  const max = options.maxMs ?? defaults.maxMs;
  const factor = options.factor ?? defaults.factor;
  const jitter = options.jitter ?? defaults.jitter;
  const steps = options.stepsMs ?? defaults.stepsMs ?? [];
  const n = Math.max(1, attempt);
  const base = steps.length > 0 ? steps[Math.min(n, steps.length) - 1]! : Math.min(max, initial * factor ** (n - 1));
  if (jitter <= 0) return Math.round(base);
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * random())));
}
