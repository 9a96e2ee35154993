// The push's low-delay muxer (`-max_interleave_delta 1` with the AAC priming packet dropped), with
// real ffmpeg: both tracks start at timestamp 0, and a push with these options stays live on the
// real origin (with `-max_interleave_delta 1` alone ffmpeg died within a second and reconnected in a loop).
import { get } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlvDemuxer } from '../../common/media/flv-demuxer';
import { BIG_HOST_PRESET } from '../../common/presets';
import { buildPushCommand } from '../engine/push-command';
import { PushEngine } from '../engine/push-engine';
import type { SourceSetupInput } from '../engine/sources';
import { TestOrigin } from './helpers/engine-origin';
import { runChild } from './helpers/engine-media';
import { TestXvfb } from './helpers/engine-xvfb';

/** Reads a live FLV stream until `audio` audio tags and `video` video tags arrived (or `timeoutMs`). */
function countTags(url: string, audio: number, video: number, timeoutMs: number): Promise<{ audio: number; video: number }> {
  return new Promise((resolve) => {
    const seen = { audio: 0, video: 0 };
    const demuxer = new FlvDemuxer();
    const done = (): void => {
      clearTimeout(timer);
      request.destroy();
      resolve(seen);
    };
    const timer = setTimeout(done, timeoutMs);
    const request = get(url, (res) => {
      res.on('data', (chunk: Buffer) => {
        for (const event of demuxer.push(chunk)) if (event.kind === 'audio' || event.kind === 'video') seen[event.kind] += 1;
        if (seen.audio >= audio && seen.video >= video) done();
      });
      res.on('error', () => undefined);
    });
    request.on('error', () => undefined);
  });
}

describe('the push muxer', () => {
  let origin: TestOrigin;
  let xvfb: TestXvfb;
  let engine: PushEngine;
  let dir: string;

  beforeAll(async () => {
    [origin, xvfb, dir] = await Promise.all([TestOrigin.start(), TestXvfb.start(320, 240), mkdtemp(join(tmpdir(), 'engine-muxer-'))]);
    engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
  });

  afterAll(async () => {
    await engine?.close();
    await xvfb?.stop();
    await origin?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the audio and the video track at timestamp 0 (no AAC priming packet before the first picture)', async () => {
    const file = join(dir, 'start.flv');
    const command = buildPushCommand({ sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone' } }, settings: BIG_HOST_PRESET, encoder: 'libx264', url: file, platform: 'linux' });
    const args = [...command.args.slice(0, -1), '-t', '1.5', '-y', file];
    const run = await runChild('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], 30_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const probe = await runChild('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,pts', '-of', 'csv=p=0', file], 30_000);
    const packets = probe.stdout
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(','))
      .map(([type, pts]) => ({ type, pts: Number(pts) }));
    const firstAudio = packets.find((p) => p.type === 'audio');
    const firstVideo = packets.find((p) => p.type === 'video');
    expect(firstAudio?.pts).toBe(0);
    expect(firstVideo?.pts).toBe(0);
    expect(packets.filter((p) => p.type === 'audio').length).toBeGreaterThan(40);
  });

  for (const [name, sources] of [
    ['a test pattern with a tone (lavfi)', { video: { kind: 'testPattern' }, audio: { kind: 'tone' } }],
    ['a screen capture with renderer PCM', { video: { kind: 'screen' }, audio: { kind: 'pcm', format: 's16le' } }],
  ] as const) {
    it(`keeps ${name} live on the origin without a reconnect`, async () => {
      const code = `mux_${name.length}`;
      const reconnects: string[] = [];
      const sub = engine.on('reconnecting', ({ reason }) => reconnects.push(reason));
      const setup: SourceSetupInput = sources.video.kind === 'screen' ? { ...sources, video: { kind: 'screen', display: xvfb.display } } : sources;
      await engine.start({ url: origin.pushUrl(code), role: 'small', sources: setup as never });
      try {
        // ~4 s of media: 180 AAC frames, 60 pictures at 15 fps.
        const seen = await countTags(origin.flvUrl(code), 180, 60, 30_000);
        expect(reconnects).toEqual([]);
        expect(seen.audio).toBeGreaterThanOrEqual(180);
        expect(seen.video).toBeGreaterThanOrEqual(60);
        expect(engine.stats).toMatchObject({ state: 'live', reconnects: 0 });
      } finally {
        sub.dispose();
        await engine.stop();
      }
    });
  }
});
