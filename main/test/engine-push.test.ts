// Real pushes with real ffmpeg into the real link-mic origin (LinkMicServer), pulled back over HTTP-FLV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_HOST_PRESET, SMALL_HOST_PRESET } from '../../common/presets';
import { PushEngine } from '../engine/push-engine';
import type { PushStats } from '../engine/pusher-types';
import { TestOrigin } from './helpers/engine-origin';
import { isAlive, measureVideoKbps, probeStreams } from './helpers/engine-media';

describe('push engine against the link-mic origin', () => {
  let origin: TestOrigin;
  let engine: PushEngine;

  beforeAll(async () => {
    origin = await TestOrigin.start();
    engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
  });

  afterAll(async () => {
    await engine?.close();
    await origin?.close();
  });

  for (const [role, preset] of [
    ['big', BIG_HOST_PRESET],
    ['small', SMALL_HOST_PRESET],
  ] as const) {
    it(`pushes the ${role}-host preset so that it arrives at ${preset.width}x${preset.height}, ~${preset.videoBitrateKbps} kbps, AAC 48 kHz mono`, async () => {
      const code = `preset_${role}`;
      const stats: PushStats[] = [];
      const sub = engine.on('stats', (s) => stats.push(s));
      await engine.start({ url: origin.pushUrl(code, { layer: role === 'big' ? 'b' : 's' }), role, sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone' } } });
      try {
        expect(engine.role).toBe(role);
        expect(origin.live.getStream(code)).toBeDefined();
        const [streams, kbps] = await Promise.all([probeStreams(origin.flvUrl(code)), measureVideoKbps(origin.flvUrl(code), 6)]);
        const video = streams.find((s) => s.codec_type === 'video');
        const audio = streams.find((s) => s.codec_type === 'audio');
        expect(video).toMatchObject({ codec_name: 'h264', width: preset.width, height: preset.height });
        expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 1 });
        expect(kbps).toBeGreaterThan(preset.videoBitrateKbps * 0.6);
        expect(kbps).toBeLessThan(preset.videoBitrateKbps * 1.3);
        const last = stats[stats.length - 1];
        expect(last).toMatchObject({ state: 'live', role, encoder: 'libx264', reconnects: 0 });
        expect(last?.frames).toBeGreaterThan(0);
        expect(last?.bitrateKbps).toBeGreaterThan(0);
        expect(last?.uptimeMs).toBeGreaterThan(0);
      } finally {
        sub.dispose();
        await engine.stop();
      }
      expect(engine.state).toBe('idle');
    });
  }

  it('switches role from small host to big host and back to audience without restarting the engine', async () => {
    const sources = { video: { kind: 'testPattern' as const }, audio: { kind: 'tone' as const } };
    await engine.switchRole('small', { url: origin.pushUrl('guest_s', { layer: 's' }), sources });
    const smallPid = engine.pushPid as number;
    expect(smallPid).toBeGreaterThan(0);
    const small = (await probeStreams(origin.flvUrl('guest_s'))).find((s) => s.codec_type === 'video');
    expect(small).toMatchObject({ width: 320, height: 480 });

    await engine.switchRole('big', { url: origin.pushUrl('guest_b', { layer: 'b' }) });
    expect(engine.role).toBe('big');
    expect(isAlive(smallPid)).toBe(false); // the small-host ffmpeg was closed and reaped before the new one
    expect(origin.live.getStream('guest_s')).toBeUndefined();
    const big = (await probeStreams(origin.flvUrl('guest_b'))).find((s) => s.codec_type === 'video');
    expect(big).toMatchObject({ width: 360, height: 640 });

    const bigPid = engine.pushPid as number;
    const stopped = engine.next('stopped');
    await engine.switchRole('audience');
    expect(await stopped).toEqual({ role: 'big', reason: 'closed' });
    expect(engine.role).toBeNull();
    expect(isAlive(bigPid)).toBe(false);
  });

  it('rejects custom settings that break the preset schema, naming the field', async () => {
    await expect(
      engine.start({ url: origin.pushUrl('bad_settings'), role: 'big', settings: { width: 361 }, sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone' } } }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'settings.width' });
    await expect(
      engine.start({ url: origin.pushUrl('bad_settings'), role: 'big', settings: { audioSampleRate: 44_100 as 48_000 }, sources: { video: { kind: 'testPattern' }, audio: { kind: 'tone' } } }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', field: 'settings.audioSampleRate' });
    expect(engine.state).toBe('idle');
  });

  it('pushes custom settings within the schema (a 240x426 picture at 500 kbps)', async () => {
    await engine.start({
      url: origin.pushUrl('custom'),
      role: 'big',
      settings: { width: 240, height: 426, videoBitrateKbps: 500 },
      sources: { video: { kind: 'testPattern' }, audio: { kind: 'silence' } },
    });
    try {
      const video = (await probeStreams(origin.flvUrl('custom'))).find((s) => s.codec_type === 'video');
      expect(video).toMatchObject({ width: 240, height: 426 });
    } finally {
      await engine.stop();
    }
  });
});
