// The latency controller's decisions, driven by simulated arrivals and a simulated playout that
// freezes when it runs out of media (as a real one does). No browser, no real time.
import { describe, expect, it } from 'vitest';
import { LatencyController, latencyOptionsFor, type CorrectionKind } from '../../common/media/latency-controller';
import { AUDIENCE_PLAYER_PRESET, LINK_PLAYER_PRESET } from '../../common/presets';

interface Frame {
  readonly ts: number;
  readonly arrival: number;
  readonly track?: 'audio' | 'video';
}

/** 15 fps video + 46.875 fps audio frames created at `ts` and arriving `delay(ts)` ms later. */
function liveFrames(fromTs: number, toTs: number, delay: (ts: number, i: number, track: 'audio' | 'video') => number): Frame[] {
  const frames: Frame[] = [];
  let i = 0;
  for (let ts = fromTs; ts < toTs; ts += 1000 / 15) frames.push({ ts, arrival: ts + delay(ts, i++, 'video'), track: 'video' });
  for (let ts = fromTs; ts < toTs; ts += 1024 / 48) frames.push({ ts, arrival: ts + delay(ts, i++, 'audio') + 20, track: 'audio' });
  return frames.sort((a, b) => a.arrival - b.arrival);
}

/** Seeded pseudo-random in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

interface Trace {
  readonly delayAt: (t: number) => number;
  readonly corrections: CorrectionKind[];
  readonly maxRate: number;
}

/** Runs a playout against the controller, 10 ms steps; returns its delay behind the live edge. */
function play(controller: LatencyController, frames: Frame[], endTime: number): Trace {
  const delays = new Map<number, number>();
  const corrections: CorrectionKind[] = [];
  let next = 0;
  let newestTs = Number.NEGATIVE_INFINITY;
  let playTs: number | null = null;
  let rate = 1;
  let maxRate = 1;
  for (let now = 0; now <= endTime; now += 10) {
    while (next < frames.length && frames[next]!.arrival <= now) {
      controller.onArrival(frames[next]!.ts, frames[next]!.arrival, frames[next]!.track);
      newestTs = Math.max(newestTs, frames[next]!.ts);
      next += 1;
    }
    if (!controller.hasEdge) continue;
    if (playTs === null) playTs = Math.min(newestTs, controller.startTs(now));
    if (now % 50 === 0) {
      const decision = controller.decide(now, playTs, newestTs);
      rate = decision.rate;
      maxRate = Math.max(maxRate, rate);
      if (decision.correction) corrections.push(decision.correction);
      if (decision.seekToTs !== undefined) playTs = Math.min(newestTs, Math.max(playTs, decision.seekToTs));
    }
    // Media plays only while there is media to play.
    if (playTs + 10 * rate <= newestTs) playTs += 10 * rate;
    delays.set(now, controller.delayOf(playTs, now));
  }
  return { delayAt: (t) => delays.get(Math.round(t / 10) * 10) ?? Number.NaN, corrections, maxRate };
}

