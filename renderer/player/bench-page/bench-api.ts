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
  /** Pictures shown whose blocks could not be read (blank, torn). */
  unreadable: number;
  stats(): unknown;
  close(): Promise<void>;
}

declare global {
  interface Window {
    __bench?: BenchApi;
  }
}
