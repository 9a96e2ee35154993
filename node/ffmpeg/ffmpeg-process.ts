// The one child-process wrapper for every ffmpeg the app runs (push, probe, mix; shared by main/engine and server/mixer),
// after mediasoup's Worker.ts: it tells "failed before ready" (with ffmpeg's own message) from
// "died after ready" (code, signal), never reports an exit it caused, parses `-progress` for stats,
// logs stderr line by line, and has an idempotent close(): 'q' on stdin, SIGKILL after a timeout.
//
// ffmpeg does not exit when its stdin reaches EOF and ignores SIGPIPE, so a parent that is killed
// would leave it running. On POSIX a watchdog (`sh`, blocked in `read` on a pipe from us) kills
// ffmpeg when that pipe closes, i.e. when this process dies however it dies. On Windows libuv puts
// children in a kill-on-close job object, which does the same.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TypedEmitter } from '../../common/typed-emitter';
import { InvalidStateError, LinkMicError } from '../../common/errors';
import { FfmpegProgressParser, type FfmpegProgress } from './ffmpeg-progress';
import { pickErrorLine } from './ffmpeg-stderr';
import type { FfmpegExit, FfmpegFailure, FfmpegProcessEvents, FfmpegProcessOptions } from './ffmpeg-process-types';
import type { Logger } from 'pino';

export type { FfmpegExit, FfmpegFailure, FfmpegProcessEvents, FfmpegProcessOptions } from './ffmpeg-process-types';

const WATCHDOG_SCRIPT = 'read _ignored; kill -9 "$1" 2>/dev/null';

export class FfmpegProcess extends TypedEmitter<FfmpegProcessEvents> {
  readonly name: string;
  readonly args: readonly string[];
  private readonly options: FfmpegProcessOptions;
  private readonly logger: Logger;
  private child: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined;
  private readonly tail: string[] = [];
  private stdoutText = '';
  private isReady = false;
  private closing = false;
  private exitInfo: FfmpegExit | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private runTimer: NodeJS.Timeout | undefined;
  private lastProgressValue: FfmpegProgress | undefined;
  private readonly exitedPromise: Promise<FfmpegExit>;
  private resolveExited!: (exit: FfmpegExit) => void;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  constructor(options: FfmpegProcessOptions, logger: Logger) {
    super((error, event) => logger.error({ err: error, event }, 'ffmpeg event listener threw'));
    this.options = options;
    this.name = options.name;
    this.logger = logger.child({ ffmpeg: options.name });
    this.args =
      options.mode === 'progress'
        ? ['-hide_banner', '-nostats', '-progress', 'pipe:1', '-stats_period', String(options.statsPeriodSec ?? 0.5), ...options.args]
        : ['-hide_banner', ...options.args];
    this.exitedPromise = new Promise((resolve) => (this.resolveExited = resolve));
    this.readyPromise = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.readyPromise.catch(() => undefined); // observed through waitReady()
  }