describe('LatencyController', () => {
  it('drains the start-up GOP backlog instead of keeping it as delay', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    const jitter = random(1);
    // The origin's GOP cache sends the last second in a 50 ms burst when the player connects at
    // t = 1000 ms; the player starts on the first frame it gets, so it starts a second behind.
    const frames = liveFrames(0, 8000, (ts) => (ts < 1000 ? 1000 + ts * 0.05 - ts : 5 + jitter() * 20));
    const trace = play(controller, frames, 8000);
    expect(trace.corrections.some((c) => c === 'drop' || c === 'keyframe-skip')).toBe(true);
    expect(trace.delayAt(4000)).toBeLessThan(LINK_PLAYER_PRESET.maxBufferSec * 1000);
    expect(trace.delayAt(8000)).toBeLessThan(100);
  });

  it('does not accumulate delay over ten 500 ms stalls followed by bursts', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    const jitter = random(2);
    const stalls = Array.from({ length: 10 }, (_, i) => 3000 + i * 1500);
    // During a stall nothing arrives; at its end everything held back arrives at once.
    const frames = liveFrames(0, 25_000, (ts) => {
      const base = ts + 5 + jitter() * 15;
      const stall = stalls.find((s) => base >= s && base < s + 500);
      return (stall === undefined ? base : stall + 500 + jitter() * 3) - ts;
    });
    const trace = play(controller, frames, 25_000);
    const lastStallEnd = stalls[stalls.length - 1]! + 500;
    expect(controller.stalls).toBeGreaterThanOrEqual(10);
    expect(trace.corrections.filter((c) => c === 'drop').length).toBeGreaterThanOrEqual(5);
    expect(trace.delayAt(lastStallEnd + 5000)).toBeLessThan(120);
    // Stalls are corrected, not mistaken for jitter: the buffer stays small.
    expect(controller.targetMs(25_000)).toBeLessThan(100);
  });

  it('holds about one second in the audience setting', () => {
    const controller = new LatencyController(latencyOptionsFor(AUDIENCE_PLAYER_PRESET, 'fixed'));
    const jitter = random(3);
    const frames = liveFrames(0, 12_000, (ts) => (ts < 2000 ? 2000 - ts : 5 + jitter() * 30));
    const trace = play(controller, frames, 12_000);
    expect(controller.targetMs(12_000)).toBe(1000);
    expect(trace.delayAt(10_000)).toBeGreaterThan(900);
    expect(trace.delayAt(10_000)).toBeLessThan(1100);
    expect(trace.maxRate).toBeLessThanOrEqual(1.06);
  });

  it('sizes the jitter buffer from measured jitter, under the 200 ms ceiling', () => {
    const calm = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    const r = random(4);
    for (const f of liveFrames(0, 6000, () => 5 + r() * 40)) calm.onArrival(f.ts, f.arrival);
    const calmTarget = calm.targetMs(6000);
    expect(calm.jitterMs).toBeGreaterThan(20);
    expect(calm.jitterMs).toBeLessThan(70);
    expect(calmTarget).toBeLessThan(120);
    expect(calmTarget).toBeGreaterThanOrEqual(calm.jitterMs);

    const rough = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    for (const f of liveFrames(0, 6000, () => 5 + r() * 600)) rough.onArrival(f.ts, f.arrival);
    expect(rough.targetMs(6000)).toBe(200);
  });

  it('sizes the audio buffer from the audio percentile asked for (a rare late frame left to concealment)', () => {
    const r = random(11);
    // One audio frame in 25 is 80 ms late; the rest within 10 ms.
    const frames = liveFrames(0, 6000, (_ts, i, track) => (track === 'audio' && i % 25 === 0 ? 80 : 5 + r() * 10));
    const p99 = new LatencyController({ ...latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'), audioPercentile: 0.99, marginMs: 15 });
    const p95 = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive')); // the link default: p95 + 5 ms
    for (const f of frames) {
      p99.onArrival(f.ts, f.arrival, f.track);
      p95.onArrival(f.ts, f.arrival, f.track);
      p99.targetMs(f.arrival);
      p95.targetMs(f.arrival); // the player asks every 50 ms: the targets follow the estimate
    }
    expect(p99.targetMs(6000)).toBeGreaterThan(80);
    expect(p95.targetMs(6000)).toBeLessThan(40);
  });

  it('speeds up by at most 6 % for a small lag and slows down when ahead', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    for (const f of liveFrames(0, 3000, () => 5)) controller.onArrival(f.ts, f.arrival);
    const target = controller.targetMs(3000);
    const edge = controller.liveEdge(3000);
    const behind = controller.decide(3000, edge - target - 60);
    expect(behind.rate).toBeGreaterThan(1);
    expect(behind.rate).toBeLessThanOrEqual(1.06);
    expect(behind.seekToTs).toBeUndefined();
    const ahead = controller.decide(3050, edge + 50 - target + 40);
    expect(ahead.rate).toBeLessThan(1);
    expect(ahead.rate).toBeGreaterThanOrEqual(0.97);
  });

  it('does not thrash when arrivals are later than the ceiling allows (a loaded publisher)', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    const r = random(5);
    // The publisher falls behind by up to ~1 s and catches up again, twice, with 60 ms of jitter.
    const backlog = (ts: number): number => Math.max(0, Math.sin((ts / 20_000) * 2 * Math.PI)) * 1000;
    const frames = liveFrames(0, 20_000, (ts) => 5 + backlog(ts) + r() * 60);
    const trace = play(controller, frames, 20_000);
    expect(trace.corrections.filter((c) => c === 'keyframe-skip').length).toBeLessThanOrEqual(1);
    expect(trace.corrections.filter((c) => c === 'drop').length).toBeLessThan(12);
    // It follows the arrivals: never far behind what has arrived, and back near the edge after.
    expect(trace.delayAt(19_900)).toBeLessThan(250);
  });

  it('keyframe-skips at most once per cooldown, plain drops in between', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    for (const f of liveFrames(0, 3000, () => 5)) controller.onArrival(f.ts, f.arrival, f.track);
    const edge = controller.liveEdge(3000);
    const first = controller.decide(3000, edge - 2000, edge);
    expect(first.correction).toBe('keyframe-skip');
    const second = controller.decide(3500, edge - 2000, edge);
    expect(second.correction).toBe('drop');
    expect(second.seekToTs).toBeGreaterThan(edge - 2000);
  });

  it('drops only what is buffered: a read head behind the edge with nothing queued holds', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    for (const f of liveFrames(0, 3000, () => 5)) controller.onArrival(f.ts, f.arrival, f.track);
    const edge = controller.liveEdge(3000);
    // 500 ms behind the edge, but only 20 ms of media queued: skipping ahead would starve.
    const held = controller.decide(3000, edge - 500, edge - 480);
    expect(held.seekToTs).toBeUndefined();
    expect(held.rate).toBe(1);
    // 500 ms behind with 400 ms queued: drop, keeping a little queued.
    const dropped = controller.decide(3500, edge + 500 - 500, edge + 500 - 100);
    expect(dropped.correction).toBe('drop');
    expect(dropped.seekToTs).toBeLessThan(edge + 500 - 100);
  });

  it('sizes the video target from video arrivals, below a jittery audio buffer', () => {
    const controller = new LatencyController(latencyOptionsFor(LINK_PLAYER_PRESET, 'adaptive'));
    const r = random(6);
    // Audio waits behind each video encode (0..120 ms late); video arrives within 15 ms.
    for (const f of liveFrames(0, 6000, (_ts, _i, track) => (track === 'audio' ? r() * 120 : 5 + r() * 15))) {
      controller.onArrival(f.ts, f.arrival, f.track);
      controller.targetMs(f.arrival); // the player looks every 50 ms; the targets shrink gently
    }
    const audioTarget = controller.targetMs(6000);
    const videoTarget = controller.videoTargetMs(6000);
    expect(audioTarget).toBeGreaterThan(100);
    expect(videoTarget).toBeLessThan(audioTarget - 50);
    expect(videoTarget).toBeGreaterThanOrEqual(controller.videoJitterMs);
    // The audience setting holds its fixed target for both.
    const audience = new LatencyController(latencyOptionsFor(AUDIENCE_PLAYER_PRESET, 'fixed'));
    expect(audience.videoTargetMs(0)).toBe(1000);
  });

  it('holds the audience second through ten 500 ms stalls (neither accumulates nor undershoots)', () => {
    const controller = new LatencyController(latencyOptionsFor(AUDIENCE_PLAYER_PRESET, 'fixed'));
    const jitter = random(7);
    const stalls = Array.from({ length: 10 }, (_, i) => 4000 + i * 1500);
    const frames = liveFrames(0, 26_000, (ts) => {
      const base = ts + 5 + jitter() * 30;
      const stall = stalls.find((s) => base >= s && base < s + 500);
      return (stall === undefined ? base : stall + 500 + jitter() * 3) - ts;
    });
    const trace = play(controller, frames, 26_000);
    const lastStallEnd = stalls[stalls.length - 1]! + 500;
    expect(trace.delayAt(lastStallEnd + 5000)).toBeGreaterThan(900);
    expect(trace.delayAt(lastStallEnd + 5000)).toBeLessThan(1150);
  });
});
