// One party of a mix: an ffmpeg that pulls the party's original stream from the origin (HTTP-FLV,
// as an internal client, so never redirected to a mix) and decodes it to raw yuv420p at the tile
// size (scaled to cover the tile, centre-cropped) on fd 3 and s16le 48 kHz mono on fd 4. Holds the
// latest picture; feeds an AudioFifo. Restarts itself with backoff while the party is live.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { backoffDelayMs, RESTART_BACKOFF } from '../../common/backoff';
import { FfmpegProcess, type FfmpegFailure } from '../../node/ffmpeg/ffmpeg-process';
import { AudioFifo } from './audio-mixer';
import { YuvFrame } from './yuv-canvas';

export interface PartyDecoderOptions {
  readonly ffmpegPath: string;
  readonly streamCode: string;
  /** Internal HTTP-FLV URL of the original stream. */
  readonly url: string;
  readonly width: number;
  readonly height: number;
  readonly sampleRate: number;
  /** Called when the decoder failed or died (it restarts by itself). */
  readonly onError: (message: string) => void;
}

export class PartyDecoder {
  readonly audio: AudioFifo;
  /** The latest decoded picture (null until the first one). */
  latest: YuvFrame | null = null;
  /** Frames decoded since start (all restarts). */
  frames = 0;
  restarts = 0;
  lastError: string | null = null;
  private proc: FfmpegProcess | undefined;
  /** The previous decoder during a resize: it keeps the picture moving until the new one delivers. */
  private retiring: FfmpegProcess | undefined;
  /** Decoders that have delivered at least one picture. */
  private readonly delivered = new WeakSet<FfmpegProcess>();
  private width: number;
  private height: number;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private failuresInRow = 0;
  private readonly log: Logger;

  constructor(
    private readonly options: PartyDecoderOptions,
    logger: Logger,
  ) {
    this.width = options.width;
    this.height = options.height;
    this.audio = new AudioFifo(options.sampleRate);
    this.log = logger.child({ party: options.streamCode });
  }

  get streamCode(): string {
    return this.options.streamCode;
  }

  get size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  get pids(): number[] {
    return [this.proc?.pid, this.retiring?.pid].filter((pid): pid is number => pid !== undefined);
  }

  get running(): boolean {
    return this.proc !== undefined && !this.proc.closed;
  }

  start(): void {
    if (this.closed || this.proc) return;
    this.spawn();
  }

  /**
   * Decodes at a new tile size from now on: make before break — a new ffmpeg starts, the old one
   * keeps delivering (drawn scaled) until the new one's first picture, then it is stopped.
   */
  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    if (this.retiring && this.proc && !this.delivered.has(this.proc)) {
      // resized again before the previous new decoder delivered: keep the old one going
      void this.proc.kill();
    } else {
      if (this.retiring) void this.retiring.kill();
      this.retiring = this.proc;
    }
    this.proc = undefined;
    if (!this.closed) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const procs = [this.proc, this.retiring];
    this.proc = undefined;
    this.retiring = undefined;
    this.audio.clear();
    await Promise.all(procs.map((proc) => proc?.kill()));
  }

  private args(): string[] {
    const { width: w, height: h, sampleRate } = this;
    return [
      '-loglevel', 'error',
      '-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '32768', '-analyzeduration', '0',
      '-threads', '1', '-rw_timeout', '5000000',
      '-i', this.options.url,
      '-map', '0:v:0',
      '-vf', `scale=${w}:${h}:force_original_aspect_ratio=increase:flags=bilinear,crop=${w}:${h},format=yuv420p`,
      '-fps_mode', 'passthrough', '-threads', '1',
      '-f', 'rawvideo', '-flush_packets', '1', 'pipe:3',
      '-map', '0:a:0',
      '-ac', '1', '-ar', String(sampleRate),
      '-f', 's16le', '-flush_packets', '1', 'pipe:4',
    ];
  }

  private get sampleRate(): number {
    return this.options.sampleRate;
  }

  private spawn(): void {
    const width = this.width;
    const height = this.height;
    const proc = new FfmpegProcess(
      { ffmpegPath: this.options.ffmpegPath, args: this.args(), name: `mix-in:${this.options.streamCode}`, mode: 'progress', extraPipes: 2, closeTimeoutMs: 1000 },
      this.log,
    );
    this.proc = proc;
    const frameBytes = YuvFrame.byteLength(width, height);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    proc.on('spawn', () => {
      const video = proc.pipe(3) as unknown as Readable | undefined;
      const audio = proc.pipe(4) as unknown as Readable | undefined;
      video?.on('data', (chunk: Buffer) => {
        if (this.proc !== proc && this.retiring !== proc) return;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < frameBytes) return;
        let all = pending.length === 1 ? chunk : Buffer.concat(pending, pendingBytes);
        // keep only the newest complete frame
        const whole = Math.floor(all.length / frameBytes);
        const start = (whole - 1) * frameBytes;
        this.latest = new YuvFrame(width, height, Buffer.from(all.subarray(start, start + frameBytes)));
        this.frames += whole;
        this.failuresInRow = 0;
        this.delivered.add(proc);
        if (this.proc === proc && this.retiring) {
          void this.retiring.kill();
          this.retiring = undefined;
        }
        all = all.subarray(whole * frameBytes);
        pending = all.length > 0 ? [Buffer.from(all)] : [];
        pendingBytes = all.length;
      });
      let carry: Buffer | null = null;
      audio?.on('data', (chunk: Buffer) => {
        // during a resize the audio stays with the old decoder until the new one has a picture
        if (this.retiring ? this.retiring !== proc : this.proc !== proc) return;
        let data = carry ? Buffer.concat([carry, chunk]) : chunk;
        carry = null;
        if (data.length % 2 === 1) {
          carry = Buffer.from(data.subarray(data.length - 1));
          data = data.subarray(0, data.length - 1);
        }
        if (data.length > 0) this.audio.push(Buffer.from(data));
      });
    });
    const onFailure = (failure: FfmpegFailure): void => this.onExit(proc, failure.message);
    proc.on('failed', onFailure);
    proc.on('died', onFailure);
    proc.on('ended', () => this.onExit(proc, 'the stream ended'));
    proc.start();
  }

  private onExit(proc: FfmpegProcess, message: string): void {
    if (this.retiring === proc) this.retiring = undefined;
    if (this.proc !== proc || this.closed) return;
    this.proc = undefined;
    this.lastError = message;
    this.restarts += 1;
    this.options.onError(message);
    this.failuresInRow += 1;
    const delay = backoffDelayMs({}, RESTART_BACKOFF, this.failuresInRow);
    this.log.debug({ message, delay }, 'mix input ended; restarting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed && !this.proc) this.spawn();
    }, delay);
  }
}
