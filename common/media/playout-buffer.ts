// PCM playout queue for live audio (pure; runs inside an AudioWorklet, unit-tested under Node).
// It never cuts the waveform: start and resume fade in, an underrun fades out what is left, a
// drop (latency correction) crossfades from the current position to the target at the quietest
// nearby point, and speed changes resample (linear interpolation, no time-stretch, ≤ a few %).

export interface PlayoutBufferOptions {
  readonly sampleRate: number;
  /** Channels of the stream (planes pushed). */
  readonly channels: number;
  /** Fade / crossfade length in samples (default 5 ms). */
  readonly fadeSamples?: number;
  /** Capacity in seconds (older audio is discarded). */
  readonly capacitySec?: number;
  /** How far ahead a drop may look for a quiet point (ms). */
  readonly quietSearchMs?: number;
  /** Second-difference magnitude counted as a click in the output (for tonal test signals). */
  readonly clickThreshold?: number;
  /**
   * Underrun policy. false (default): the read head waits where the audio ran out and resumes
   * once the resume threshold is queued (the delay grows by the gap plus the threshold, until a
   * correction removes it). true: time keeps going through the gap (silence, faded), and the
   * audio that arrives late is skipped by as long as the gap lasted, so the delay stays where it
   * was: a late frame is concealed instead of waited for.
   */
  readonly keepTime?: boolean;
}

export type PlayoutState = 'waiting' | 'playing' | 'starved';

export interface PlayoutSnapshot {
  readonly state: PlayoutState;
  /** Media timestamp (ms) at the read head, or null before anything is queued. */
  readonly readTs: number | null;
  /** Media queued ahead of the read head (ms). */
  readonly queuedMs: number;
  readonly rate: number;
  readonly underruns: number;
  readonly droppedMs: number;
  readonly drops: number;
  readonly clicks: number;
  /** Late audio skipped after underruns in keep-time mode (ms). */
  readonly skippedLateMs: number;
}

interface Anchor {
  readonly index: number;
  readonly ts: number;
}

interface Crossfade {
  /** Start the crossfade when the read head reaches this index. */
  readonly at: number;
  /** Samples skipped. */
  readonly skip: number;
  /** Progress in output samples; -1 before it starts. */
  done: number;
}

export class PlayoutBuffer {
  private readonly ring: Float32Array[];
  private readonly capacity: number;
  private readonly fade: number;
  private readonly quietSearch: number;
  private readonly clickThreshold: number;
  private anchors: Anchor[] = [];
  private writeIndex = 0;
  private readPos = 0;
  private state: PlayoutState = 'waiting';
  private rate = 1;
  private gain = 0;
  /** Silent samples still to play before the read head (a start before the oldest audio). */
  private leadIn = 0;
  private readonly values: Float64Array;
  private crossfade: Crossfade | null = null;
  private resumeSamples: number;
  private underruns = 0;
  private drops = 0;
  private droppedSamples = 0;
  private clicks = 0;
  private keepTime: boolean;
  /** Keep-time mode: media time (samples) that should have played during the current underrun. */
  private starvedFor = 0;
  private skippedLate = 0;
  private prev1 = 0;
  private prev2 = 0;

  constructor(readonly options: PlayoutBufferOptions) {
    this.capacity = Math.round(options.sampleRate * (options.capacitySec ?? 8));
    this.ring = Array.from({ length: options.channels }, () => new Float32Array(this.capacity));
    this.fade = options.fadeSamples ?? Math.round(options.sampleRate * 0.005);
    this.quietSearch = Math.round(((options.quietSearchMs ?? 40) * options.sampleRate) / 1000);
    this.clickThreshold = options.clickThreshold ?? 0.05;
    this.resumeSamples = Math.round(options.sampleRate * 0.04);
    this.values = new Float64Array(options.channels);
    this.keepTime = options.keepTime ?? false;
  }

  /** Switches the underrun policy (see `keepTime`). */
  setKeepTime(keepTime: boolean): void {
    this.keepTime = keepTime;
    if (!keepTime) this.starvedFor = 0;
  }

