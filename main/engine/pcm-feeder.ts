// Feeds the renderer's echo-cancelled microphone (48 kHz mono PCM) to ffmpeg over a pipe on a
// wall-clock timeline: every tick it writes exactly the samples real time asks for, taking the
// renderer's frames first and filling the rest with silence, so the audio never stalls when the
// renderer sends nothing and stays in step with a live video device. ffmpeg stamps raw PCM by
// sample count, so sample count = elapsed wall-clock time keeps audio and video in sync. A small
// jitter buffer (`jitterMs`) absorbs the renderer's delivery jitter: after an underrun the feeder
// writes silence until that much renderer audio is queued again, instead of chopping the voice.
import type { Writable } from 'node:stream';
import { AUDIO_SAMPLE_RATE } from '../../common/presets';
import { ValidationError } from '../../common/errors';
import type { Logger } from '../../node/logger';

export type PcmFormat = 's16le' | 'f32le';
export type PcmFrame = Buffer | Int16Array | Float32Array;

export interface PcmFeederStats {
  /** Samples taken from the renderer and written. */
  readonly rendererSamples: number;
  /** Silence (or fill tone) written because the renderer had nothing. */
  readonly silenceSamples: number;
  /** Renderer samples dropped because they arrived faster than real time (latency cap). */
  readonly droppedSamples: number;
  /** Times the renderer's audio ran dry while playing (each followed by re-buffering). */
  readonly underruns: number;
}

export interface PcmFeederOptions {
  readonly format: PcmFormat;
  readonly sampleRate?: number;
  readonly tickMs?: number;
  /** Renderer audio queued beyond this is dropped (oldest first) to keep latency bounded. Default 200 ms. */
  readonly maxQueueMs?: number;
  /** Renderer audio to queue before playing it out (after start and after each underrun). Default 40 ms. */
  readonly jitterMs?: number;
  /** What fills the gaps: silence (default), or a sine tone (a generated test tone on the live timeline). */
  readonly fill?: { readonly frequency: number; readonly amplitude?: number };
}

export class PcmFeeder {
  readonly format: PcmFormat;
  private readonly bytesPerSample: number;
  private readonly sampleRate: number;
  private readonly tickMs: number;
  private readonly maxQueueBytes: number;
  private readonly jitterBytes: number;
  private playing = false;
  private readonly fill: PcmFeederOptions['fill'];
  private underruns = 0;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private out: Writable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private samplesWritten = 0;
  private renderer = 0;
  private silence = 0;
  private dropped = 0;

  constructor(
    options: PcmFeederOptions,
    private readonly logger: Logger,
  ) {
    this.format = options.format;
    this.bytesPerSample = options.format === 's16le' ? 2 : 4;
    this.sampleRate = options.sampleRate ?? AUDIO_SAMPLE_RATE;
    this.tickMs = options.tickMs ?? 10;
    this.maxQueueBytes = Math.round(((options.maxQueueMs ?? 200) / 1000) * this.sampleRate) * this.bytesPerSample;
    this.fill = options.fill;
    this.jitterBytes = Math.min(this.maxQueueBytes, Math.round(((options.jitterMs ?? 40) / 1000) * this.sampleRate) * this.bytesPerSample);
  }

  get stats(): PcmFeederStats {
    return { rendererSamples: this.renderer, silenceSamples: this.silence, droppedSamples: this.dropped, underruns: this.underruns };
  }

  get attached(): boolean {
    return this.out !== undefined;
  }

  /** Queues a frame from the renderer (mono, 48 kHz). Typed arrays are converted to the pipe format. */
  write(frame: PcmFrame): void {
    const bytes = this.toBytes(frame);
    if (bytes.length === 0) return;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    while (this.queuedBytes > this.maxQueueBytes && this.queue.length > 0) {
      const excess = this.queuedBytes - this.maxQueueBytes;
      const head = this.queue[0] as Buffer;
      if (head.length <= excess) {
        this.queue.shift();
        this.queuedBytes -= head.length;
        this.dropped += head.length / this.bytesPerSample;
      } else {
        const cut = excess - (excess % this.bytesPerSample) || this.bytesPerSample;
        this.queue[0] = head.subarray(cut);
        this.queuedBytes -= cut;
        this.dropped += cut / this.bytesPerSample;
      }
    }
  }

