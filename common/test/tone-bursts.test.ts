import { describe, expect, it } from 'vitest';
import { BENCH_TONE, burstEnvelope, findBurstOnsets, nextBurstStart, toneSample } from '../media/tone-bursts';

/** The source signal from absolute sample `from`, delayed by `delay` samples, scaled by `gain`. */
function recording(length: number, delay: number, gain = 1, from = 0): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 1) out[i] = i < delay ? 0 : gain * toneSample(BENCH_TONE, from + i - delay);
  return out;
}

describe('tone bursts', () => {
  it('is quiet between bursts and loud for the burst, rising without a step', () => {
    expect(burstEnvelope(BENCH_TONE, 30_000)).toBeCloseTo(BENCH_TONE.baseLevel);
    expect(burstEnvelope(BENCH_TONE, 48_000 + 2000)).toBeCloseTo(BENCH_TONE.burstLevel);
    expect(burstEnvelope(BENCH_TONE, 48_000)).toBeCloseTo(BENCH_TONE.baseLevel);
    let largestStep = 0;
    for (let n = 47_990; n < 48_000 + BENCH_TONE.burstSamples + 10; n += 1) largestStep = Math.max(largestStep, Math.abs(burstEnvelope(BENCH_TONE, n + 1) - burstEnvelope(BENCH_TONE, n)));
    expect(largestStep).toBeLessThan(0.005);
    expect(nextBurstStart(BENCH_TONE, 1)).toBe(48_000);
    expect(nextBurstStart(BENCH_TONE, 96_000)).toBe(96_000);
  });

  it('finds each burst onset of a delayed recording to within a sample', () => {
    const delay = 7_321;
    const onsets = findBurstOnsets(recording(48_000 * 4, delay), BENCH_TONE);
    expect(onsets).toHaveLength(4);
    onsets.forEach((onset, i) => expect(Math.abs(onset - (delay + i * 48_000))).toBeLessThanOrEqual(1));
  });

  it('finds onsets in a quieter output, and in a recording that starts in the middle of a period', () => {
    const onsets = findBurstOnsets(recording(48_000 * 3, 0, 0.7, 20_000), BENCH_TONE, { gain: 0.7 });
    expect(onsets.map(Math.round)).toEqual([28_000, 76_000, 124_000].map((n) => expect.closeTo(n, 0)));
  });

  it('does not count a loud restart shortly after a burst as a new onset', () => {
    const signal = recording(48_000 * 2, 0, 1, 20_000);
    // An underrun of 40 ms in the middle of the first burst: silence, then the burst again.
    signal.fill(0, 28_000 + 2_000, 28_000 + 3_920);
    const onsets = findBurstOnsets(signal, BENCH_TONE);
    expect(onsets.map(Math.round)).toEqual([28_000, 76_000].map((n) => expect.closeTo(n, 0)));
  });
});
