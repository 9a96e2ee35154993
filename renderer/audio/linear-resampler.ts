// Streaming linear-interpolation resampler for mono Float32 audio. Used only when the capture
// AudioContext does not run at 48 kHz (link-mic audio is 48 kHz, "use no other rate"): the
// AudioContext is asked for 48 kHz first, so in practice this is a pass-through.
// Pure: no DOM, no timers; state carries across calls so chunk boundaries do not click.

export class LinearResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Input samples advanced per output sample. */
  private readonly step: number;
  /** Position of the next output sample, in input samples relative to the current chunk (-1 = the previous chunk's last sample). */
  private position = 0;
  private previous = 0;

  constructor(inputRate: number, outputRate: number) {
    if (!(Number.isFinite(inputRate) && inputRate > 0) || !(Number.isFinite(outputRate) && outputRate > 0)) {
      throw new RangeError(`sample rates must be positive (got ${inputRate} -> ${outputRate})`);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.step = inputRate / outputRate;
  }

  get isPassThrough(): boolean {
    return this.inputRate === this.outputRate;
  }

  /** Resamples one chunk; returns the output samples it completes (may be empty). */
  process(input: Float32Array): Float32Array {
    if (this.isPassThrough) return input;
    const n = input.length;
    if (n === 0) return new Float32Array(0);
    // Output positions p with floor(p) + 1 <= n - 1, i.e. p < n - 1, can be produced now.
    const count = Math.max(0, Math.ceil((n - 1 - this.position) / this.step));
    const out = new Float32Array(count);
    let p = this.position;
    for (let k = 0; k < count; k += 1) {
      const i = Math.floor(p);
      const frac = p - i;
      const a = i < 0 ? this.previous : (input[i] as number);
      const b = input[i + 1] as number;
      out[k] = a + (b - a) * frac;
      p += this.step;
    }
    this.position = p - n;
    this.previous = input[n - 1] as number;
    return out;
  }

  reset(): void {
    this.position = 0;
    this.previous = 0;
  }
}
