// The pure part of the mic capture: resampling to 48 kHz and packing fixed PCM frames.
import { describe, expect, it } from 'vitest';
import { LinearResampler } from '../audio/linear-resampler';
import { PcmFramePacker } from '../audio/pcm-frame-packer';
import { floatToInt16, frameBytes, type PcmFrame } from '../audio/pcm-frame';
import { appliedFlag, micConstraints, processingFromEnableAEC, readActiveProcessing } from '../audio/audio-processing';

function sine(rate: number, freq: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i += 1) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** Feeds `input` in chunks of the given sizes (cycling), collecting all frames. */
function pack(input: Float32Array, inputRate: number, chunkSizes: number[], format: 's16' | 'f32' = 'f32', frameMs = 20): PcmFrame[] {
  const frames: PcmFrame[] = [];
  const packer = new PcmFramePacker({ inputRate, frameMs, format, onFrame: (f) => frames.push(f) });
  let offset = 0;
  let k = 0;
  while (offset < input.length) {
    const size = chunkSizes[k % chunkSizes.length]!;
    packer.push(input.subarray(offset, offset + size));
    offset += size;
    k += 1;
  }
  return frames;
}

function concat(frames: PcmFrame[]): Float32Array {
  const out = new Float32Array(frames.reduce((n, f) => n + f.data.length, 0));
  let offset = 0;
  for (const f of frames) {
    out.set(f.data as Float32Array, offset);
    offset += f.data.length;
  }
  return out;
}

describe('PcmFramePacker', () => {
  it('packs 48 kHz input into 20 ms frames of 960 samples with consecutive seq numbers, whatever the chunking', () => {
    const input = sine(48_000, 440, 1);
    const frames = pack(input, 48_000, [128, 37, 512, 1000]);
    expect(frames).toHaveLength(50);
    frames.forEach((f, i) => {
      expect(f.seq).toBe(i);
      expect(f.sampleIndex).toBe(i * 960);
      expect(f.data).toHaveLength(960);
      expect(f.sampleRate).toBe(48_000);
      expect(f.channels).toBe(1);
      expect(f.gap).toBe(false);
    });
    expect(Array.from(concat(frames))).toEqual(Array.from(input));
  });

  it('resamples a 44.1 kHz context to 48 kHz: duration and pitch are kept', () => {
    const input = sine(44_100, 1000, 2, 0.8);
    const frames = pack(input, 44_100, [128]);
    const out = concat(frames);
    // 2 s at 44.1 kHz → about 96 000 samples at 48 kHz (less the last partial frame).
    expect(out.length).toBeGreaterThanOrEqual(96_000 - 960);
    expect(out.length).toBeLessThanOrEqual(96_000);
    // Zero crossings count the frequency: 1 kHz → 2000 crossings per second.
    let crossings = 0;
    for (let i = 1; i < out.length; i += 1) if ((out[i - 1]! < 0) !== (out[i]! < 0)) crossings += 1;
    const seconds = out.length / 48_000;
    expect(crossings / seconds).toBeGreaterThan(1990);
    expect(crossings / seconds).toBeLessThan(2010);
    // Linear interpolation of a 1 kHz tone stays close to the ideal 48 kHz tone.
    const ideal = sine(48_000, 1000, seconds, 0.8);
    let err = 0;
    for (let i = 0; i < out.length; i += 1) err = Math.max(err, Math.abs(out[i]! - ideal[i]!));
    expect(err).toBeLessThan(0.02);
  });

  it('gives the same samples whether the resampler is fed in one piece or in render quanta', () => {
    const input = sine(44_100, 300, 0.5);
    const whole = concat(pack(input, 44_100, [input.length]));
    const chunked = concat(pack(input, 44_100, [128, 7, 300]));
    expect(chunked.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i += 1) expect(chunked[i]).toBeCloseTo(whole[i]!, 6);
  });

  it('marks frames filled during a device gap and keeps counting through it', () => {
    const frames: PcmFrame[] = [];
    const packer = new PcmFramePacker({ inputRate: 48_000, onFrame: (f) => frames.push(f) });
    packer.push(sine(48_000, 440, 0.04));
    packer.push(new Float32Array(960), true);
    packer.push(sine(48_000, 440, 0.02));
    expect(frames.map((f) => f.gap)).toEqual([false, false, true, false]);
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3]);
  });

  it('emits s16 frames by default with clipping, little-endian bytes for the engine', () => {
    const frames: PcmFrame[] = [];
    const packer = new PcmFramePacker({ inputRate: 48_000, frameMs: 10, onFrame: (f) => frames.push(f) });
    const input = new Float32Array(480);
    input[0] = 1.5;
    input[1] = -2;
    input[2] = 0.5;
    packer.push(input);
    expect(frames).toHaveLength(1);
    const data = frames[0]!.data as Int16Array;
    expect(data).toBeInstanceOf(Int16Array);
    expect([data[0], data[1], data[2]]).toEqual([32767, -32767, 16384]);
    const bytes = frameBytes(frames[0]!);
    expect(bytes.byteLength).toBe(960);
    expect(bytes[0]).toBe(0xff);
    expect(bytes[1]).toBe(0x7f);
  });

  it('refuses frame lengths that are not whole 48 kHz samples', () => {
    expect(() => new PcmFramePacker({ inputRate: 48_000, frameMs: 0.01, onFrame: () => undefined })).toThrow(RangeError);
  });
});

