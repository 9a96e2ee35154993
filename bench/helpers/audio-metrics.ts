// Level and echo metrics on 48 kHz mono PCM, in Node: RMS per segment in dB (re full scale),
// ERLE (far-end-only energy with AEC off minus with AEC on), near-end retention in double talk,
// and convergence time. Pure functions over Int16 samples.

export const RATE = 48_000;
/** Level of digital silence, so logs stay finite. */
export const FLOOR_DB = -120;

export function rmsDb(samples: Int16Array | Float32Array, from = 0, to = samples.length, scale = samples instanceof Int16Array ? 32768 : 1): number {
  const start = Math.max(0, Math.floor(from));
  const end = Math.min(samples.length, Math.floor(to));
  if (end <= start) return FLOOR_DB;
  let sum = 0;
  for (let i = start; i < end; i += 1) {
    const v = (samples[i] as number) / scale;
    sum += v * v;
  }
  const mean = sum / (end - start);
  return mean <= 0 ? FLOOR_DB : Math.max(FLOOR_DB, 10 * Math.log10(mean));
}

/** RMS in dB of [fromSec, toSec). */
export function segmentDb(samples: Int16Array, fromSec: number, toSec: number, rate = RATE): number {
  return rmsDb(samples, fromSec * rate, toSec * rate);
}

/** RMS in dB of consecutive windows (default 100 ms) over [fromSec, toSec). */
export function windowedDb(samples: Int16Array, fromSec: number, toSec: number, windowSec = 0.1, rate = RATE): number[] {
  const out: number[] = [];
  for (let t = fromSec; t + windowSec <= toSec + 1e-9; t += windowSec) out.push(segmentDb(samples, t, t + windowSec, rate));
  return out;
}

/** Echo return loss enhancement: how much lower the far-end-only level is with AEC on than off. */
export function erleDb(aecOffLevelDb: number, aecOnLevelDb: number): number {
  return aecOffLevelDb - aecOnLevelDb;
}

/** Near end kept in double talk: level with far end + AEC minus level of the near end alone (0 = untouched, -6 = ducked 6 dB). */
export function retentionDb(doubleTalkLevelDb: number, nearAloneLevelDb: number): number {
  return doubleTalkLevelDb - nearAloneLevelDb;
}

/**
 * Convergence: the first time (s, after `onsetSec`) from which every window with far-end activity
 * (AEC-off level above `activeDb`) stays at least `marginDb` below the AEC-off level, until `endSec`.
 * `aecOff` and `aecOn` are aligned so that `onsetSec` is the far-end onset in both. Null = never.
 */
export function convergenceSec(
  aecOff: Int16Array,
  aecOn: Int16Array,
  onsetSec: number,
  endSec: number,
  options: { marginDb?: number; windowSec?: number; activeDb?: number; rate?: number } = {},
): number | null {
  const margin = options.marginDb ?? 20;
  const windowSec = options.windowSec ?? 0.1;
  const activeDb = options.activeDb ?? -50;
  const rate = options.rate ?? RATE;
  const off = windowedDb(aecOff, onsetSec, endSec, windowSec, rate);
  const on = windowedDb(aecOn, onsetSec, endSec, windowSec, rate);
  let lastBad = -1;
  for (let i = 0; i < Math.min(off.length, on.length); i += 1) {
    const o = off[i] as number;
    if (o < activeDb) continue;
    if ((on[i] as number) > o - margin) lastBad = i;
  }
  const index = lastBad + 1;
  if (index >= Math.min(off.length, on.length)) return null;
  return index * windowSec;
}

/** First time (s) from `fromSec` on where a window's level exceeds `thresholdDb` (an onset), or null. */
export function onsetSec(samples: Int16Array, thresholdDb = -50, fromSec = 0, windowSec = 0.01, rate = RATE): number | null {
  const end = samples.length / rate;
  for (let t = fromSec; t + windowSec <= end; t += windowSec) {
    if (segmentDb(samples, t, t + windowSec, rate) > thresholdDb) return t;
  }
  return null;
}

/**
 * Lag (in samples, within ±maxLagSec) at which `b` best matches `a` (b[i + lag] ≈ a[i]), by
 * normalised cross-correlation of 10 ms energy envelopes (robust to AEC residue and codecs).
 */
