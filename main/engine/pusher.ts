// One push to one URL with one command line: runs ffmpeg, reports stats, reconnects with backoff
// when the connection drops, and stops (without looping) when the server refuses the publish.
import { backoffDelayMs } from '../../common/backoff';
import net from 'node:net';
import { LinkMicError, InvalidStateError, type ErrorPayload } from '../../common/errors';
import { TypedEmitter } from '../../common/typed-emitter';
import { FfmpegProcess, type FfmpegExit } from '../../node/ffmpeg/ffmpeg-process';
import type { FfmpegProgress } from '../../node/ffmpeg/ffmpeg-progress';
import { findServerRefusal, looksLikeConnectFailure } from '../../node/ffmpeg/ffmpeg-stderr';
import type { VideoEncoder } from './encoder-args';
import type { Logger } from '../../node/logger';
import { PcmFeeder, type PcmFrame } from './pcm-feeder';
import type { PushCommand } from './push-command';
import { SplitPush } from './split-push';
import type { BackoffOptions, PushState, PushStats, PusherEvents, StopReason } from './pusher-types';

const PUSH_BACKOFF_DEFAULTS = { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0 } as const;

export type { PushState, PushStats, PusherEvents, StopReason, BackoffOptions } from './pusher-types';

export interface PusherOptions {
  readonly ffmpegPath: string;
  readonly command: PushCommand;
  readonly encoder: VideoEncoder;
  /** The push URL (for reachability checks; it is also the last argument of the command). */
  readonly url: string;
  readonly backoff?: BackoffOptions;
  /**
   * Publishes that fail before any frame was accepted while the server is reachable, in a row,
   * that count as a refusal even without a server error message. Default 3.
   */
  readonly refusalAfter?: number;
  /** The video source ends (a non-looping file): a clean exit after live is `ended`, not a drop. */
  readonly finite?: boolean;
  readonly closeTimeoutMs?: number;
  /** ffmpeg's environment (default: this process's), e.g. PULSE_SERVER. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Lines that mean ffmpeg failed on the network side (the output), not on an input or the encoder. */
const OUTPUT_FAILURE = /\brtmp\b|rtmp:\/\/|Connection refused|Connection reset|Broken pipe|Input\/output error|Cannot open connection|timed out|End of file|Server error/i;

export function hostPortOf(url: string): { host: string; port: number } | undefined {
  const match = /^(rtmps?):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i.exec(url);
  if (!match) return undefined;
  const host = (match[2] as string).replace(/^\[|\]$/g, '');
  const port = match[3] ? Number(match[3]) : (match[1] as string).toLowerCase() === 'rtmps' ? 443 : 1935;
  return { host, port };
}

/** True when a TCP connection to the URL's host:port opens within `timeoutMs`. */
export function isReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const target = hostPortOf(url);
  if (!target) return Promise.resolve(true);
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class Pusher extends TypedEmitter<PusherEvents> {
  private readonly options: PusherOptions;
  private readonly logger: Logger;
  private readonly feeder: PcmFeeder | undefined;
  private proc: FfmpegProcess | SplitPush | undefined;
  private currentState: PushState = 'idle';
  private closing = false;
  private stoppedWith: StopReason | undefined;
  private attempt = 0;
  private preReadyRefusals = 0;
  private everLive = false;
  private liveSince = 0;
  private downSince = 0;
  private reconnects = 0;
  private droppedBefore = 0;
  private dupBefore = 0;
  private lastProgress: FfmpegProgress | undefined;
  private readonly window: Array<{ at: number; bytes: number }> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private inputStarts: Array<number | undefined> = [];
  private startPromise: Promise<void> | undefined;
  private resolveStart!: () => void;
  private rejectStart!: (error: LinkMicError) => void;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(options: PusherOptions, logger: Logger) {
    super((error, event) => logger.error({ err: error, event }, 'pusher event listener threw'));
    this.options = options;
    this.logger = logger.child({ component: 'pusher' });
    const pcm = options.command.pcm;
    if (pcm) this.feeder = new PcmFeeder({ format: pcm.format, ...(pcm.fill ? { fill: pcm.fill } : {}) }, this.logger);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get state(): PushState {
    return this.currentState;
  }

  /** ffmpeg's PID while one runs (tests, diagnostics). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /**
   * Each input's start time as ffmpeg reports it (seconds) for the current connection. For
   * wall-clock sources (x11grab, devices) it is the Unix time of the first frame, so a frame's
   * capture time is start + its FLV timestamp (latency measurement, A/V sync diagnostics).
   */
  get inputStartTimes(): ReadonlyArray<number | undefined> {
    return this.inputStarts;
  }

  get pcmStats(): PcmFeeder['stats'] | undefined {
    return this.feeder?.stats;
  }

  get stats(): PushStats {
    const p = this.lastProgress;
    return {
      state: this.currentState,
      encoder: this.options.encoder,
      fps: this.currentState === 'live' ? (p?.fps ?? 0) : 0,
      bitrateKbps: this.currentState === 'live' ? this.recentBitrateKbps() : 0,
      droppedFrames: this.droppedBefore + (p?.dropFrames ?? 0),
      duplicatedFrames: this.dupBefore + (p?.dupFrames ?? 0),
      speed: this.currentState === 'live' ? (p?.speed ?? 0) : 0,
      frames: p?.frame ?? 0,
      uptimeMs: this.everLive ? Date.now() - this.liveSince : 0,
      reconnects: this.reconnects,
    };
  }

  /**
   * Starts pushing. Resolves when the first connection is live; rejects with PUBLISH_REFUSED (the
   * server's reason), CONNECT_FAILED (server unreachable) or FFMPEG_FAILED (ffmpeg's message).
   */
  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    if (this.closing) return Promise.reject(new InvalidStateError('pusher is closed'));
    this.startPromise = new Promise<void>((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    this.startPromise.catch(() => undefined);
    this.setState('connecting');
    this.runAttempt();
    return this.startPromise;
  }

  /** Renderer microphone PCM (48 kHz mono, in the command's format); ignored when audio comes from elsewhere. */
  pushPcm(frame: PcmFrame): void {
    if (this.options.command.pcm?.fromRenderer) this.feeder?.write(frame);
  }

  /** Stops the push: ffmpeg gets 'q', then SIGKILL after the timeout. Safe to call again. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      const proc = this.proc;
      if (proc && !proc.closed) {
        await proc.close();
        // onExit finishes with 'closed'
      } else if (!this.stoppedWith) this.finish('closed');
    }
    return this.closedPromise;
  }

  private runAttempt(): void {
    if (this.closing) return;
    const command = this.options.command;
    const proc = this.spawnAttempt(command);
    this.proc = proc;
    this.lastProgress = undefined;
    this.window.length = 0;
    this.inputStarts = [];
    let lastInput = -1;
    proc.on('stderr', (line) => {
      const input = /^Input #(\d+)/.exec(line);
      if (input) lastInput = Number(input[1]);
      const start = /^\s+Duration: .*?, start: (-?[\d.]+)/.exec(line);
      if (start && lastInput >= 0) this.inputStarts[lastInput] = Number(start[1]);
    });
    if (command.pcm && this.feeder) {
      const pcm = command.pcm;
      const feeder = this.feeder;
      // Start the audio clock when ffmpeg has opened the video input(s), so both timelines start
      // together. A live device stamps frames with wall-clock time and ffmpeg prints the first
      // one's (`start: <unix seconds>`): the audio timeline is back-dated to it, otherwise the
      // muxer would hold video back by however long the device took to probe.
      let fallback: NodeJS.Timeout | undefined;
      const attach = (): void => {
        if (fallback) clearTimeout(fallback);
        if (feeder.attached || proc.closed) return;
        const out = proc.pipe(pcm.fd);
        if (!out) return;
        const starts = this.inputStarts.slice(0, pcm.startAfterInput + 1).filter((s): s is number => s !== undefined && s > 1e9);
        const lead = starts.length > 0 ? Date.now() - Math.min(...starts) * 1000 : 0;
        feeder.attach(out, lead > 0 && lead < 3000 ? lead : 0);
      };
      proc.on('stderr', (line) => {
        const input = /^Input #(\d+)/.exec(line);
        if (input && Number(input[1]) >= pcm.startAfterInput && !feeder.attached && !fallback) fallback = setTimeout(attach, 100);
        if (/^\s+Duration: /.test(line) && this.inputStarts.length > pcm.startAfterInput) attach();
      });
      proc.on('close', () => fallback && clearTimeout(fallback));
    }
    proc.on('progress', (progress) => this.onProgress(progress));
    proc.on('ready', () => this.onReady());
    proc.on('close', (exit) => {
      this.feeder?.detach();
      void this.onExit(proc, exit);
    });
    proc.start();
  }

  /** One connection's processes: a split push (two encoders, our RTMP publish) or one ffmpeg. */
  private spawnAttempt(command: PushCommand): FfmpegProcess | SplitPush {
    const closeTimeoutMs = this.options.closeTimeoutMs ?? 3000;
    const env = this.options.env ? { env: this.options.env } : {};
    if (command.split) {
      const { audioArgs, url, metadata } = command.split;
      return new SplitPush({ ffmpegPath: this.options.ffmpegPath, videoArgs: command.args, audioArgs, url, metadata, closeTimeoutMs, ...env }, this.logger);
    }
    return new FfmpegProcess(
      { ffmpegPath: this.options.ffmpegPath, args: command.args, name: 'push', mode: 'progress', extraPipes: command.pcm ? 1 : 0, closeTimeoutMs, ...env },
      this.logger,
    );
  }

  private onReady(): void {
    this.preReadyRefusals = 0;
    const wasReconnecting = this.currentState === 'reconnecting';
    const attempt = this.attempt;
    this.attempt = 0;
    this.setState('live');
    if (!this.everLive) {
      this.everLive = true;
      this.liveSince = Date.now();
      this.logger.info({ encoder: this.options.encoder }, 'push is live');
      this.emit('live', { encoder: this.options.encoder });
      this.resolveStart();
    } else if (wasReconnecting) {
      this.reconnects += 1;
      const downtimeMs = Date.now() - this.downSince;
      this.logger.info({ attempt, downtimeMs }, 'push reconnected');
      this.emit('reconnected', { attempt, downtimeMs });
    }
  }

  private onProgress(progress: FfmpegProgress): void {
    this.lastProgress = progress;
    const now = Date.now();
    this.window.push({ at: now, bytes: progress.totalSize });
    while (this.window.length > 2 && now - (this.window[0] as { at: number }).at > 3000) this.window.shift();
    if (this.currentState === 'live') this.emit('stats', this.stats);
  }

  private recentBitrateKbps(): number {
    const first = this.window[0];
    const last = this.window[this.window.length - 1];
    if (!first || !last || last.at - first.at < 400) return this.lastProgress?.bitrateKbps ?? 0;
    return Math.round(((last.bytes - first.bytes) * 8) / (last.at - first.at)); // bytes*8/ms = kbit/s
  }

  private async onExit(proc: FfmpegProcess | SplitPush, exit: FfmpegExit): Promise<void> {
    if (proc !== this.proc) return;
    const progress = this.lastProgress;
    this.droppedBefore += progress?.dropFrames ?? 0;
    this.dupBefore += progress?.dupFrames ?? 0;
    this.lastProgress = undefined;
    if (this.closing || exit.closedByUs) return this.finish('closed');

    const refusal = findServerRefusal(exit.stderrTail);
    if (refusal) {
      return this.finish('refused', new LinkMicError('PUBLISH_REFUSED', `The server refused the publish: ${refusal}`).toPayload());
    }
    if (exit.afterReady) {
      if (exit.code === 0 && exit.signal === null && this.options.finite) return this.finish('ended');
      this.downSince = Date.now();
      this.preReadyRefusals = 0;
      return this.scheduleRetry(exit.errorLine || describeExit(exit));
    }

    // Failed before any frame was accepted.
    const outputSide = exit.stderrTail.some((line) => OUTPUT_FAILURE.test(line));
    if (!outputSide) {
      return this.finish('failed', new LinkMicError('FFMPEG_FAILED', exit.errorLine || describeExit(exit)).toPayload());
    }
    const reachable = !looksLikeConnectFailure(exit.stderrTail) && (await isReachable(this.options.url));
    if (this.closing) return this.finish('closed');
    if (reachable) {
      this.preReadyRefusals += 1;
      if (this.preReadyRefusals >= (this.options.refusalAfter ?? 3)) {
        return this.finish(
          'refused',
          new LinkMicError(
            'PUBLISH_REFUSED',
            `The server is reachable but refused the publish ${this.preReadyRefusals} times in a row (${exit.errorLine || describeExit(exit)})`,
          ).toPayload(),
        );
      }
    } else {
      this.preReadyRefusals = 0;
    }
    this.scheduleRetry(exit.errorLine || describeExit(exit), reachable);
  }

  private scheduleRetry(reason: string, reachable = false): void {
    const backoff = this.options.backoff ?? {};
    this.attempt += 1;
    const limit = this.everLive ? (backoff.maxAttempts ?? 60) : (backoff.maxInitialAttempts ?? 3);
    if (this.attempt > limit) {
      const target = hostPortOf(this.options.url);
      const where = target ? `${target.host}:${target.port}` : 'the server';
      const error = this.everLive
        ? new LinkMicError('DISCONNECTED', `Lost the connection to ${where} and could not reconnect after ${limit} attempts (${reason})`)
        : new LinkMicError(reachable ? 'CONNECT_FAILED' : 'SERVER_UNREACHABLE', `Cannot publish to ${where}: ${reason}`);
      return this.finish('failed', error.toPayload());
    }
    const delayMs = backoffDelayMs(backoff, PUSH_BACKOFF_DEFAULTS, this.attempt);
    if (this.everLive) this.setState('reconnecting');
    this.logger.warn({ attempt: this.attempt, delayMs, reason }, 'push connection lost; reconnecting');
    this.emit('reconnecting', { attempt: this.attempt, delayMs, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.runAttempt();
    }, delayMs);
  }

  private finish(reason: StopReason, error?: ErrorPayload): void {
    if (this.stoppedWith) return;
    this.stoppedWith = reason;
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.feeder?.detach();
    this.setState('stopped');
    if (error) this.logger.warn({ reason, error }, 'push stopped');
    else this.logger.info({ reason }, 'push stopped');
    if (!this.everLive && this.startPromise) {
      this.rejectStart(
        error ? LinkMicError.fromPayload(error) : new LinkMicError(reason === 'closed' ? 'INVALID_STATE' : 'FFMPEG_FAILED', `push ${reason} before going live`),
      );
    }
    this.emit('stopped', error ? { reason, error } : { reason });
    this.emit('close', { reason });
    this.resolveClosed();
  }

  private setState(state: PushState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }
}

function describeExit(exit: FfmpegExit): string {
  return exit.signal ? `ffmpeg was killed by ${exit.signal}` : `ffmpeg exited with code ${exit.code}`;
}