describe('LinearResampler', () => {
  it('passes 48 kHz through untouched', () => {
    const r = new LinearResampler(48_000, 48_000);
    const x = sine(48_000, 100, 0.01);
    expect(r.process(x)).toBe(x);
  });

  it('refuses a zero or negative rate', () => {
    expect(() => new LinearResampler(0, 48_000)).toThrow(RangeError);
  });

  it('upsamples 16 kHz by 3: every third output sample is an input sample', () => {
    const r = new LinearResampler(16_000, 48_000);
    const out = r.process(new Float32Array([0, 0.3, 0.6, 0.9]));
    expect(Array.from(out).map((v) => Math.round(v * 100) / 100)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
  });
});

describe('audio processing switches', () => {
  it('maps the guide\'s enableAEC to all three switches, with overrides', () => {
    expect(processingFromEnableAEC(true)).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
    expect(processingFromEnableAEC(false)).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    expect(processingFromEnableAEC(true, { autoGainControl: false }).autoGainControl).toBe(false);
  });

  it('asks for the chosen device exactly, and for the default without a deviceId', () => {
    const flags = processingFromEnableAEC(false);
    const chosen = micConstraints('abc', flags).audio as MediaTrackConstraints;
    expect(chosen.deviceId).toEqual({ exact: 'abc' });
    expect(chosen.echoCancellation).toBe(false);
    expect((micConstraints(null, flags).audio as MediaTrackConstraints).deviceId).toBeUndefined();
    expect((micConstraints('default', flags).audio as MediaTrackConstraints).deviceId).toBeUndefined();
  });

  it('reports what the track really applies and which switches differ from the request', () => {
    const track = { label: 'USB mic', getSettings: () => ({ echoCancellation: 'all', noiseSuppression: false, deviceId: 'x', groupId: 'g', sampleRate: 48_000 }) };
    const report = readActiveProcessing(track as unknown as MediaStreamTrack, processingFromEnableAEC(true), 48_000, false);
    expect(report.active).toEqual({ echoCancellation: true, noiseSuppression: false, autoGainControl: 'unknown' });
    expect(report.mismatched).toEqual(['noiseSuppression']);
    expect(report.label).toBe('USB mic');
    expect(appliedFlag('remote-only')).toBe(true);
    expect(appliedFlag('none')).toBe(false);
  });

  it('converts floats to s16 symmetrically', () => {
    expect(Array.from(floatToInt16(new Float32Array([0, 1, -1, Number.NaN])))).toEqual([0, 32767, -32767, 0]);
  });
});
