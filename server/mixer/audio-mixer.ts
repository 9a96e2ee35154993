// Mixes the parties' audio (s16le, 48 kHz mono, as each party's decoder delivers it) into the
// output, one tick's worth of samples at a time: a per-party FIFO that is padded with silence when
// a party is late and trimmed when it runs ahead (a join delivers the origin's cached GOP in a
// burst), summed with saturation. The equivalent of ffmpeg's amix with normalisation off.

/** Most audio held per party before the oldest is dropped (keeps the mix's audio delay bounded). */
const MAX_QUEUED_MS = 150;

export class AudioFifo {
  private chunks: Buffer[] = [];
  private queued = 0;
  private head = 0;
  /** Samples dropped to keep the queue short. */
  dropped = 0;

  constructor(private readonly sampleRate: number) {}

  get queuedSamples(): number {
    return (this.queued - this.head) / 2;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
    const max = Math.round((this.sampleRate * MAX_QUEUED_MS) / 1000) * 2;
    while (this.queued - this.head > max) {
      const excess = this.queued - this.head - max;
      const first = this.chunks[0]!;
      const left = first.length - this.head;
      // drop whole samples only
      const drop = Math.min(left, excess + (excess % 2));
      this.head += drop;
      this.dropped += drop / 2;
      if (this.head >= first.length) {
        this.chunks.shift();
        this.queued -= first.length;
        this.head = 0;
      }
    }
  }

  /** Adds up to `samples` samples into `mix` (Int32 accumulator); returns how many were there. */
  mixInto(mix: Int32Array, samples: number): number {
    let taken = 0;
    while (taken < samples && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      while (taken < samples && this.head + 1 < first.length) {
        mix[taken] = mix[taken]! + first.readInt16LE(this.head);
        this.head += 2;
        taken += 1;
      }
      if (this.head + 1 >= first.length) {
        // an odd trailing byte cannot happen with whole-sample chunks; drop it if it does
        this.chunks.shift();
        this.queued -= first.length;
        this.head = 0;
      }
    }
    return taken;
  }

  clear(): void {
    this.chunks = [];
    this.queued = 0;
    this.head = 0;
  }
}

/** Sums the FIFOs into `samples` s16le samples. */
export function mixAudio(fifos: Iterable<AudioFifo>, samples: number): Buffer {
  const acc = new Int32Array(samples);
  for (const fifo of fifos) fifo.mixInto(acc, samples);
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.max(-32768, Math.min(32767, acc[i]!)), i * 2);
  return out;
}
