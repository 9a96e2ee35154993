// The glass-to-glass source: a Node loop draws each frame's creation time (Date.now()) as
// timestamp blocks into a 360x640 gray picture and writes it to ffmpeg's stdin as raw video, with a
// 440 Hz tone as raw PCM on fd 3 (a tone makes clicks measurable); ffmpeg encodes x264
// veryfast/zerolatency GOP 15 (no scene-cut keyframes) 800 kbps + AAC 48 kHz mono and pushes RTMP.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { drawStamp } from '../../common/media/timestamp-blocks';

export interface TimestampSourceOptions {
  readonly rtmpUrl: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly videoKbps?: number;
  readonly toneHz?: number;
  /**
   * Publisher tuning under test (bench only). Default `threads1`: x264 and AAC in ffmpeg's one
   * encode thread (`-threads 1`), `-max_interleave_delta 1 -flush_packets 1`.
   */
  readonly variant?: SourceVariant;
}

/** Publisher settings compared by `BENCH_SOURCE_VARIANTS` (see docs/player.md). */
export const SOURCE_VARIANTS = {
  /** x264 in ffmpeg's encode thread (what the bench used so far). */
  threads1: ['-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1'],
  /** x264 picks its threads; zerolatency makes them sliced threads (no frame delay). */
  threadsAuto: ['-max_interleave_delta', '1', '-flush_packets', '1'],
  /** Two sliced threads: each picture is encoded in about half the time on 2 cores. */
  sliced2: ['-threads', '2', '-x264-params', 'sliced-threads=1', '-max_interleave_delta', '1', '-flush_packets', '1'],
  /** As threads1, with TCP_NODELAY on the RTMP socket (no Nagle hold of small audio packets). */
  nodelay: ['-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1', '-tcp_nodelay', '1'],
  /** As threads1, audio timestamps 45 ms later (-itsoffset on the PCM input). */
  audioLater45: ['-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1'],
  /** As threads1, audio timestamps 45 ms earlier. */
  audioEarlier45: ['-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1'],
  /** As threads1, but the muxer's default interleaving (waits for both tracks) and no per-packet flush. */
  muxDefault: ['-threads', '1'],
} as const satisfies Record<string, readonly string[]>;
export type SourceVariant = keyof typeof SOURCE_VARIANTS;

const SAMPLE_RATE = 48_000;
const AUDIO_CHUNK = 240; // 5 ms: AAC frames complete within 5 ms of their last sample

export class TimestampSource {
  private child: ChildProcess | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private exited: Promise<void> = Promise.resolve();
  private counter = 0;
  /** Frames not sent because the loop ran late (each shifts the video timeline by one frame). */
  skippedFrames = 0;
  private stderr = '';
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly variant: SourceVariant;

  constructor(private readonly options: TimestampSourceOptions) {
    this.width = options.width ?? 360;
    this.height = options.height ?? 640;
    this.fps = options.fps ?? 15;
    this.variant = options.variant ?? 'threads1';
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts ffmpeg and the frame loop (the stream is live on the origin shortly after). */
  start(): void {
    if (this.child) return;
    const kbps = this.options.videoKbps ?? 800;
    const args = [
      '-hide_banner', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${this.width}x${this.height}`, '-framerate', String(this.fps), '-i', 'pipe:0',
      ...(this.variant === 'audioLater45' ? ['-itsoffset', '0.045'] : this.variant === 'audioEarlier45' ? ['-itsoffset', '-0.045'] : []),
      '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:3',
      '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(this.fps), '-sc_threshold', '0',
      '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`, '-pix_fmt', 'yuv420p',
      '-fps_mode', 'passthrough',
      '-c:a', 'aac', '-b:a', '64k', '-ar', String(SAMPLE_RATE), '-ac', '1',
      ...SOURCE_VARIANTS[this.variant],
      '-f', 'flv', '-flvflags', 'no_duration_filesize', this.options.rtmpUrl,
    ];
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    const video = child.stdin!;
    const audio = child.stdio[3] as Writable;
    video.on('error', () => undefined);
    audio.on('error', () => undefined);
    this.exited = new Promise((ok) => child.once('exit', () => ok()));
    child.once('exit', () => {
      if (this.child === child) this.stopLoop();
    });

    const frame = new Uint8Array(this.width * this.height);
    const start = performance.now();
    let videoSent = 0;
    let audioSent = 0;
    const hz = this.options.toneHz ?? 440;
    this.timer = setInterval(() => {
      const elapsed = performance.now() - start;
      while (audioSent * AUDIO_CHUNK <= (elapsed / 1000) * SAMPLE_RATE) {
        const pcm = Buffer.alloc(AUDIO_CHUNK * 2);
        for (let i = 0; i < AUDIO_CHUNK; i += 1) {
          const n = audioSent * AUDIO_CHUNK + i;
          pcm.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * hz * n) / SAMPLE_RATE)), i * 2);
        }
        audio.write(pcm);
        audioSent += 1;
      }
      if (videoSent <= (elapsed / 1000) * this.fps) {
        // Only the newest due frame: a late loop must not send stale creation times.
        const due = Math.floor((elapsed / 1000) * this.fps) + 1;
        this.skippedFrames += due - videoSent - 1;
        videoSent = due;
        frame.fill(128);
        drawStamp(frame, this.width, { timeLow32: Date.now() >>> 0, counter: this.counter & 0xffff });
        this.counter += 1;
        video.write(frame);
      }
    }, 4);
  }

  /** Stops ffmpeg (SIGKILL: a publisher that vanishes) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.stopLoop();
    if (!child) return;
    this.child = null;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** ffmpeg's last error output (for failure messages). */
  get lastError(): string {
    return this.stderr;
  }

  private stopLoop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