  /** Appends one decoded frame (planar PCM) whose first sample has media timestamp `ts` (ms). */
  push(ts: number, planes: readonly Float32Array[]): void {
    const length = planes[0]?.length ?? 0;
    if (length === 0) return;
    const last = this.anchors[this.anchors.length - 1];
    if (last && ts < this.indexToTs(this.writeIndex) - 1000) {
      // The timeline went backwards (new publisher): start over.
      this.clear();
    }
    this.anchors.push({ index: this.writeIndex, ts });
    for (let c = 0; c < this.ring.length; c += 1) {
      const src = planes[Math.min(c, planes.length - 1)]!;
      const dst = this.ring[c]!;
      for (let i = 0; i < length; i += 1) dst[(this.writeIndex + i) % this.capacity] = src[i]!;
    }
    this.writeIndex += length;
    if (this.writeIndex - this.readPos > this.capacity - 1) this.readPos = this.writeIndex - this.capacity + 1;
    this.pruneAnchors();
  }

  /** Starts playback at `ts` (earlier audio is discarded), fading in. */
  start(ts: number): void {
    this.readPos = Math.max(this.readPos, Math.min(this.tsToIndex(ts), this.writeIndex));
    // Starting before the oldest queued audio: play silence up to it (the buffer fills meanwhile).
    const first = this.anchors[0];
    this.leadIn = first && ts < first.ts ? Math.round(((first.ts - ts) * this.options.sampleRate) / 1000) : 0;
    // Nothing queued yet at `ts`: wait for it (not an underrun), then fade in.
    this.state = this.leadIn > 0 || this.writeIndex - this.readPos > 2 ? 'playing' : 'starved';
    this.gain = 0;
    this.crossfade = null;
    this.starvedFor = 0;
  }

  setRate(rate: number): void {
    this.rate = Math.min(1.1, Math.max(0.9, rate));
  }

  /** Queued audio needed to resume after an underrun (ms). */
  setResumeThreshold(ms: number): void {
    this.resumeSamples = Math.max(this.fade * 2, Math.round((ms * this.options.sampleRate) / 1000));
  }

  /**
   * Jumps forward to `ts`: while playing, crossfades at the quietest point in the next few tens of
   * ms; while waiting or starved, simply discards. Never jumps backwards.
   */
  seek(ts: number): void {
    if (this.leadIn > 0) {
      const current = this.indexToTs(this.readPos) - (this.leadIn / this.options.sampleRate) * 1000;
      const skip = Math.min(this.leadIn, Math.max(0, ((ts - current) * this.options.sampleRate) / 1000));
      this.leadIn -= skip;
      if (this.leadIn > 0) return;
    }
    const target = Math.min(this.tsToIndex(ts), this.writeIndex - this.fade * 2);
    const skip = Math.floor(target - this.readPos);
    if (skip <= 0) return;
    if (this.state !== 'playing') {
      this.readPos += skip;
      this.countDrop(skip);
      this.starvedFor = Math.max(0, this.starvedFor - skip);
      return;
    }
    if (this.crossfade) return;
    // Quietest fade-length window in the look-ahead that still leaves room for the jump.
    const limit = Math.min(this.quietSearch, Math.floor(this.writeIndex - this.readPos - skip - this.fade * 2));
    let bestAt = Math.ceil(this.readPos);
    let bestEnergy = Number.POSITIVE_INFINITY;
    const step = Math.max(1, this.fade >> 2);
    for (let offset = 0; offset <= Math.max(0, limit); offset += step) {
      const at = Math.ceil(this.readPos) + offset;
      const energy = this.energy(at, this.fade);
      if (energy < bestEnergy - 1e-9) {
        bestEnergy = energy;
        bestAt = at;
      }
    }
    this.crossfade = { at: bestAt, skip, done: -1 };
  }

  /** Discards everything (reconnect); playback waits for `start` again. */
  clear(): void {
    this.anchors = [];
    this.readPos = this.writeIndex;
    this.state = 'waiting';
    this.crossfade = null;
    this.leadIn = 0;
    this.starvedFor = 0;
  }

  /** Fills `out` (one array per output channel, all of length `frames`). */
  render(out: readonly Float32Array[], frames: number): void {
    const values = this.values;
    for (let i = 0; i < frames; i += 1) {
      this.next(values);
      for (let c = 0; c < out.length; c += 1) out[c]![i] = values[Math.min(c, values.length - 1)]!;
      const v = values[0]!;
      if (Math.abs(v - 2 * this.prev1 + this.prev2) > this.clickThreshold) this.clicks += 1;
      this.prev2 = this.prev1;
      this.prev1 = v;
    }
  }