  /**
   * Starts the clock and writes to `out` (ffmpeg's PCM pipe) until detached. `leadMs` back-dates
   * the timeline (the video's first frame was that long ago): that much is written at once.
   */
  attach(out: Writable, leadMs = 0): void {
    this.detach();
    this.out = out;
    this.startedAt = performance.now() - Math.max(0, leadMs);
    this.samplesWritten = 0;
    out.on('error', () => this.detach());
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  detach(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.out = undefined;
  }

  private tick(): void {
    const out = this.out;
    if (!out || out.destroyed || out.writableEnded) return;
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.sampleRate) - this.samplesWritten;
    if (due <= 0) return;
    if (out.writableLength > this.sampleRate * this.bytesPerSample * 2) {
      // ffmpeg has not read for 2 s: it is stuck; do not grow memory without bound.
      this.logger.warn('ffmpeg is not reading the PCM pipe; dropping audio');
      this.samplesWritten += due;
      return;
    }
    const wantBytes = due * this.bytesPerSample;
    const chunk = Buffer.alloc(wantBytes); // zero = silence in both formats
    let filled = 0;
    if (!this.playing && this.queuedBytes >= this.jitterBytes) this.playing = true;
    while (this.playing && filled < wantBytes && this.queue.length > 0) {
      const head = this.queue[0] as Buffer;
      const take = Math.min(head.length, wantBytes - filled);
      head.copy(chunk, filled, 0, take);
      filled += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
      this.queuedBytes -= take;
    }
    if (this.playing && filled < wantBytes) {
      // Underrun: the renderer is late or stopped. Silence now, and re-buffer before playing again.
      this.playing = false;
      if (filled > 0) this.underruns += 1;
    }
    if (this.fill && filled < wantBytes) this.writeTone(chunk, filled / this.bytesPerSample, due);
    this.renderer += filled / this.bytesPerSample;
    this.silence += (wantBytes - filled) / this.bytesPerSample;
    this.samplesWritten += due;
    out.write(chunk);
  }

  /** Writes the fill tone into samples [from, to) of `chunk`, phase-continuous on the feeder's timeline. */
  private writeTone(chunk: Buffer, from: number, to: number): void {
    const fill = this.fill as NonNullable<PcmFeederOptions['fill']>;
    const amplitude = fill.amplitude ?? 0.25;
    const step = (2 * Math.PI * fill.frequency) / this.sampleRate;
    for (let i = from; i < to; i++) {
      const value = amplitude * Math.sin(step * (this.samplesWritten + i));
      if (this.format === 's16le') chunk.writeInt16LE(Math.round(value * 32767), i * 2);
      else chunk.writeFloatLE(value, i * 4);
    }
  }

  private toBytes(frame: PcmFrame): Buffer {
    if (Buffer.isBuffer(frame)) {
      if (frame.length % this.bytesPerSample !== 0) {
        throw new ValidationError('INVALID_ARGUMENT', 'pcm', `a ${this.format} frame must be a whole number of ${this.bytesPerSample}-byte samples`);
      }
      return Buffer.from(frame); // copy: the caller may reuse its buffer
    }
    if (frame instanceof Int16Array) {
      if (this.format === 's16le') return Buffer.from(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength).slice());
      const out = Buffer.alloc(frame.length * 4);
      for (let i = 0; i < frame.length; i++) out.writeFloatLE((frame[i] as number) / 32768, i * 4);
      return out;
    }
    if (this.format === 'f32le') return Buffer.from(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength).slice());
    const out = Buffer.alloc(frame.length * 2);
    for (let i = 0; i < frame.length; i++) {
      const sample = Math.max(-1, Math.min(1, frame[i] as number));
      out.writeInt16LE(Math.round(sample < 0 ? sample * 32768 : sample * 32767), i * 2);
    }
    return out;
  }
}
