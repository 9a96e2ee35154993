// Jitter buffer sizing and latency correction for the live players (pure: no DOM, no Node; times
// are plain milliseconds handed in by the caller, so every decision is unit-testable).
//
// Model. Every frame carries a media timestamp `ts` and arrives at `arrival` (local clock). The
// smallest `arrival - ts` seen recently is the path delay of a frame that came straight through:
// the live edge at time `now` is `now - edgeOffset`. A frame's jitter is how much later than that it
// arrived. The jitter buffer (the delay the playout keeps behind the live edge) is a high
// percentile of that jitter (`audioPercentile`, link: p95) plus a margin, clamped to [floor, ceiling]: the guide's 200 ms is the
// ceiling, not the floor. Start-up GOP backlogs and stalls (a gap in arrivals followed by a burst)
// are not jitter: they are excluded from the estimate and corrected instead, so delay never
// accumulates: a small lag is removed by a gentle speed-up (≤ 6 %), a large one by dropping to the
// target (audio: whole frames with a crossfade; video: frames never shown), a very large one by
// skipping to the next keyframe.
//
// Per track. Audio and video arrive with different jitter (a publisher that encodes both in one
// loop, like ffmpeg 5.1, delivers audio behind each video encode). The audio buffer is sized from
// audio arrivals only (p95: a later audio frame is an underrun the playout conceals by keeping time); video gets its own, smaller
// target from video arrivals (p90: a late picture is merely shown late), so a link player can show
// pictures ahead of the audio buffer (within lip-sync bounds, decided by the player).
//
// Never drop into nothing. A correction removes delay that is *buffered*: when arrivals themselves
// are late (a loaded publisher, jitter above the ceiling), the lag behind the estimated edge is
// not recoverable by skipping, and trying to (seek past the newest media, starve, wait, seek
// again) is what made the player thrash under load. Keyframe-skips have their own cooldown.
import type { PlayerPreset } from '../presets';

export interface LatencyControllerOptions {
  /** 'adaptive': the buffer follows measured jitter up to `ceilingMs`; 'fixed': holds `targetMs`. */
  readonly mode: 'adaptive' | 'fixed';
  /** Fixed target, or the starting target of the adaptive mode before jitter is measured. */
  readonly targetMs: number;
  readonly ceilingMs: number;
  readonly floorMs: number;
  /** Added to the jitter percentile (decode and render time). */
  readonly marginMs: number;
  readonly jitterWindowMs: number;
  readonly edgeWindowMs: number;
  /** An arrival gap at least this long counts as a stall. */
  readonly stallGapMs: number;
  /** Arrivals within this time after the start or a stall are a burst, not jitter. */
  readonly burstMs: number;
  /** Lag (above target) tolerated before correcting. */
  readonly deadbandMs: number;
  /** Lag above which the player drops to the target instead of speeding up. */
  readonly dropAboveMs: number;
  /** Lag above which video skips to the next keyframe. */
  readonly keyframeSkipAboveMs: number;
  readonly maxRate: number;
  readonly minRate: number;
  /** Lag (ms) that gives the full speed-up. */
  readonly rateGainMs: number;
  /** No second drop within this time (the playout needs a moment to report the first). */
  readonly dropCooldownMs: number;
  /** No second keyframe-skip within this time (a plain drop instead). Default 3000. */
  readonly keyframeSkipCooldownMs?: number;
  /** Percentile of audio (master) arrival jitter that sizes the audio target (link default 0.95; 0.99 when unset). */
  readonly audioPercentile?: number;
  /** Percentile of video arrival jitter that sizes the video target. Default 0.9. */
  readonly videoPercentile?: number;
  /** Added to the video jitter percentile. Default 10. */
  readonly videoMarginMs?: number;
  /** Media kept queued when a drop is limited by what is buffered (ms). Default floorMs. */
  readonly keepQueuedMs?: number;
  /** How fast the targets shrink once the measured jitter dropped (ms per second). Default 20. */
  readonly shrinkMsPerSec?: number;
}

export type TrackKind = 'audio' | 'video';

export type CorrectionKind = 'rate' | 'drop' | 'keyframe-skip';

export interface LatencyDecision {
  /** Playback rate to apply now (1 = real time). */
  readonly rate: number;
  /** When set, jump the playout forward to this media timestamp. */
  readonly seekToTs?: number;
  /** The correction this decision starts, if any (for stats and events). */
  readonly correction?: CorrectionKind;
  /** Playout delay behind the live edge, minus the target (positive: behind). */
  readonly lagMs: number;
}

interface ArrivalSample {
  readonly arrival: number;
  readonly delay: number;
  readonly counted: boolean;
  readonly track: TrackKind | undefined;
}

