// One recording: pulls one stream back from the origin (an HTTP-FLV or RTMP play URL) with ffmpeg
// `-c copy` into a fragmented MP4 (empty moov + one fragment per keyframe), so the file stays
// playable up to the last fragment when the app, or this ffmpeg, is killed. Used for the program
// (our own pushed stream, whichever engine pushed it: it reads what reached the origin) and for
// the ISO recordings (each co-host's / PK opponent's original stream).
// `-n`: ffmpeg never overwrites a file (the name is fresh anyway, recording-files.ts).
import { LinkMicError, type ErrorPayload } from '../../common/errors';
import { TypedEmitter } from '../../common/typed-emitter';
import { FfmpegProcess } from '../../node/ffmpeg/ffmpeg-process';
import { silentLogger, type Logger } from '../../node/logger';

export type RecordingRole = 'program' | 'guest' | 'pk';

export interface StreamRecorderOptions {
  readonly ffmpegPath: string;
  /** The play URL (audience HTTP-FLV, or a signed link play URL). */
  readonly url: string;
  /** The .mp4 file to create (must not exist). */
  readonly file: string;
  readonly role: RecordingRole;
  readonly logger?: Logger;
}

export interface StreamRecorderEvents extends Record<string, unknown> {
  /** ffmpeg opened the stream and wrote the first fragment(s). */
  ready: void;
  progress: { bytes: number; durationMs: number };
  /** Ended for good; `error` when it ended under us (stream gone is not an error: `error` null). */
  close: { closedByUs: boolean; error: ErrorPayload | null };
}

export function recorderArgs(url: string, file: string): string[] {
  const input = url.startsWith('rtmp') ? ['-i', url] : ['-rw_timeout', '10000000', '-i', url];
  return ['-n', '-loglevel', 'warning', ...input, '-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file];
}

export class StreamRecorder {
  readonly events: TypedEmitter<StreamRecorderEvents>;
  readonly file: string;
  readonly role: RecordingRole;
  private readonly process: FfmpegProcess;
  private bytesWritten = 0;
  private mediaMs = 0;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly options: StreamRecorderOptions) {
    const logger = options.logger ?? silentLogger();
    this.file = options.file;
    this.role = options.role;
    this.events = new TypedEmitter<StreamRecorderEvents>((error, event) => logger.error({ err: error, event }, 'recorder listener threw'));
    this.process = new FfmpegProcess({ ffmpegPath: options.ffmpegPath, args: recorderArgs(options.url, options.file), name: `record:${options.role}`, mode: 'progress', statsPeriodSec: 1 }, logger);
    this.process.on('ready', () => this.events.emit('ready', undefined));
    this.process.on('progress', (progress) => {
      this.bytesWritten = progress.totalSize;
      this.mediaMs = progress.outTimeMs;
      this.events.emit('progress', { bytes: this.bytesWritten, durationMs: this.mediaMs });
    });
    this.process.on('close', (exit) => {
      let error: ErrorPayload | null = null;
      if (!exit.closedByUs && (exit.code !== 0 || !exit.afterReady)) {
        const detail = exit.errorLine || (exit.signal ? `ffmpeg ended by ${exit.signal}` : `ffmpeg exited with code ${String(exit.code)}`);
        error = new LinkMicError('RECORDING_FAILED', detail).toPayload();
      }
      this.events.emit('close', { closedByUs: exit.closedByUs, error });
    });
  }

  /** Starts ffmpeg; resolves once it writes (ready), rejects with RECORDING_FAILED when it cannot. */
  async start(): Promise<void> {
    this.process.start();
    try {
      await this.process.waitReady();
    } catch (error) {
      throw new LinkMicError('RECORDING_FAILED', `${this.options.role}: ${(error as Error).message}`, { cause: error });
    }
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get closed(): boolean {
    return this.process.closed;
  }

  get bytes(): number {
    return this.bytesWritten;
  }

  get durationMs(): number {
    return this.mediaMs;
  }

  /** Stops ffmpeg ('q': it finishes the last fragment); resolves once it exited. Idempotent. */
  close(): Promise<void> {
    this.closePromise ??= this.process.close().then(() => undefined);
    return this.closePromise;
  }
}
