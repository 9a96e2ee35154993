import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlvDemuxer, type FlvEvent } from '../media/flv-demuxer';
import { drawStamp, readStamp, stampAgeMs } from '../media/timestamp-blocks';

const run = promisify(execFile);
let dir = '';
let flv = new Uint8Array(0);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flv-demuxer-'));
  const file = join(dir, 'clip.flv');
  // The link-mic big-host shape: 360x640, 15 fps, GOP 15, AAC 48 kHz mono.
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=15:duration=2',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '15', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-ar', '48000', '-ac', '1', '-b:a', '64k',
    '-f', 'flv', file,
  ]);
  flv = new Uint8Array(await readFile(file));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function demuxAll(chunkSizes: () => number): FlvEvent[] {
  const demuxer = new FlvDemuxer();
  const events: FlvEvent[] = [];
  for (let at = 0; at < flv.byteLength; ) {
    const size = Math.max(1, chunkSizes());
    events.push(...demuxer.push(flv.subarray(at, at + size)));
    at += size;
  }
  return events;
}

describe('FlvDemuxer', () => {
  it('reads the header, metadata and both sequence headers of an ffmpeg-made FLV', () => {
    const events = demuxAll(() => flv.byteLength);
    expect(events[0]).toEqual({ kind: 'header', hasAudio: true, hasVideo: true });
    const meta = events.find((e) => e.kind === 'metadata');
    expect(meta?.kind === 'metadata' && meta.name).toBe('onMetaData');
    expect(meta?.kind === 'metadata' && (meta.value as Record<string, unknown>).width).toBe(360);

    const video = events.find((e) => e.kind === 'video-config');
    if (video?.kind !== 'video-config') throw new Error('no AVC sequence header');
    expect(video.config.codec).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect(video.config.codec.slice(5, 7)).toBe(video.config.profile.toString(16).padStart(2, '0'));
    expect(video.config.description[0]).toBe(1);
    expect(video.config.nalLengthSize).toBe(4);
    expect([video.config.codedWidth, video.config.codedHeight]).toEqual([360, 640]);

    const audio = events.find((e) => e.kind === 'audio-config');
    if (audio?.kind !== 'audio-config') throw new Error('no AAC sequence header');
    expect(audio.config).toMatchObject({ codec: 'mp4a.40.2', sampleRate: 48000, channels: 1, samplesPerFrame: 1024 });
  });

  it('returns every frame with keyframes once per GOP and length-prefixed NAL units', () => {
    const events = demuxAll(() => flv.byteLength);
    const frames = events.filter((e) => e.kind === 'video');
    expect(frames).toHaveLength(30);
    expect(frames.filter((f) => f.keyframe).map((f) => frames.indexOf(f))).toEqual([0, 15]);
    for (const frame of frames) {
      let at = 0;
      while (at < frame.data.byteLength) {
        const length = new DataView(frame.data.buffer, frame.data.byteOffset + at).getUint32(0);
        at += 4 + length;
      }
      expect(at).toBe(frame.data.byteLength);
    }
    const pts = frames.map((f) => f.pts);
    expect(pts[29]! - pts[0]!).toBeGreaterThanOrEqual(1900);
    const audio = events.filter((e) => e.kind === 'audio');
    expect(audio.length).toBeGreaterThanOrEqual(90);
    for (let i = 1; i < audio.length; i += 1) expect(audio[i]!.dts).toBeGreaterThanOrEqual(audio[i - 1]!.dts);
  });

  it('gives the same events whatever the chunking (byte by byte, random sizes)', () => {
    const whole = demuxAll(() => flv.byteLength);
    let seed = 7;
    const random = demuxAll(() => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 3000;
    });
    expect(random).toEqual(whole);
    const byteByByte = demuxAll(() => 1);
    expect(byteByByte.length).toBe(whole.length);
  });

  it('refuses a stream that is not FLV', () => {
    expect(() => new FlvDemuxer().push(new Uint8Array([0x47, 0x40, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/FLV/);
  });
});

describe('timestamp blocks', () => {
  it('round-trips a stamp through a gray frame and rejects a damaged one', () => {
    const width = 360;
    const gray = new Uint8Array(width * 640).fill(128);
    const now = Date.now();
    drawStamp(gray, width, { timeLow32: now >>> 0, counter: 4242 });
    const stamp = readStamp((x, y) => gray[y * width + x] ?? 0);
    expect(stamp).toEqual({ timeLow32: now >>> 0, counter: 4242 });
    expect(stampAgeMs(stamp!, now + 35)).toBe(35);
    const first = (gray[20 * width + 20] ?? 0) > 128 ? 16 : 235; // flip the first block
    for (let y = 0; y < 40; y += 1) gray.fill(first, y * width, y * width + 40);
    expect(readStamp((x, y) => gray[y * width + x] ?? 0)).toBeNull();
  });
});