export function envelopeLag(a: Int16Array, b: Int16Array, maxLagSec: number, rate = RATE): number {
  const hop = Math.round(rate / 100);
  const ea = envelope(a, rate);
  const eb = envelope(b, rate);
  const maxLag = Math.round((maxLagSec * rate) / hop);
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    const score = correlationAt(ea, eb, lag);
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best * hop;
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * 48 kHz mono s16le PCM arriving in chunks (a WebSocket sink, parec, an ffmpeg pull), placed on the
 * wall clock: sample 0 is at the earliest `arrival - samplesSoFar / rate` seen (chunks are never
 * early, only late), so a sample's time is accurate to the transport's smallest delay.
 */
export class PcmRecording {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private origin = Number.POSITIVE_INFINITY;
  private cached: Int16Array | null = null;

  constructor(readonly rate = RATE) {}

  add(chunk: Buffer, arrivedAt = Date.now()): void {
    const copy = Buffer.from(chunk);
    this.chunks.push(copy);
    this.length += copy.length;
    this.cached = null;
    this.origin = Math.min(this.origin, arrivedAt - (this.length / 2 / this.rate) * 1000);
  }

  get sampleCount(): number {
    return Math.floor(this.length / 2);
  }

  /** Wall-clock ms of sample 0 (Infinity before the first chunk). */
  get startedAt(): number {
    return this.origin;
  }

  samples(): Int16Array {
    if (!this.cached) {
      const all = Buffer.concat(this.chunks);
      const copy = new Int16Array(Math.floor(all.length / 2));
      for (let i = 0; i < copy.length; i += 1) copy[i] = all.readInt16LE(2 * i);
      this.cached = copy;
    }
    return this.cached;
  }

  /** Samples between two wall-clock times (ms); zero-padded where nothing was recorded. */
  sliceWall(fromMs: number, toMs: number): Int16Array {
    const all = this.samples();
    const out = new Int16Array(Math.max(0, Math.round(((toMs - fromMs) / 1000) * this.rate)));
    const start = Math.round(((fromMs - this.origin) / 1000) * this.rate);
    for (let i = 0; i < out.length; i += 1) {
      const j = start + i;
      if (j >= 0 && j < all.length) out[i] = all[j] as number;
    }
    return out;
  }

  /** Wall-clock ms of the first 10 ms window above `thresholdDb` at or after `fromMs`, or null. */
  onsetAfter(fromMs: number, thresholdDb = -50): number | null {
    const all = this.samples();
    const startSec = Math.max(0, (fromMs - this.origin) / 1000);
    const t = onsetSec(all, thresholdDb, startSec, 0.01, this.rate);
    return t === null ? null : this.origin + t * 1000;
  }
}

/**
 * A percentile (0..1, default the median) of the 100 ms window levels over [fromSec, toSec):
 * a level that a few glitched windows (an echo canceller re-converging after a CPU stall) cannot
 * dominate, unlike the energy average.
 */
export function percentileWindowDb(samples: Int16Array, fromSec: number, toSec: number, percentile = 0.5, windowSec = 0.1, rate = RATE): number {
  const levels = windowedDb(samples, fromSec, toSec, windowSec, rate).sort((a, b) => a - b);
  if (levels.length === 0) return FLOOR_DB;
  const index = Math.min(levels.length - 1, Math.max(0, Math.round(percentile * (levels.length - 1))));
  return levels[index] as number;
}

/** Normalised correlation of `a` with `b` shifted by `lag` (b[k + lag] against a[k]); -Infinity when either side is silent. */
function correlationAt(a: Float64Array, b: Float64Array, lag: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k += 1) {
    const j = k + lag;
    if (j < 0 || j >= b.length) continue;
    const x = a[k] as number;
    const y = b[j] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : -Infinity;
}

/** Mean absolute value per 10 ms hop. */
function envelope(x: Int16Array, rate: number): Float64Array {
  const hop = Math.round(rate / 100);
  const n = Math.floor(x.length / hop);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k += 1) {
    let s = 0;
    for (let i = k * hop; i < (k + 1) * hop; i += 1) s += Math.abs(x[i] as number);
    out[k] = s / hop;
  }
  return out;
}

/**
 * Where (seconds into `signal`) `clip` best matches, searched within ±searchSec of `expectedSec`,
 * by normalised correlation of 10 ms envelopes. Used to find a known clip (the near-end voice) in a
 * capture whose sample count lost time to CPU stalls, so segments follow the content.
 */
export function locateClip(signal: Int16Array, clip: Int16Array, expectedSec: number, searchSec: number, rate = RATE): number {
  const es = envelope(signal, rate);
  const ec = envelope(clip, rate);
  const hopSec = 0.01;
  const first = Math.max(0, Math.round((expectedSec - searchSec) / hopSec));
  const last = Math.min(es.length - ec.length, Math.round((expectedSec + searchSec) / hopSec));
  let best = Math.round(expectedSec / hopSec);
  let bestScore = -Infinity;
  for (let offset = first; offset <= last; offset += 1) {
    const score = correlationAt(ec, es, offset);
    if (score > bestScore) {
      bestScore = score;
      best = offset;
    }
  }
  return best * hopSec;
}
