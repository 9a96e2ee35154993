// Contract of the one child-process wrapper every ffmpeg the app runs goes through.
import type { FfmpegProgress } from './ffmpeg-progress';

export interface FfmpegExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the exit followed our own `close()`: such exits are never reported as failures. */
  readonly closedByUs: boolean;
  /** True when ffmpeg had become ready (first progress block, or spawn for one-shot commands). */
  readonly afterReady: boolean;
  /** ffmpeg's own best error line from stderr ('' when none). */
  readonly errorLine: string;
  /** The last stderr lines (at most `stderrTailLines`). */
  readonly stderrTail: readonly string[];
}

export interface FfmpegFailure {
  /** ffmpeg's own message (the error line, or how it ended when it printed none). */
  readonly message: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: readonly string[];
}

export interface FfmpegProcessEvents extends Record<string, unknown> {
  /** The child exists. */
  spawn: { pid: number };
  /** Output opened and the first frames written (first `-progress` block), or spawn for one-shot commands. */
  ready: void;
  progress: FfmpegProgress;
  /** Every stderr line, in order (also logged at debug level). */
  stderr: string;
  /** Exited (or could not start) before ready, and not because we closed it. */
  failed: FfmpegFailure;
  /** Exited after ready with a non-zero code or a signal, and not because we closed it. */
  died: FfmpegFailure;
  /** Exited with code 0 after ready, not because we closed it (e.g. a file input ended). */
  ended: void;
  /** Emitted once, whatever the cause; `exit.closedByUs` tells "I closed it" from "it closed under me". */
  close: FfmpegExit;
}

export interface FfmpegProcessOptions {
  readonly ffmpegPath: string;
  readonly args: readonly string[];
  /** Names the process in logs (`push`, `probe:h264_nvenc`, …). */
  readonly name: string;
  /**
   * `progress`: stdout carries `-progress pipe:1` (the wrapper adds the flags), ready = first block.
   * `spawn`: one-shot commands (version, lists, trial encodes); ready = spawned; stdout is captured.
   */
  readonly mode: 'progress' | 'spawn';
  /** Extra writable pipes given to ffmpeg as fd 3, 4, … (`-i pipe:3`). */
  readonly extraPipes?: number;
  /** After `close()` sent 'q', SIGKILL after this long. Default 3000 ms. */
  readonly closeTimeoutMs?: number;
  /** Kill the process (as a failure) when it has not exited after this long. One-shot commands only. */
  readonly timeoutMs?: number;
  /** Seconds between progress blocks. Default 0.5. */
  readonly statsPeriodSec?: number;
  /** Stderr lines kept for error reports. Default 40. */
  readonly stderrTailLines?: number;
  /** POSIX: a tiny watchdog kills ffmpeg when this Node process dies. Default true. */
  readonly watchdog?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}
