// The glass-to-glass source: a Node loop draws each frame's creation time (Date.now()) as
// timestamp blocks into a 360x640 gray picture and writes it to ffmpeg's stdin as raw video, with a
// 440 Hz tone as raw PCM on fd 3 (a tone makes clicks measurable) that bursts loud for 120 ms each
// second, starting on the sample with the stream time of every 15th picture (glass to ear); ffmpeg encodes x264
// veryfast/zerolatency GOP 15 (no scene-cut keyframes) 800 kbps + AAC 48 kHz mono and pushes RTMP,
// by default the way the push engine does (variant `engine`: its SplitPush, each track in its own
// ffmpeg and the engine's own RTMP publisher; `engineSingle`: the one-ffmpeg push it replaced).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { drawStamp } from '../../common/media/timestamp-blocks';
import { BENCH_TONE, toneSample, type ToneBurstSpec } from '../../common/media/tone-bursts';
import { BIG_HOST_PRESET, type EncoderSettings } from '../../common/presets';
import { audioEncoderArgs, encoderArgs } from '../../main/engine/encoder-args';
import { DROP_AAC_PRIMING, liveMuxerArgs, PCM_FD, trackMuxerArgs } from '../../main/engine/push-command';
import { SplitPush } from '../../main/engine/split-push';
import { silentLogger } from '../../node/logger';

export interface TimestampSourceOptions {
  readonly rtmpUrl: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly videoKbps?: number;
  readonly toneHz?: number;
  /**
   * Publisher settings under test (bench only). Default `engine`: the push engine's own libx264,
   * AAC and muxer options (main/engine), so the bench measures what the studio sends.
   */
  readonly variant?: SourceVariant;
}

const X264 = (kbps: number, fps: number): string[] => [
  '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(fps), '-sc_threshold', '0',
  '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`, '-pix_fmt', 'yuv420p',
];
const AAC = ['-c:a', 'aac', '-b:a', '64k', '-ar', '48000', '-ac', '1'];
const FLV = ['-f', 'flv', '-flvflags', 'no_duration_filesize'];
/** The push engine's encoder settings for this picture (the big-host preset's rate control). */
const engineSettings = (width: number, height: number, fps: number, kbps: number): EncoderSettings => ({ ...BIG_HOST_PRESET, width, height, fps, videoBitrateKbps: kbps });

/** Output options (encoders + muxer) per publisher setting compared by `BENCH_SOURCE_VARIANTS` (see docs/player.md). */
export const SOURCE_VARIANTS = {
  /**
   * The push engine (main/engine/split-push.ts): its libx264 options in one ffmpeg, its AAC options in
   * another, each writing FLV to a pipe, the tags published by the engine's RTMP publisher as they
   * come. Output options here are the video process's; the audio process gets SPLIT_AUDIO_OUTPUT.
   */
  engine: (w: number, h: number, fps: number, kbps: number) => [...encoderArgs('libx264', engineSettings(w, h, fps, kbps)).output, '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough', ...trackMuxerArgs()],
  /** The push engine until 2026-12-06: one ffmpeg, its libx264 options, AAC, and its low-delay muxer (`liveMuxerArgs`). */
  engineSingle: (w: number, h: number, fps: number, kbps: number) => [...encoderArgs('libx264', engineSettings(w, h, fps, kbps)).output, '-pix_fmt', 'yuv420p', ...audioEncoderArgs(engineSettings(w, h, fps, kbps)), ...liveMuxerArgs('flv')],
  /** The push engine before 2026-12-02: ffmpeg's default interleaving (waits for both tracks). */
  engineDefaultMux: (w: number, h: number, fps: number, kbps: number) => [...encoderArgs('libx264', engineSettings(w, h, fps, kbps)).output, '-pix_fmt', 'yuv420p', ...audioEncoderArgs(engineSettings(w, h, fps, kbps)), '-max_muxing_queue_size', '1024', '-flush_packets', '1', ...FLV],
  /** x264 in ffmpeg's encode thread (the bench's source until 2026-12-02). */
  threads1: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1', ...FLV],
  /** x264 picks its threads; zerolatency makes them sliced threads (no frame delay). */
  threadsAuto: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-max_interleave_delta', '1', '-flush_packets', '1', ...FLV],
  /** Two sliced threads: each picture is encoded in about half the time on 2 cores. */
  sliced2: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-threads', '2', '-x264-params', 'sliced-threads=1', '-max_interleave_delta', '1', '-flush_packets', '1', ...FLV],
  /** As threads1, with TCP_NODELAY on the RTMP socket (no Nagle hold of small audio packets). */
  nodelay: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1', '-tcp_nodelay', '1', ...FLV],
  /** As threads1, audio timestamps 45 ms later (-itsoffset on the PCM input). */
  audioLater45: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1', ...FLV],
  /** As threads1, audio timestamps 45 ms earlier. */
  audioEarlier45: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-threads', '1', '-max_interleave_delta', '1', '-flush_packets', '1', ...FLV],
  /** As threads1, but the muxer's default interleaving (waits for both tracks) and no per-packet flush. */
  muxDefault: (_w: number, _h: number, fps: number, kbps: number) => [...X264(kbps, fps), ...AAC, '-threads', '1', ...FLV],
} as const satisfies Record<string, (width: number, height: number, fps: number, kbps: number) => string[]>;
export type SourceVariant = keyof typeof SOURCE_VARIANTS;
/** The audio process of `engine`: the engine's AAC options, priming packet dropped, FLV to its pipe. */
const SPLIT_AUDIO_OUTPUT = (w: number, h: number, fps: number, kbps: number): string[] => [...audioEncoderArgs(engineSettings(w, h, fps, kbps)), ...DROP_AAC_PRIMING, ...trackMuxerArgs()];