const ADAPTIVE_DEFAULTS = {
  floorMs: 30,
  // p95 + 5 ms (was p99 + 15 ms until 2026-12-03): the rarer late frames are concealed by the
  // playout keeping time through the underrun (docs/player.md, "three link players").
  marginMs: 5,
  audioPercentile: 0.95,
  jitterWindowMs: 2500,
  edgeWindowMs: 8000,
  stallGapMs: 250,
  burstMs: 120,
  deadbandMs: 15,
  dropAboveMs: 120,
  keyframeSkipAboveMs: 1000,
  maxRate: 1.06,
  minRate: 0.97,
  rateGainMs: 100,
  dropCooldownMs: 400,
  keyframeSkipCooldownMs: 3000,
  videoPercentile: 0.9,
  videoMarginMs: 10,
  shrinkMsPerSec: 50,
} as const;

/** Options for a preset: the link player adapts under a 200 ms ceiling, the audience one holds 1 s. */
export function latencyOptionsFor(preset: PlayerPreset, mode: 'adaptive' | 'fixed'): LatencyControllerOptions {
  const ceilingMs = preset.maxBufferSec * 1000;
  if (mode === 'adaptive') {
    return { ...ADAPTIVE_DEFAULTS, mode, ceilingMs, targetMs: Math.min(ceilingMs, 100) };
  }
  const targetMs = preset.targetBufferSec * 1000;
  return {
    ...ADAPTIVE_DEFAULTS,
    mode,
    targetMs,
    ceilingMs: Math.max(ceilingMs, targetMs),
    floorMs: targetMs,
    deadbandMs: Math.max(15, targetMs * 0.08),
    dropAboveMs: Math.max(120, targetMs * 0.5),
    keyframeSkipAboveMs: Math.max(1000, targetMs * 2),
    rateGainMs: Math.max(100, targetMs * 0.3),
  };
}

export class LatencyController {
  private samples: ArrivalSample[] = [];
  private edgeOffset = Number.POSITIVE_INFINITY;
  private lastArrival = Number.NEGATIVE_INFINITY;
  private burstUntil = Number.NEGATIVE_INFINITY;
  private target: number;
  private lastTargetUpdate = Number.NEGATIVE_INFINITY;
  private lastDropAt = Number.NEGATIVE_INFINITY;
  private lastSkipAt = Number.NEGATIVE_INFINITY;
  private rate = 1;
  private stallCount = 0;
  private jitter = 0;
  private videoJitter = 0;
  private videoTarget: number;
  private sawAudio = false;
  private readonly corrections: Record<CorrectionKind, number> = { rate: 0, drop: 0, 'keyframe-skip': 0 };

  constructor(readonly options: LatencyControllerOptions) {
    this.target = options.targetMs;
    this.videoTarget = options.targetMs;
  }

