// The glass-to-ear test signal: a continuous quiet tone (so the audio is never silent and clicks
// stay measurable) that rises to a loud burst once per period, with raised-cosine ramps (no
// click). The source makes a burst start on the sample whose stream time is that of a picture; a
// recording of what the page plays finds each burst's onset, so heard audio is measured, not
// estimated. Pure: no DOM, no Node.

export interface ToneBurstSpec {
  readonly sampleRate: number;
  readonly toneHz: number;
  /** Amplitude between bursts (0..1). */
  readonly baseLevel: number;
  /** Amplitude during a burst (0..1). */
  readonly burstLevel: number;
  /** A burst starts every `periodSamples`, at sample 0, periodSamples, 2 * periodSamples, … */
  readonly periodSamples: number;
  /** Burst length including both ramps. */
  readonly burstSamples: number;
  readonly rampSamples: number;
}

/** The bench's signal: 440 Hz at 0.06, a 120 ms burst at 0.5 every second (48 kHz). */
export const BENCH_TONE: ToneBurstSpec = Object.freeze({
  sampleRate: 48_000,
  toneHz: 440,
  baseLevel: 0.06,
  burstLevel: 0.5,
  periodSamples: 48_000,
  burstSamples: 5760,
  rampSamples: 240,
});

/** The amplitude at absolute sample `n`. */
export function burstEnvelope(spec: ToneBurstSpec, n: number): number {
  const inPeriod = ((n % spec.periodSamples) + spec.periodSamples) % spec.periodSamples;
  if (inPeriod >= spec.burstSamples) return spec.baseLevel;
  const fromEnd = spec.burstSamples - inPeriod;
  const ramp = Math.min(inPeriod, fromEnd);
  const rise = ramp >= spec.rampSamples ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * ramp) / spec.rampSamples);
  return spec.baseLevel + (spec.burstLevel - spec.baseLevel) * rise;
}

/** The signal value (-1..1) at absolute sample `n`. */
export function toneSample(spec: ToneBurstSpec, n: number): number {
  return burstEnvelope(spec, n) * Math.sin((2 * Math.PI * spec.toneHz * n) / spec.sampleRate);
}

/** Index of the first burst onset at or after sample `n`. */
export function nextBurstStart(spec: ToneBurstSpec, n: number): number {
  return Math.ceil(n / spec.periodSamples) * spec.periodSamples;
}

/**
 * Burst onsets in a recording (`samples`, -1..1), as fractional sample indices aligned with the
 * source's burst start (the detector's own delay is removed). An onset is where the envelope
 * (peak over one tone period) crosses the middle between the two levels after at least
 * `quietMs` (default 100) below it; a burst cut short by a drop or an underrun still counts from
 * its first loud sample. `gain` scales the expected levels (a quieter output).
 */
export function findBurstOnsets(samples: ArrayLike<number>, spec: ToneBurstSpec, options: { quietMs?: number; gain?: number } = {}): number[] {
  const gain = options.gain ?? 1;
  const threshold = ((spec.baseLevel + spec.burstLevel) / 2) * gain;
  const window = Math.ceil(spec.sampleRate / spec.toneHz);
  const quiet = Math.round(((options.quietMs ?? 100) * spec.sampleRate) / 1000);
  const bias = detectorBias(spec, window, threshold / gain);
  const onsets: number[] = [];
  let below = 0;
  // Running peak over the last `window` samples (monotonic deque of indices).
  const deque: number[] = [];
  let head = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const value = Math.abs(samples[i]!);
    while (deque.length > head && Math.abs(samples[deque[deque.length - 1]!]!) <= value) deque.pop();
    deque.push(i);
    while (deque[head]! <= i - window) head += 1;
    if (deque.length > 4096 && head > 2048) {
      deque.splice(0, head);
      head = 0;
    }
    const envelope = Math.abs(samples[deque[head]!]!);
    if (envelope < threshold) {
      below += 1;
      continue;
    }
    if (below >= quiet) onsets.push(i - bias);
    below = 0;
  }
  return onsets;
}

/** Where the detector fires on the clean source signal, relative to the burst's first sample. */
function detectorBias(spec: ToneBurstSpec, window: number, threshold: number): number {
  const start = spec.periodSamples; // a burst start well inside the signal
  const values: number[] = [];
  for (let n = start - window; n < start + spec.burstSamples; n += 1) {
    values.push(Math.abs(toneSample(spec, n)));
    if (values.length > window) values.shift();
    if (n >= start && Math.max(...values) >= threshold) return n - start;
  }
  return 0;
}