  /** Spawns ffmpeg. Call once; listen to events before. */
  start(): this {
    if (this.child || this.exitInfo) throw new InvalidStateError(`ffmpeg ${this.name} was already started`);
    const extra = this.options.extraPipes ?? 0;
    const stdio: Array<'pipe' | 'ignore'> = ['pipe', 'pipe', 'pipe'];
    for (let i = 0; i < extra; i++) stdio.push('pipe');
    this.logger.debug({ path: this.options.ffmpegPath, args: this.args.map(redactSecrets) }, 'spawning ffmpeg');
    let child: ChildProcess;
    try {
      child = spawn(this.options.ffmpegPath, this.args, { stdio, windowsHide: true, env: this.options.env ?? process.env });
    } catch (error) {
      this.finish(null, null, `could not start ${this.options.ffmpegPath}: ${(error as Error).message}`);
      return this;
    }
    this.child = child;
    for (const stream of child.stdio) stream?.on('error', (error: Error) => this.logger.debug({ err: error }, 'ffmpeg pipe error'));
    child.once('error', (error) => {
      // ENOENT / EACCES: the process never ran.
      if (child.pid === undefined) this.finish(null, null, `could not start ${this.options.ffmpegPath}: ${error.message}`);
      else this.logger.warn({ err: error }, 'ffmpeg child error');
    });
    child.once('spawn', () => {
      const pid = child.pid as number;
      this.logger.debug({ pid }, 'ffmpeg spawned');
      if (this.options.watchdog !== false && process.platform !== 'win32') this.startWatchdog(pid);
      this.emit('spawn', { pid });
      if (this.options.mode === 'spawn') this.markReady();
      if (this.options.timeoutMs !== undefined) {
        this.runTimer = setTimeout(() => {
          this.logger.warn({ timeoutMs: this.options.timeoutMs }, 'ffmpeg did not finish in time; killing it');
          this.tail.push(`(killed after ${this.options.timeoutMs} ms without finishing)`);
          child.kill('SIGKILL');
        }, this.options.timeoutMs);
      }
    });
    this.readStderr(child);
    if (this.options.mode === 'progress') {
      const parser = new FfmpegProgressParser((progress) => this.onProgress(progress));
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk));
    } else {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        if (this.stdoutText.length < 4_000_000) this.stdoutText += chunk;
      });
    }
    child.once('exit', (code, signal) => {
      // Let stderr drain so the error line is complete, but never wait for long.
      const stderr = child.stderr;
      if (!stderr || stderr.readableEnded || stderr.destroyed) this.finish(code, signal);
      else {
        const timer = setTimeout(() => this.finish(code, signal), 300);
        stderr.once('close', () => {
          clearTimeout(timer);
          this.finish(code, signal);
        });
      }
    });
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get ready(): boolean {
    return this.isReady;
  }

  get closed(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The latest progress block. */
  get lastProgress(): FfmpegProgress | undefined {
    return this.lastProgressValue;
  }

  /** Captured stdout of a one-shot (`mode: 'spawn'`) command. */
  get stdout(): string {
    return this.stdoutText;
  }

  get stderrTail(): readonly string[] {
    return this.tail;
  }

  /** The writable end of the extra pipe given to ffmpeg as `pipe:fd` (fd >= 3). */
  pipe(fd: number): Writable | undefined {
    const stream = this.child?.stdio[fd];
    return stream && 'write' in stream ? (stream as Writable) : undefined;
  }

  /** The readable end of an extra pipe ffmpeg writes to (`pipe:fd` as an output, fd >= 3). */
  output(fd: number): Readable | undefined {
    const stream = this.child?.stdio[fd];
    return stream && 'read' in stream ? (stream as Readable) : undefined;
  }

  /** Resolves when ready; rejects with FFMPEG_FAILED (ffmpeg's message) if it exits first. */
  waitReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Resolves once the process has exited (or failed to start), whatever the cause. */
  get exited(): Promise<FfmpegExit> {
    return this.exitedPromise;
  }

  /** Asks ffmpeg to quit ('q'), SIGKILL after the timeout. Safe to call again; resolves on exit. */
  close(): Promise<FfmpegExit> {
    if (this.exitInfo) return this.exitedPromise;
    if (this.closing) return this.exitedPromise;
    this.closing = true;
    const child = this.child;
    if (!child || child.pid === undefined) {
      // Not spawned yet (or spawn failing): finish once the spawn settles.
      if (!child) this.finish(null, null);
      return this.exitedPromise;
    }
    this.logger.debug('closing ffmpeg');
    try {
      child.stdin?.write('q');
      child.stdin?.end();
    } catch {
      // stdin already gone: the kill timer handles it.
    }
    for (let fd = 3; fd < child.stdio.length; fd++) (child.stdio[fd] as Writable | null)?.destroy();
    this.killTimer = setTimeout(() => {
      this.logger.warn('ffmpeg ignored q; sending SIGKILL');
      child.kill('SIGKILL');
    }, this.options.closeTimeoutMs ?? 3000);
    return this.exitedPromise;
  }

  /** SIGKILL now (still counted as closed by us). */
  kill(): Promise<FfmpegExit> {
    this.closing = true;
    if (!this.exitInfo) this.child?.kill('SIGKILL');
    if (!this.child) this.finish(null, null);
    return this.exitedPromise;
  }

  private startWatchdog(pid: number): void {
    try {
      const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'ffmpeg-watchdog', String(pid)], {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: false,
      });
      watchdog.on('error', (error) => this.logger.warn({ err: error }, 'ffmpeg watchdog could not start'));
      watchdog.stdin?.on('error', () => undefined);
      // The watchdog must not keep this process alive; its pipe closes when we die.
      watchdog.unref();
      (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      this.watchdog = watchdog;
    } catch (error) {
      this.logger.warn({ err: error }, 'ffmpeg watchdog could not start');
    }
  }

  private readStderr(child: ChildProcess): void {
    let buffer = '';
    const maxTail = this.options.stderrTailLines ?? 40;
    const onLine = (raw: string): void => {
      const line = raw.trimEnd();
      if (line === '') return;
      this.tail.push(line);
      if (this.tail.length > maxTail) this.tail.shift();
      this.logger.debug({ line: redactSecrets(line) }, 'ffmpeg stderr');
      this.emit('stderr', line);
    };
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split(/\r\n|\n|\r/);
      buffer = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    });
    child.stderr?.once('end', () => {
      if (buffer !== '') onLine(buffer);
      buffer = '';
    });
  }

  private onProgress(progress: FfmpegProgress): void {
    this.lastProgressValue = progress;
    if (!this.isReady && !this.exitInfo) this.markReady();
    this.emit('progress', progress);
  }

  private markReady(): void {
    if (this.isReady) return;
    this.isReady = true;
    this.logger.debug('ffmpeg ready');
    this.resolveReady();
    this.emit('ready', undefined);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.exitInfo) return;
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.runTimer) clearTimeout(this.runTimer);
    if (this.watchdog?.pid !== undefined && this.watchdog.exitCode === null) this.watchdog.kill('SIGKILL');
    if (spawnError) this.tail.push(spawnError);
    const errorLine = spawnError ?? pickErrorLine(this.tail);
    const exit: FfmpegExit = {
      code,
      signal,
      closedByUs: this.closing,
      afterReady: this.isReady,
      errorLine,
      stderrTail: [...this.tail],
    };
    this.exitInfo = exit;
    this.logger.debug({ code, signal, closedByUs: exit.closedByUs, afterReady: exit.afterReady }, 'ffmpeg exited');
    if (!this.isReady) {
      const failure = describeFailure(exit);
      this.rejectReady(new LinkMicError('FFMPEG_FAILED', failure.message));
      if (!exit.closedByUs) {
        this.logger.warn({ message: failure.message, code, signal }, 'ffmpeg failed before ready');
        this.emit('failed', failure);
      }
    } else if (!exit.closedByUs) {
      if (code === 0 && signal === null) this.emit('ended', undefined);
      else {
        const failure = describeFailure(exit);
        // One-shot commands (probes, lists) fail as a matter of course: their callers report it.
        const level = this.options.mode === 'spawn' ? 'debug' : 'warn';
        this.logger[level]({ message: failure.message, code, signal }, 'ffmpeg died');
        this.emit('died', failure);
      }
    }
    this.resolveExited(exit);
    this.emit('close', exit);
  }
}

