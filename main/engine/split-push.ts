// One connection of a split push: the video encoder and the audio encoder, each an ffmpeg writing
// FLV to a pipe, and the RTMP publish the engine makes itself, forwarding each tag the moment its
// encoder emits it. Audio never waits behind a picture being encoded in the same loop, and no muxer
// holds one track for the other (docs/player.md, "The push publishes each track as it comes").
// To the Pusher it looks like one ffmpeg: stderr (the video encoder's, whose inputs set the
// timeline), progress, ready, and one close with the cause of whichever part ended first.
import { TypedEmitter } from '../../common/typed-emitter';
import { FfmpegProcess } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegExit } from '../../node/ffmpeg/ffmpeg-process-types';
import type { FfmpegProgress } from '../../node/ffmpeg/ffmpeg-progress';
import type { Logger } from '../../node/logger';
import { RtmpPublishError, RtmpPublisher } from '../../node/rtmp/rtmp-publisher';
import { FlvTagReader, type FlvTag } from './flv-tag-reader';
import { TRACK_OUT_FD } from './push-command';

export interface SplitPushOptions {
  readonly ffmpegPath: string;
  readonly videoArgs: readonly string[];
  readonly audioArgs: readonly string[];
  readonly url: string;
  readonly metadata: Readonly<Record<string, number | string | boolean>>;
  readonly closeTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** TCP connect + handshake + publish answered. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Bytes the server may leave unread before the connection counts as stalled. Default 8 MiB. */
  readonly maxUnsentBytes?: number;
}

export interface SplitPushEvents extends Record<string, unknown> {
  /** The video encoder's stderr lines (its inputs' start times set the audio's). */
  stderr: string;
  /** The video encoder's progress, with `totalSize` = bytes published (both tracks). */
  progress: FfmpegProgress;
  /** The publish was accepted and the first picture sent. */
  ready: void;
  /** Everything has stopped; the exit describes the part that ended first. */
  close: FfmpegExit;
}

/** Tags kept while the publish is being accepted (a few seconds of both tracks). */
const MAX_EARLY_TAGS = 4000;
const TAG_AUDIO = 8;
const TAG_VIDEO = 9;

interface Cause {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: readonly string[];
  readonly errorLine?: string;
}

export class SplitPush extends TypedEmitter<SplitPushEvents> {
  private readonly options: SplitPushOptions;
  private readonly logger: Logger;
  private readonly video: FfmpegProcess;
  private readonly audio: FfmpegProcess;
  private readonly publisher: RtmpPublisher;
  private early: FlvTag[] = [];
  private published = false;
  private isReady = false;
  private closing = false;
  private cause: Cause | undefined;
  private exitInfo: FfmpegExit | undefined;
  private shutdown: Promise<void> | undefined;
  private readonly exitedPromise: Promise<FfmpegExit>;
  private resolveExited!: (exit: FfmpegExit) => void;

  constructor(options: SplitPushOptions, logger: Logger) {
    super((error, event) => logger.error({ err: error, event }, 'split push event listener threw'));
    this.options = options;
    this.logger = logger.child({ component: 'split-push' });
    const common = { ffmpegPath: options.ffmpegPath, mode: 'progress' as const, extraPipes: 2, closeTimeoutMs: options.closeTimeoutMs ?? 3000, ...(options.env ? { env: options.env } : {}) };
    this.video = new FfmpegProcess({ ...common, name: 'push:video', args: options.videoArgs }, logger);
    this.audio = new FfmpegProcess({ ...common, name: 'push:audio', args: options.audioArgs }, logger);
    this.publisher = new RtmpPublisher({ url: options.url, connectTimeoutMs: options.connectTimeoutMs ?? 5000, logger: this.logger });
    this.exitedPromise = new Promise((resolve) => (this.resolveExited = resolve));
  }

  /** The video encoder's PID (the push's main process). */
  get pid(): number | undefined {
    return this.video.pid;
  }

