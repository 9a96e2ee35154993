// Turns a stream of Float32 chunks at the AudioContext's rate into fixed 48 kHz mono frames
// (20 ms = 960 samples by default) for the engine. Pure and synchronous: the capture module feeds
// it from the AudioWorklet's messages, and tests feed it directly.
import { LinearResampler } from './linear-resampler';
import { LINK_MIC_SAMPLE_RATE, floatToInt16, type PcmFrame, type PcmFrameSink, type PcmSampleFormat } from './pcm-frame';

export interface PcmFramePackerOptions {
  /** Rate of the samples pushed in (the AudioContext's sampleRate). */
  readonly inputRate: number;
  /** Frame length in ms; 48 kHz × frameMs / 1000 must be an integer. Default 20. */
  readonly frameMs?: number;
  readonly format?: PcmSampleFormat;
  readonly onFrame: PcmFrameSink;
}

export class PcmFramePacker {
  readonly samplesPerFrame: number;
  readonly format: PcmSampleFormat;
  private readonly resampler: LinearResampler;
  private readonly onFrame: PcmFrameSink;
  private readonly pending: Float32Array;
  private filled = 0;
  /** True while the samples in `pending` came (even partly) from a gap. */
  private pendingGap = false;
  private seq = 0;

  constructor(options: PcmFramePackerOptions) {
    const frameMs = options.frameMs ?? 20;
    const samples = (LINK_MIC_SAMPLE_RATE * frameMs) / 1000;
    if (!Number.isInteger(samples) || samples <= 0) throw new RangeError(`frameMs ${frameMs} does not give whole 48 kHz samples`);
    this.samplesPerFrame = samples;
    this.format = options.format ?? 's16';
    this.resampler = new LinearResampler(options.inputRate, LINK_MIC_SAMPLE_RATE);
    this.onFrame = options.onFrame;
    this.pending = new Float32Array(samples);
  }

  /** Frames emitted so far. */
  get framesEmitted(): number {
    return this.seq;
  }

  /** Pushes samples at the input rate. `gap` marks filler silence (no microphone at that moment). */
  push(samples: Float32Array, gap = false): void {
    const resampled = this.resampler.process(samples);
    let offset = 0;
    while (offset < resampled.length) {
      const take = Math.min(this.samplesPerFrame - this.filled, resampled.length - offset);
      this.pending.set(resampled.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (gap) this.pendingGap = true;
      if (this.filled === this.samplesPerFrame) this.emit();
    }
  }

  private emit(): void {
    const floats = this.pending.slice();
    const data = this.format === 's16' ? floatToInt16(floats) : floats;
    const frame: PcmFrame = {
      seq: this.seq,
      sampleIndex: this.seq * this.samplesPerFrame,
      sampleRate: LINK_MIC_SAMPLE_RATE,
      channels: 1,
      format: this.format,
      data,
      gap: this.pendingGap,
    };
    this.seq += 1;
    this.filled = 0;
    this.pendingGap = false;
    this.onFrame(frame);
  }
}
