// The clock the video follows. With audio, the audio playout is the master (lip sync, and the
// audio is what must never click); without audio, a wall clock with the same controls.

export interface MediaClock {
  /** Media timestamp (ms) at the playout read head, or null before playback starts. */
  readTs(now: number): number | null;
  /** Media timestamp (ms) being seen/heard right now (read head minus output latency). */
  displayTs(now: number): number | null;
  /** Media still queued ahead of the read head (ms). */
  queuedMs(): number;
  start(ts: number, now: number): void;
  seek(ts: number, now: number): void;
  setRate(rate: number, now: number): void;
  clear(): void;
  readonly started: boolean;
}

/**
 * Wall clock for video-only playback. It cannot play media that has not arrived: it stops at the
 * newest frame (an underrun) and resumes from there.
 */
export class WallClock implements MediaClock {
  private anchorTs = 0;
  private anchorNow = 0;
  private rate = 1;
  private newestTs = Number.NEGATIVE_INFINITY;
  started = false;

  /** The newest media timestamp received: the clock never runs past it. */
  setNewest(ts: number, now: number): void {
    if (this.started && this.raw(now) > this.newestTs) this.rebase(this.newestTs, now);
    this.newestTs = Math.max(this.newestTs, ts);
  }

  readTs(now: number): number | null {
    if (!this.started) return null;
    const ts = this.raw(now);
    if (ts > this.newestTs) {
      this.rebase(this.newestTs, now);
      return this.newestTs;
    }
    return ts;
  }

  displayTs(now: number): number | null {
    return this.readTs(now);
  }

  queuedMs(): number {
    return this.started ? Math.max(0, this.newestTs - this.anchorTs) : 0;
  }

  start(ts: number, now: number): void {
    this.started = true;
    this.rebase(ts, now);
  }

  seek(ts: number, now: number): void {
    const current = this.readTs(now);
    if (current === null || ts <= current) return;
    this.rebase(Math.min(ts, this.newestTs), now);
  }

  setRate(rate: number, now: number): void {
    const current = this.readTs(now);
    if (current !== null) this.rebase(current, now);
    this.rate = rate;
  }

  clear(): void {
    this.started = false;
    this.newestTs = Number.NEGATIVE_INFINITY;
    this.rate = 1;
  }

  private raw(now: number): number {
    return this.anchorTs + (now - this.anchorNow) * this.rate;
  }

  private rebase(ts: number, now: number): void {
    this.anchorTs = ts;
    this.anchorNow = now;
  }
}
