// The mix's output: one ffmpeg that reads the composited raw picture (yuv420p on fd 3) and the
// mixed audio (s16le on fd 4), encodes x264 (veryfast, zerolatency, GOP = fps, no scene-cut
// keyframes) + AAC 48 kHz mono, and publishes the result to the origin as an internal stream.
// Low-latency settings: no probing of the raw inputs (ffmpeg would otherwise read seconds of
// pictures before opening its output), no B-frames (zerolatency), one keyframe a second, no interleaving wait,
// packets flushed as written. `-output_ts_offset` keeps timestamps continuous across a restart.
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { FfmpegProcess } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegProgress } from '../../node/ffmpeg/ffmpeg-progress';
import type { FfmpegFailure } from '../../node/ffmpeg/ffmpeg-process';

/** The mix output's format (the big host's preset), shared by the mix and its encoder. */
export interface MixOutputFormat {
  readonly ffmpegPath: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly videoKbps: number;
  readonly audioKbps: number;
  readonly sampleRate: number;
}

export interface MixEncoderOptions extends MixOutputFormat {
  readonly name: string;
  readonly preset: string;
  /** RTMP publish URL of the mix stream. */
  readonly url: string;
  /** Output timestamps start here (seconds): the media time already published by earlier encoders. */
  readonly startTimeSec: number;
}

export function mixEncoderArgs(o: MixEncoderOptions): string[] {
  const kbps = o.videoKbps;
  return [
    '-loglevel', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${o.width}x${o.height}`, '-framerate', String(o.fps),
    '-probesize', '32', '-analyzeduration', '0', '-thread_queue_size', '64', '-i', 'pipe:3',
    '-f', 's16le', '-ar', String(o.sampleRate), '-ac', '1', '-probesize', '32', '-analyzeduration', '0', '-thread_queue_size', '64', '-i', 'pipe:4',
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', o.preset, '-tune', 'zerolatency', '-profile:v', 'high',
    '-g', String(o.fps), '-keyint_min', String(o.fps), '-sc_threshold', '0',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`, '-pix_fmt', 'yuv420p',
    '-fps_mode', 'passthrough', '-threads', '2',
    '-c:a', 'aac', '-b:a', `${o.audioKbps}k`, '-ar', String(o.sampleRate), '-ac', '1',
    '-output_ts_offset', o.startTimeSec.toFixed(3),
    '-max_interleave_delta', '1', '-flush_packets', '1',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', o.url,
  ];
}

export class MixEncoder {
  readonly proc: FfmpegProcess;
  private video: Writable | undefined;
  private audio: Writable | undefined;

  constructor(
    readonly options: MixEncoderOptions,
    logger: Logger,
    handlers: { onFailure: (failure: FfmpegFailure) => void; onProgress: (progress: FfmpegProgress) => void },
  ) {
    this.proc = new FfmpegProcess(
      { ffmpegPath: options.ffmpegPath, args: mixEncoderArgs(options), name: options.name, mode: 'progress', extraPipes: 2, closeTimeoutMs: 1500, statsPeriodSec: 0.5 },
      logger,
    );
    this.proc.on('spawn', () => {
      this.video = this.proc.pipe(3);
      this.audio = this.proc.pipe(4);
    });
    this.proc.on('failed', handlers.onFailure);
    this.proc.on('died', handlers.onFailure);
    this.proc.on('ended', () => handlers.onFailure({ message: 'the mix encoder ended', code: 0, signal: null, stderrTail: [] }));
    this.proc.on('progress', handlers.onProgress);
    this.proc.start();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Bytes written but not yet taken by ffmpeg. */
  get backlogBytes(): number {
    return (this.video?.writableLength ?? 0) + (this.audio?.writableLength ?? 0);
  }

  /** Writes one tick: a picture and its audio. False when the pipes are not open (yet). */
  write(picture: Buffer, pcm: Buffer): boolean {
    if (!this.video || !this.audio || this.video.destroyed || this.audio.destroyed) return false;
    this.video.write(picture);
    this.audio.write(pcm);
    return true;
  }

  close(): Promise<unknown> {
    this.video?.end();
    this.audio?.end();
    return this.proc.close();
  }

  kill(): Promise<unknown> {
    return this.proc.kill();
  }
}