  /**
   * Records one frame arriving (`track`: which one; without it the frame counts for both). Returns
   * true when it ends a stall.
   */
  onArrival(ts: number, arrival: number, track?: TrackKind): boolean {
    if (track === 'audio') this.sawAudio = true;
    let stalled = false;
    if (this.lastArrival === Number.NEGATIVE_INFINITY) {
      this.burstUntil = arrival + this.options.burstMs;
    } else if (arrival - this.lastArrival >= this.options.stallGapMs) {
      stalled = true;
      this.stallCount += 1;
      this.burstUntil = arrival + this.options.burstMs;
    }
    this.lastArrival = Math.max(this.lastArrival, arrival);
    const delay = arrival - ts;
    this.samples.push({ arrival, delay, counted: arrival > this.burstUntil, track });
    const keepFrom = arrival - Math.max(this.options.edgeWindowMs, this.options.jitterWindowMs);
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.arrival < keepFrom) drop += 1;
    if (drop > 0) {
      this.samples.splice(0, drop);
      this.recomputeEdge(arrival);
    } else if (delay < this.edgeOffset) {
      this.edgeOffset = delay;
    }
    return stalled;
  }

  /** Media timestamp of the live edge at `now`. */
  liveEdge(now: number): number {
    return now - this.edgeOffset;
  }

  /** True once at least one frame arrived. */
  get hasEdge(): boolean {
    return Number.isFinite(this.edgeOffset);
  }

  /** Where playback should start: the live edge minus the jitter buffer. */
  startTs(now: number): number {
    return this.liveEdge(now) - this.targetMs(now);
  }

  /** The jitter buffer now (ms behind the live edge the playout aims for). */
  targetMs(now: number): number {
    this.updateTarget(now);
    return this.target;
  }

  /**
   * The video target (ms behind the live edge): from video arrival jitter, never above the audio
   * target. Equal to the target until enough video arrivals are measured, and in 'fixed' mode.
   */
  videoTargetMs(now: number): number {
    this.updateTarget(now);
    return Math.min(this.videoTarget, this.target);
  }

  /** The `audioPercentile` of the measured arrival jitter (ms) of the master track (audio when there is
   *  audio), stalls and bursts excluded. */
  get jitterMs(): number {
    return this.jitter;
  }

  /** The video percentile of video arrival jitter (ms). */
  get videoJitterMs(): number {
    return this.videoJitter;
  }

  get stalls(): number {
    return this.stallCount;
  }

  get correctionCounts(): Readonly<Record<CorrectionKind, number>> {
    return this.corrections;
  }

  /** Delay of the playout read head behind the live edge (ms). */
  delayOf(playTs: number, now: number): number {
    return this.liveEdge(now) - playTs;
  }

  /**
   * The correction for a playout whose read head is at `playTs`. `newestTs` (the newest media the
   * playout holds) limits speed-ups and drops to what is buffered: delay that comes from late
   * arrivals is not removed by skipping ahead into media that has not arrived.
   */
  decide(now: number, playTs: number, newestTs?: number): LatencyDecision {
    const target = this.targetMs(now);
    const edgeLag = this.delayOf(playTs, now) - target;
    const o = this.options;
    let lag = edgeLag;
    if (edgeLag > 0 && newestTs !== undefined) {
      const keep = Math.min(target, o.keepQueuedMs ?? o.floorMs);
      lag = Math.max(0, Math.min(edgeLag, newestTs - playTs - keep));
    }
    if (lag > o.dropAboveMs && now - this.lastDropAt >= o.dropCooldownMs) {
      this.lastDropAt = now;
      this.rate = 1;
      let correction: CorrectionKind = 'drop';
      if (lag > o.keyframeSkipAboveMs && now - this.lastSkipAt >= (o.keyframeSkipCooldownMs ?? 3000)) {
        correction = 'keyframe-skip';
        this.lastSkipAt = now;
      }
      this.corrections[correction] += 1;
      return { rate: 1, seekToTs: playTs + lag, correction, lagMs: lag };
    }
    let rate = 1;
    if (lag > o.deadbandMs || (this.rate > 1 && lag > 0)) {
      rate = Math.min(o.maxRate, 1 + Math.max(0.01, lag / o.rateGainMs * (o.maxRate - 1)));
    } else if (lag < -o.deadbandMs || (this.rate < 1 && lag < 0)) {
      rate = Math.max(o.minRate, 1 + Math.min(-0.01, lag / o.rateGainMs * (1 - o.minRate)));
    }
    rate = Math.round(rate * 1000) / 1000;
    const startsCorrection = rate > 1 && this.rate <= 1;
    this.rate = rate;
    if (startsCorrection) {
      this.corrections.rate += 1;
      return { rate, correction: 'rate', lagMs: lag };
    }
    return { rate, lagMs: lag };
  }

  /** Forgets the timeline (new connection, new publisher, timestamp discontinuity). */
  reset(): void {
    this.samples = [];
    this.edgeOffset = Number.POSITIVE_INFINITY;
    this.lastArrival = Number.NEGATIVE_INFINITY;
    this.burstUntil = Number.NEGATIVE_INFINITY;
    this.target = this.options.targetMs;
    this.lastTargetUpdate = Number.NEGATIVE_INFINITY;
    this.lastDropAt = Number.NEGATIVE_INFINITY;
    this.lastSkipAt = Number.NEGATIVE_INFINITY;
    this.rate = 1;
    this.jitter = 0;
    this.videoJitter = 0;
    this.videoTarget = this.options.targetMs;
    this.sawAudio = false;
  }

  private recomputeEdge(now: number): void {
    const from = now - this.options.edgeWindowMs;
    let min = Number.POSITIVE_INFINITY;
    for (const s of this.samples) if (s.arrival >= from && s.delay < min) min = s.delay;
    this.edgeOffset = min;
  }

  private updateTarget(now: number): void {
    const o = this.options;
    if (o.mode === 'fixed') {
      this.target = o.targetMs;
      this.videoTarget = o.targetMs;
      return;
    }
    const from = now - o.jitterWindowMs;
    const master: number[] = [];
    const video: number[] = [];
    for (const s of this.samples) {
      if (!s.counted || s.arrival < from) continue;
      const jitter = s.delay - this.edgeOffset;
      if (!this.sawAudio || s.track !== 'video') master.push(jitter);
      if (s.track !== 'audio') video.push(jitter);
    }
    const elapsed = this.lastTargetUpdate === Number.NEGATIVE_INFINITY ? 0 : Math.max(0, now - this.lastTargetUpdate);
    this.lastTargetUpdate = now;
    if (master.length >= 20) {
      // Every audio frame later than the buffer is an underrun (a fade out, the gap skipped, a fade in).
      this.jitter = percentile(master, o.audioPercentile ?? 0.99);
      const wanted = Math.min(o.ceilingMs, Math.max(o.floorMs, this.jitter + o.marginMs));
      this.target = follow(this.target, wanted, elapsed, o.shrinkMsPerSec ?? 20);
    }
    if (video.length >= 20) {
      this.videoJitter = percentile(video, o.videoPercentile ?? 0.9);
      const wanted = Math.min(o.ceilingMs, Math.max(Math.min(o.floorMs, 20), this.videoJitter + (o.videoMarginMs ?? 10)));
      this.videoTarget = follow(this.videoTarget, wanted, elapsed, o.shrinkMsPerSec ?? 20);
    }
  }
}

/** Grow at once (the next frame may be that late), shrink gently (`shrinkMsPerSec`). */
function follow(current: number, wanted: number, elapsedMs: number, shrinkMsPerSec: number): number {
  return wanted >= current ? wanted : Math.max(wanted, current - (elapsedMs * shrinkMsPerSec) / 1000);
}

function percentile(values: number[], p: number): number {
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(values.length * p))]!;
}
