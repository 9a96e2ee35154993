// The hub's clock when several nodes run the same commands (Redis mode). Time only moves when a
// command from the shared log is applied (to that command's timestamp, never backwards), and timers
// fire then, in due order, so every node fires the same timers at the same point of the log. When
// the earliest timer falls due in real time, `onDue` asks for a `tick` command to be appended (every
// node does; duplicates are harmless).
import type { Clock, TimerHandle } from './clock';

interface LogTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

export class LogClock implements Clock {
  private logical: number;
  private applying = false;
  private order = 0;
  private timers: LogTimer[] = [];
  private wake: ReturnType<typeof setTimeout> | undefined;
  private wakeAt = Infinity;
  private stopped = false;

  constructor(
    private readonly onDue: () => void,
    start = 0,
  ) {
    this.logical = start;
  }

  /** During a command: the log's time. Outside (read-only work such as C2C): the later of it and real time. */
  now(): number {
    return this.applying ? this.logical : Math.max(this.logical, Date.now());
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: LogTimer = { at: this.logical + Math.max(0, ms), order: ++this.order, callback };
    this.timers.push(timer);
    this.rearm();
    return {
      cancel: () => {
        const index = this.timers.indexOf(timer);
        if (index >= 0) this.timers.splice(index, 1);
      },
    };
  }

  /** Sets the log's time (a snapshot's) before anything is applied. */
  startAt(time: number): void {
    this.logical = Math.max(this.logical, time);
  }

  /** Runs `apply` at the command's time, after firing every timer due by then. */
  applyAt<T>(time: number, apply: () => T): T {
    this.applying = true;
    try {
      this.advanceTo(time);
      return apply();
    } finally {
      this.applying = false;
      this.rearm();
    }
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  stop(): void {
    this.stopped = true;
    if (this.wake !== undefined) clearTimeout(this.wake);
    this.wake = undefined;
  }

  private advanceTo(time: number): void {
    const target = Math.max(this.logical, time);
    for (;;) {
      let next: LogTimer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= target && (next === undefined || timer.at < next.at || (timer.at === next.at && timer.order < next.order))) next = timer;
      }
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.logical = Math.max(this.logical, next.at);
      next.callback();
    }
    this.logical = target;
  }

  /** One real timer for the earliest due time. */
  private rearm(): void {
    if (this.stopped) return;
    let earliest = Infinity;
    for (const timer of this.timers) earliest = Math.min(earliest, timer.at);
    if (earliest === this.wakeAt) return;
    if (this.wake !== undefined) clearTimeout(this.wake);
    this.wake = undefined;
    this.wakeAt = earliest;
    if (earliest === Infinity) return;
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.wakeAt = Infinity;
      this.onDue();
    }, Math.max(0, earliest - Date.now()) + 1);
    this.wake.unref();
  }
}

/** mulberry32: a small seeded 32-bit generator, so every node draws the same ids for a command. */
export function seededRandom32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
