// Reconnect backoff: the one rule for how long to wait before attempt n (1-based): exponential from
// `initialMs` by `factor`, capped at `maxMs`, spread by ±`jitter` (a fraction) so many clients that
// lost the same server do not come back in step. Used by the signalling client and the push engine.

export interface BackoffOptions {
  /** Delay before the first retry (ms). */
  readonly initialMs?: number;
  /** Largest delay (ms). */
  readonly maxMs?: number;
  /** Growth per attempt. */
  readonly factor?: number;
  /** Random spread as a fraction of the delay (0 = none). */
  readonly jitter?: number;
}

export interface BackoffDefaults {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
}

/** The delay before attempt `attempt` (1-based); `random` in [0, 1) (Math.random by default). */
export function backoffDelayMs(options: BackoffOptions, defaults: BackoffDefaults, attempt: number, random: () => number = Math.random): number {
  const initial = options.initialMs ?? defaults.initialMs;
  const max = options.maxMs ?? defaults.maxMs;
  const factor = options.factor ?? defaults.factor;
  const jitter = options.jitter ?? defaults.jitter;
  const base = Math.min(max, initial * factor ** (Math.max(1, attempt) - 1));
  if (jitter <= 0) return Math.round(base);
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * random())));
}
