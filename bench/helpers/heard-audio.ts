// What a page plays, as heard: a recording of the PulseAudio room's `speaker.monitor` (parec, 48 kHz
// mono) with the wall-clock time of every recorded sample, and the two measurements made on it:
// the onsets of the source's tone bursts (glass to ear, picture-minus-sound offset) and the first
// moment a tone of a given frequency is heard (accept to playing).
// Sample times: a chunk arrives after its last sample was played, so (arrival - samples so far)
// bounds the recording's start from above; the smallest bound within ±3 s of a sample is used
// (robust to a chunk delayed by scheduling and to an overrun that loses samples).
import type { ChildProcess } from 'node:child_process';
import { BENCH_TONE, findBurstOnsets } from '../../common/media/tone-bursts';
import type { PulseRoom } from './pulse-room';
import type { SourceBurst } from './timestamp-source';

const RATE = 48_000;
const NEAR_SAMPLES = 3 * RATE;

interface Chunk {
  readonly data: Int16Array;
  /** Index of the chunk's first sample in the whole recording. */
  readonly first: number;
  readonly arrivedAt: number;
}

export interface HeardBurst {
  /** Creation time of the picture whose stream time the burst started on. */
  readonly createdAt: number;
  /** Wall-clock time its onset came out of the page's output. */
  readonly heardAt: number;
  /** Glass to ear (ms). */
  readonly delayMs: number;
  /** When that picture was on screen minus when its sound was heard (ms; > 0: picture late), or null if not shown. */
  readonly offsetMs: number | null;
}

export interface ShownPicture {
  readonly at: number;
  readonly counter: number;
}

export class HeardAudio {
  private readonly chunks: Chunk[] = [];
  private total = 0;
  private child: ChildProcess | null = null;

  constructor(private readonly room: PulseRoom) {}

  start(): void {
    if (this.child) return;
    this.child = this.room.record('speaker.monitor', (chunk, arrivedAt) => {
      const even = chunk.byteLength - (chunk.byteLength % 2);
      const data = new Int16Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + even));
      this.chunks.push({ data, first: this.total, arrivedAt });
      this.total += data.length;
    });
  }

  /** Wall-clock time (ms) of recorded sample `index`. */
  wallOf(index: number): number {
    let best = Number.POSITIVE_INFINITY;
    for (const c of this.chunks) {
      const end = c.first + c.data.length;
      if (end < index - NEAR_SAMPLES) continue;
      if (c.first > index + NEAR_SAMPLES) break;
      best = Math.min(best, c.arrivedAt - (end * 1000) / RATE);
    }
    return best + (index * 1000) / RATE;
  }

  /** The recorded samples heard between two wall-clock times, and the index of the first. */
  window(from: number, to: number): { first: number; samples: Float32Array } {
    const first = this.indexAt(from);
    const last = this.indexAt(to);
    const samples = new Float32Array(Math.max(0, last - first));
    for (const c of this.chunks) {
      const end = c.first + c.data.length;
      if (end <= first || c.first >= last) continue;
      for (let i = Math.max(first, c.first); i < Math.min(last, end); i += 1) samples[i - first] = c.data[i - c.first]! / 32768;
    }
    return { first, samples };
  }

  /**
   * The source's bursts heard between `from` and `to`: each onset is matched to the burst whose
   * delay is nearest the pictures' glass-to-glass delay at that time (bursts are 1 s apart; the
   * sound is never a second away from its picture), or the latest burst created before it.
   */
  bursts(from: number, to: number, sent: readonly SourceBurst[], shown: readonly ShownPicture[], pictureDelayAt: (at: number) => number | null): HeardBurst[] {
    const { first, samples } = this.window(from, to);
    const out: HeardBurst[] = [];
    for (const onset of findBurstOnsets(samples, BENCH_TONE)) {
      const heardAt = this.wallOf(first + onset);
      const expected = pictureDelayAt(heardAt);
      let best: SourceBurst | undefined;
      for (const b of sent) {
        const delay = heardAt - b.createdAt;
        if (delay < 0 || delay > 6000) continue;
        if (!best) best = b;
        else if (expected === null ? delay < heardAt - best.createdAt : Math.abs(delay - expected) < Math.abs(heardAt - best.createdAt - expected)) best = b;
      }
      if (!best) continue;
      const picture = shown.find((p) => p.counter === best.counter && Math.abs(p.at - heardAt) < 2000);
      out.push({ createdAt: best.createdAt, heardAt, delayMs: Math.round(heardAt - best.createdAt), offsetMs: picture ? Math.round(picture.at - heardAt) : null });
    }
    return out;
  }

  /** The first wall-clock time after `from` at which a tone of `hz` is heard above `level` (10 ms blocks). */
  firstTone(from: number, to: number, hz: number, level = 0.02): number | null {
    const { first, samples } = this.window(from, to);
    const block = 480;
    const hann = Float64Array.from({ length: block }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (block - 1)));
    const w = (2 * Math.PI * hz) / RATE;
    for (let start = 0; start + block <= samples.length; start += block / 2) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < block; i += 1) {
        const v = samples[start + i]! * hann[i]!;
        re += v * Math.cos(w * i);
        im -= v * Math.sin(w * i);
      }
      // Amplitude of a sine through a Hann window: |X| * 2 / sum(window) = |X| * 4 / N.
      if ((Math.hypot(re, im) * 4) / block >= level) return this.wallOf(first + start);
    }
    return null;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  private indexAt(wall: number): number {
    if (this.chunks.length === 0) return 0;
    // First estimate from the global bound, then refine with the local one.
    let index = Math.round(((wall - this.wallOf(0)) * RATE) / 1000);
    index = Math.round(index + ((wall - this.wallOf(index)) * RATE) / 1000);
    return Math.max(0, Math.min(this.total, index));
  }
}