/** Hides signatures (`txSecret=…`) in anything we log. */
export function redactSecrets(text: string): string {
  return text.replace(/(txSecret=)[^&\s'"]+/gi, '$1***');
}

export function describeFailure(exit: FfmpegExit): FfmpegFailure {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'none'}`;
  return {
    message: exit.errorLine || `ffmpeg ended (${how}) without an error message`,
    code: exit.code,
    signal: exit.signal,
    stderrTail: exit.stderrTail,
  };
}

export interface FfmpegRunResult extends FfmpegExit {
  readonly stdout: string;
}

/** Runs a one-shot ffmpeg (version, lists, trial encodes) through the wrapper and collects its output. */
export async function runFfmpeg(
  ffmpegPath: string,
  args: readonly string[],
  logger: Logger,
  options: { name: string; timeoutMs?: number; stderrTailLines?: number; env?: NodeJS.ProcessEnv },
): Promise<FfmpegRunResult> {
  const proc = new FfmpegProcess(
    {
      ffmpegPath,
      args,
      name: options.name,
      mode: 'spawn',
      timeoutMs: options.timeoutMs ?? 15_000,
      stderrTailLines: options.stderrTailLines ?? 400,
      ...(options.env ? { env: options.env } : {}),
    },
    logger,
  );
  proc.start();
  const exit = await proc.exited;
  return { ...exit, stdout: proc.stdout };
}