  get closed(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The audio encoder's PCM input (`pipe:fd`). */
  pipe(fd: number): ReturnType<FfmpegProcess['pipe']> {
    return this.audio.pipe(fd);
  }

  /** The video encoder's extra input pipe (`pipe:fd`), for pictures fed by Node (bench). */
  videoInput(fd: number): ReturnType<FfmpegProcess['pipe']> {
    return this.video.pipe(fd);
  }

  /** The last stderr lines of both encoders (diagnostics). */
  get stderrTail(): string[] {
    return [...this.video.stderrTail.map((line) => `video: ${line}`), ...this.audio.stderrTail.map((line) => `audio: ${line}`)];
  }

  start(): this {
    this.video.on('stderr', (line) => this.emit('stderr', line));
    this.video.on('progress', (progress) => this.emit('progress', { ...progress, totalSize: this.publisher.bytesSent }));
    for (const [track, proc] of [['video', this.video], ['audio', this.audio]] as const) {
      proc.on('close', (exit) => {
        if (exit.closedByUs) return;
        this.fail({ code: exit.code, signal: exit.signal, lines: exit.stderrTail, errorLine: exit.errorLine || `the ${track} encoder ended (${exit.signal ?? `code ${exit.code}`})` });
      });
      proc.start();
      const reader = new FlvTagReader();
      const out = proc.output(TRACK_OUT_FD);
      out?.on('data', (chunk: Buffer) => {
        let tags: FlvTag[];
        try {
          tags = reader.push(chunk);
        } catch (error) {
          this.fail({ code: null, signal: null, lines: [`${track} encoder output: ${(error as Error).message}`] });
          return;
        }
        for (const tag of tags) this.forward(tag);
      });
    }
    this.publisher.on('close', ({ error }) => {
      if (error) this.fail(rtmpCause(error, this.published));
    });
    this.publisher.publish().then(
      () => this.onPublished(),
      (error: unknown) => this.fail(rtmpCause(error, false)),
    );
    return this;
  }

  /** Stops both encoders and the publish. Safe to call again; resolves when all of it has ended. */
  close(): Promise<FfmpegExit> {
    if (!this.closing) {
      this.closing = true;
      this.shutdown ??= this.shutDown();
    }
    return this.exitedPromise;
  }

  private onPublished(): void {
    if (this.closing || this.cause) return;
    this.published = true;
    this.publisher.sendMetadata({ ...this.options.metadata });
    const early = this.early;
    this.early = [];
    for (const tag of early) this.forward(tag);
  }

  private forward(tag: FlvTag): void {
    if (this.closing || this.cause) return;
    // Each encoder's own onMetaData describes one track; the stream's is sent once, on publish.
    if (tag.type !== TAG_AUDIO && tag.type !== TAG_VIDEO) return;
    if (!this.published) {
      this.early.push(tag);
      if (this.early.length > MAX_EARLY_TAGS) this.fail({ code: null, signal: null, lines: ['rtmp: the server took too long to accept the publish (Connection timed out)'] });
      return;
    }
    if (tag.type === TAG_AUDIO) this.publisher.sendAudio(tag.timestamp, tag.body);
    else this.publisher.sendVideo(tag.timestamp, tag.body);
    if (this.publisher.bufferedBytes > (this.options.maxUnsentBytes ?? 8 * 1024 * 1024)) {
      this.fail({ code: null, signal: null, lines: [`rtmp: the server stopped reading (${this.publisher.bufferedBytes} bytes unsent): Connection timed out`] });
      return;
    }
    if (!this.isReady && tag.type === TAG_VIDEO) {
      this.isReady = true;
      this.emit('ready', undefined);
    }
  }

  private fail(cause: Cause): void {
    if (this.cause || this.closing) return;
    this.cause = cause;
    this.logger.debug({ lines: cause.lines.slice(-3) }, 'split push part ended');
    this.shutdown ??= this.shutDown();
  }

  private async shutDown(): Promise<void> {
    this.early = [];
    await Promise.all([this.video.close(), this.audio.close(), this.publisher.close()]);
    const cause = this.cause;
    const closedByUs = this.closing && !cause;
    const lines = cause?.lines ?? [];
    const exit: FfmpegExit = {
      code: cause?.code ?? null,
      signal: cause?.signal ?? null,
      closedByUs,
      afterReady: this.isReady,
      errorLine: cause?.errorLine ?? lines[lines.length - 1] ?? '',
      stderrTail: [...lines],
    };
    this.exitInfo = exit;
    this.resolveExited(exit);
    this.emit('close', exit);
  }
}

/**
 * The publish's failure in the words the Pusher reads from ffmpeg (`Server error:` for a refusal
 * the server stated, `Cannot open connection` when nothing listens, `rtmp` for the rest).
 */
function rtmpCause(error: unknown, published: boolean): Cause {
  if (!(error instanceof RtmpPublishError)) return { code: null, signal: null, lines: [`rtmp: ${String(error)}`] };
  switch (error.code) {
    case 'REFUSED':
      return error.serverCode
        ? { code: null, signal: null, lines: [`rtmp: Server error: ${error.message}`] }
        : { code: null, signal: null, lines: [`rtmp: ${error.message} (End of file)`] };
    case 'CONNECT_FAILED':
      return { code: null, signal: null, lines: [`rtmp: Cannot open connection: ${error.message}`] };
    case 'TIMEOUT':
      return { code: null, signal: null, lines: [`rtmp: ${error.message} (timed out)`] };
    default:
      return { code: null, signal: null, lines: [`rtmp: ${published ? 'connection lost' : 'publish failed'}: ${error.message}`] };
  }
}
