// The audio playout queue that runs in the player's AudioWorklet: latency correction must never
// click. A 440 Hz tone makes any cut audible to the click counter (second-difference spikes).
import { describe, expect, it } from 'vitest';
import { PlayoutBuffer } from '../../common/media/playout-buffer';

const RATE = 48_000;
const FRAME = 1024;

function tone(ts: number, hz = 440, amplitude = 0.5): Float32Array {
  const out = new Float32Array(FRAME);
  const start = (ts / 1000) * RATE;
  for (let i = 0; i < FRAME; i += 1) out[i] = amplitude * Math.sin((2 * Math.PI * hz * (start + i)) / RATE);
  return out;
}

function pushTone(buffer: PlayoutBuffer, fromTs: number, frames: number, make = (ts: number) => tone(ts)): number {
  let ts = fromTs;
  for (let i = 0; i < frames; i += 1) {
    buffer.push(ts, [make(ts)]);
    ts += (FRAME / RATE) * 1000;
  }
  return ts;
}

function renderMs(buffer: PlayoutBuffer, ms: number, channels = 2): Float32Array[] {
  const total = Math.round((ms / 1000) * RATE);
  const out = Array.from({ length: channels }, () => new Float32Array(total));
  for (let at = 0; at < total; at += 128) {
    const n = Math.min(128, total - at);
    const block = Array.from({ length: channels }, () => new Float32Array(n));
    buffer.render(block, n);
    block.forEach((b, c) => out[c]!.set(b, at));
  }
  return out;
}

describe('PlayoutBuffer', () => {
  it('plays queued audio from the start timestamp and tracks the media time', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    pushTone(buffer, 1000, 40);
    buffer.start(1100);
    expect(buffer.snapshot().readTs).toBeCloseTo(1100, 0);
    const [left, right] = renderMs(buffer, 200);
    expect(buffer.snapshot().readTs).toBeCloseTo(1300, 0);
    expect(Math.max(...left!)).toBeGreaterThan(0.45);
    expect(right).toEqual(left); // mono goes to both outputs
    expect(buffer.snapshot().clicks).toBe(0);
  });

  it('counts a hard cut in the waveform as a click (the detector can fail)', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    // Two tones with unrelated phases glued together: a cut in the middle of the waveform.
    pushTone(buffer, 0, 10, (ts) => tone(ts * 1.37 + 3.1, 440));
    buffer.start(0);
    renderMs(buffer, 150);
    expect(buffer.snapshot().clicks).toBeGreaterThan(0);
  });

  it('drops to a later timestamp with a crossfade and no click', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    pushTone(buffer, 0, 60);
    buffer.start(0);
    renderMs(buffer, 100);
    buffer.seek(700);
    renderMs(buffer, 100);
    const snap = buffer.snapshot();
    expect(snap.drops).toBe(1);
    expect(snap.droppedMs).toBeGreaterThan(550);
    expect(snap.readTs!).toBeGreaterThan(790);
    expect(snap.clicks).toBe(0);
  });

  it('prefers a quiet point for the drop', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1, quietSearchMs: 60 });
    // Loud tone with a silent gap 30-40 ms after the read head.
    pushTone(buffer, 0, 60, (ts) => (ts >= 128 && ts < 149 ? new Float32Array(FRAME) : tone(ts)));
    buffer.start(0);
    renderMs(buffer, 100);
    buffer.seek(900);
    renderMs(buffer, 30);
    expect(buffer.snapshot().drops).toBe(1);
    // The crossfade happened inside the gap, so the first 25 ms still played from before the jump.
    expect(buffer.snapshot().readTs!).toBeGreaterThan(900);
    expect(buffer.snapshot().clicks).toBe(0);
  });

  it('speeds up by resampling without clicks', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    pushTone(buffer, 0, 100);
    buffer.start(0);
    buffer.setRate(1.05);
    renderMs(buffer, 1000);
    expect(buffer.snapshot().readTs!).toBeCloseTo(1050, -1);
    expect(buffer.snapshot().clicks).toBe(0);
  });

  it('fades out on an underrun and fades back in when audio returns', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    const ts = pushTone(buffer, 0, 5);
    buffer.start(0);
    renderMs(buffer, 200); // runs dry after ~107 ms
    expect(buffer.snapshot().state).toBe('starved');
    expect(buffer.snapshot().underruns).toBe(1);
    pushTone(buffer, ts, 10);
    renderMs(buffer, 100);
    expect(buffer.snapshot().state).toBe('playing');
    expect(buffer.snapshot().clicks).toBe(0);
  });

  it('keep-time: audio that comes late after an underrun is skipped by the gap, so the delay does not grow', () => {
    const waiting = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    const keeping = new PlayoutBuffer({ sampleRate: RATE, channels: 1, keepTime: true });
    for (const buffer of [waiting, keeping]) {
      const ts = pushTone(buffer, 0, 5); // ~107 ms
      buffer.start(0);
      renderMs(buffer, 157); // runs dry, then 50 ms of gap
      expect(buffer.snapshot().state).toBe('starved');
      pushTone(buffer, ts, 20); // the late audio, ~427 ms
      renderMs(buffer, 20);
      expect(buffer.snapshot().state).toBe('playing');
    }
    // Waiting resumed where the audio ran out: ~40 ms of media played since; keeping time skipped the gap.
    expect(waiting.snapshot().readTs!).toBeLessThan(150);
    expect(keeping.snapshot().readTs!).toBeGreaterThan(165);
    expect(keeping.snapshot().skippedLateMs).toBeGreaterThan(40);
    expect(waiting.snapshot().skippedLateMs).toBe(0);
    expect(keeping.snapshot().clicks).toBe(0);
  });

  it('keep-time: the media time runs on through an underrun', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1, keepTime: true });
    pushTone(buffer, 0, 5);
    buffer.start(0);
    renderMs(buffer, 200);
    expect(buffer.snapshot().state).toBe('starved');
    expect(buffer.snapshot().readTs!).toBeGreaterThan(190);
  });

  it('discards instead of crossfading when seeking before playback starts', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    pushTone(buffer, 0, 50);
    buffer.seek(800);
    expect(buffer.snapshot().readTs!).toBeGreaterThanOrEqual(799);
    buffer.start(0); // never backwards
    expect(buffer.snapshot().readTs!).toBeGreaterThanOrEqual(799);
  });

  it('plays silence up to the oldest audio when started before it (a jitter buffer filling)', () => {
    const buffer = new PlayoutBuffer({ sampleRate: RATE, channels: 1 });
    pushTone(buffer, 1000, 30);
    buffer.start(700);
    expect(buffer.snapshot().readTs).toBeCloseTo(700, 0);
    const [head] = renderMs(buffer, 250);
    expect(Math.max(...head!.map(Math.abs))).toBe(0);
    expect(buffer.snapshot().readTs).toBeCloseTo(950, 0);
    const [tail] = renderMs(buffer, 100);
    expect(Math.max(...tail!)).toBeGreaterThan(0.45);
    expect(buffer.snapshot().clicks).toBe(0);
  });
});