  snapshot(): PlayoutSnapshot {
    return {
      state: this.state,
      // Keep-time mode: through an underrun the media time runs on (what would be heard now).
      readTs: this.anchors.length === 0 ? null : this.indexToTs(this.readPos + (this.state === 'starved' ? this.starvedFor : 0)) - (this.leadIn / this.options.sampleRate) * 1000,
      queuedMs: ((this.writeIndex - this.readPos) / this.options.sampleRate) * 1000,
      rate: this.rate,
      underruns: this.underruns,
      droppedMs: (this.droppedSamples / this.options.sampleRate) * 1000,
      drops: this.drops,
      clicks: this.clicks,
      skippedLateMs: (this.skippedLate / this.options.sampleRate) * 1000,
    };
  }

  /** Computes the next output sample into `values` (one value per stream channel). */
  private next(values: Float64Array): void {
    values.fill(0);
    if (this.state === 'waiting') return;
    if (this.leadIn > 0) {
      this.leadIn = Math.max(0, this.leadIn - this.rate);
      return;
    }
    const available = this.writeIndex - this.readPos;
    if (this.state === 'starved') {
      if (this.keepTime) {
        // The gap's time passes: resume as soon as audio is queued beyond it, skipping what came late.
        this.starvedFor += this.rate;
        if (available < this.starvedFor + this.fade * 2) return;
        const skip = Math.floor(this.starvedFor);
        this.readPos += skip;
        this.skippedLate += skip;
        this.starvedFor = 0;
        this.state = 'playing';
        this.gain = 0;
        this.next(values);
        return;
      }
      if (available < this.resumeSamples) return;
      this.state = 'playing';
      this.gain = 0;
    }
    const cf = this.crossfade;
    const remaining = available - 2 - (cf ? cf.skip : 0);
    if (remaining < 1) {
      // Out of audio: go quiet (the gain has already ramped down while it ran dry).
      this.state = 'starved';
      this.underruns += 1;
      this.crossfade = null;
      return;
    }
    // The gain ramps (never steps): towards 0 while running dry, back to 1 otherwise.
    const wanted = remaining < this.fade ? remaining / this.fade : 1;
    const step = 1 / this.fade;
    this.gain = wanted > this.gain ? Math.min(wanted, this.gain + step) : Math.max(wanted, this.gain - step);
    const gain = this.gain;
    if (cf && this.readPos >= cf.at) {
      if (cf.done < 0) cf.done = 0;
      const w = 0.5 - 0.5 * Math.cos((Math.PI * cf.done) / this.fade);
      for (let c = 0; c < values.length; c += 1) {
        values[c] = ((1 - w) * this.sample(c, this.readPos) + w * this.sample(c, this.readPos + cf.skip)) * gain;
      }
      cf.done += 1;
      this.readPos += this.rate;
      if (cf.done >= this.fade) {
        this.readPos += cf.skip;
        this.countDrop(cf.skip);
        this.crossfade = null;
      }
      return;
    }
    for (let c = 0; c < values.length; c += 1) values[c] = this.sample(c, this.readPos) * gain;
    this.readPos += this.rate;
  }

  private sample(channel: number, pos: number): number {
    const ring = this.ring[channel]!;
    const i = Math.floor(pos);
    const frac = pos - i;
    const a = ring[i % this.capacity]!;
    if (frac === 0) return a;
    const b = ring[(i + 1) % this.capacity]!;
    return a + (b - a) * frac;
  }

  private energy(at: number, length: number): number {
    let sum = 0;
    for (let i = 0; i < length; i += 1) {
      for (const ring of this.ring) {
        const v = ring[(at + i) % this.capacity]!;
        sum += v * v;
      }
    }
    return sum;
  }

  private countDrop(samples: number): void {
    this.drops += 1;
    this.droppedSamples += samples;
  }

  private indexToTs(index: number): number {
    let anchor = this.anchors[0];
    if (!anchor) return 0;
    for (const a of this.anchors) {
      if (a.index <= index) anchor = a;
      else break;
    }
    return anchor.ts + ((index - anchor.index) / this.options.sampleRate) * 1000;
  }

  private tsToIndex(ts: number): number {
    let anchor = this.anchors[0];
    if (!anchor) return this.writeIndex;
    for (const a of this.anchors) {
      if (a.ts <= ts) anchor = a;
      else break;
    }
    return anchor.index + Math.max(0, ((ts - anchor.ts) * this.options.sampleRate) / 1000);
  }

  private pruneAnchors(): void {
    let keep = 0;
    while (keep + 1 < this.anchors.length && this.anchors[keep + 1]!.index <= this.readPos) keep += 1;
    if (keep > 0) this.anchors.splice(0, keep);
  }
}