export interface SourceBurst {
  /** The stamp counter of the picture whose stream time is the burst's first sample. */
  readonly counter: number;
  /** That picture's creation time (Date.now(), the time drawn into it). */
  readonly createdAt: number;
  /** Burst number since the source started. */
  readonly index: number;
}

const SAMPLE_RATE = 48_000;
const AUDIO_CHUNK = 240; // 5 ms: AAC frames complete within 5 ms of their last sample

export class TimestampSource {
  private child: ChildProcess | null = null;
  private split: SplitPush | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private exited: Promise<void> = Promise.resolve();
  private counter = 0;
  /** Frames sent late, in a catch-up burst after a late loop tick (their stamps are late by as much). */
  lateFrames = 0;
  /** Every tone burst sent: the counter and creation time of the picture with its stream time. */
  readonly bursts: SourceBurst[] = [];
  private stderr = '';
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly variant: SourceVariant;

  constructor(private readonly options: TimestampSourceOptions) {
    this.width = options.width ?? 360;
    this.height = options.height ?? 640;
    this.fps = options.fps ?? 15;
    this.variant = options.variant ?? 'engine';
  }

  get running(): boolean {
    return this.child !== null || this.split !== null;
  }

  /** Starts ffmpeg and the frame loop (the stream is live on the origin shortly after). */
  start(): void {
    if (this.child || this.split) return;
    const kbps = this.options.videoKbps ?? 800;
    if (this.variant === 'engine') {
      const split = new SplitPush(
        {
          ffmpegPath: 'ffmpeg',
          url: this.options.rtmpUrl,
          metadata: { duration: 0, width: this.width, height: this.height, framerate: this.fps, videocodecid: 7, videodatarate: kbps, audiocodecid: 10, audiosamplerate: SAMPLE_RATE, audiosamplesize: 16, stereo: false },
          videoArgs: ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${this.width}x${this.height}`, '-framerate', String(this.fps), '-i', `pipe:${PCM_FD}`, '-map', '0:v', ...SOURCE_VARIANTS.engine(this.width, this.height, this.fps, kbps)],
          audioArgs: ['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', `pipe:${PCM_FD}`, '-map', '0:a', ...SPLIT_AUDIO_OUTPUT(this.width, this.height, this.fps, kbps)],
        },
        silentLogger(),
      );
      this.split = split;
      this.exited = new Promise((ok) => split.once('close', () => ok()));
      split.once('close', (exit) => {
        if (!exit.closedByUs) this.stderr = [exit.errorLine, ...split.stderrTail].join('\n');
        if (this.split === split) this.stopLoop();
      });
      split.start();
      const video = split.videoInput(PCM_FD);
      const audio = split.pipe(PCM_FD);
      if (!video || !audio) throw new Error('the split push has no input pipes');
      video.on('error', () => undefined);
      audio.on('error', () => undefined);
      this.runLoop(video, audio);
      return;
    }
    const args = [
      '-hide_banner', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${this.width}x${this.height}`, '-framerate', String(this.fps), '-i', 'pipe:0',
      ...(this.variant === 'audioLater45' ? ['-itsoffset', '0.045'] : this.variant === 'audioEarlier45' ? ['-itsoffset', '-0.045'] : []),
      '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:3',
      '-map', '0:v', '-map', '1:a',
      '-fps_mode', 'passthrough',
      ...SOURCE_VARIANTS[this.variant](this.width, this.height, this.fps, kbps),
      this.options.rtmpUrl,
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
    this.runLoop(video, audio);
  }

  /** Writes pictures and PCM on the wall clock until stopped. */
  private runLoop(video: Writable, audio: Writable): void {
    const frame = new Uint8Array(this.width * this.height);
    const start = performance.now();
    let videoSent = 0;
    let audioSent = 0;
    const tone: ToneBurstSpec = { ...BENCH_TONE, toneHz: this.options.toneHz ?? BENCH_TONE.toneHz };
    const framesPerBurst = Math.round((tone.periodSamples / SAMPLE_RATE) * this.fps);
    this.timer = setInterval(() => {
      const elapsed = performance.now() - start;
      while (audioSent * AUDIO_CHUNK <= (elapsed / 1000) * SAMPLE_RATE) {
        const pcm = Buffer.alloc(AUDIO_CHUNK * 2);
        for (let i = 0; i < AUDIO_CHUNK; i += 1) pcm.writeInt16LE(Math.round(32767 * toneSample(tone, audioSent * AUDIO_CHUNK + i)), i * 2);
        audio.write(pcm);
        audioSent += 1;
      }
      // Every due frame, each stamped now: ffmpeg counts frames for the video timestamps, so a
      // skipped frame would move the picture a frame behind its sound. A late loop sends a burst.
      let sentNow = 0;
      while (videoSent <= (elapsed / 1000) * this.fps) {
        const createdAt = Date.now();
        frame.fill(128);
        drawStamp(frame, this.width, { timeLow32: createdAt >>> 0, counter: this.counter & 0xffff });
        // This picture has the stream time of a burst's first sample: the burst is "created" with it.
        if (videoSent % framesPerBurst === 0) this.bursts.push({ counter: this.counter & 0xffff, createdAt, index: videoSent / framesPerBurst });
        if (this.bursts.length > 2000) this.bursts.splice(0, 1000);
        this.counter += 1;
        videoSent += 1;
        sentNow += 1;
        video.write(frame);
      }
      if (sentNow > 1) this.lateFrames += sentNow - 1;
    }, 4);
  }

  /** Stops ffmpeg (SIGKILL: a publisher that vanishes) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.stopLoop();
    if (this.split) {
      const split = this.split;
      this.split = null;
      await split.close();
      return;
    }
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
