// Capture sources through the engine into the real origin: x11grab from Xvfb (alone and under a
// picture-in-picture), the renderer's PCM over a pipe, and a PulseAudio device microphone.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushEngine } from '../engine/push-engine';
import { TestOrigin } from './helpers/engine-origin';
import { probeStreams, pullPcm, runChild, sineFrame, toneShare, waitUntil } from './helpers/engine-media';
import { TestPulse } from './helpers/engine-pulse';
import { TestXvfb } from './helpers/engine-xvfb';

/** One decoded frame of a live stream as 8-bit luma. */
async function grabLuma(url: string, width: number, height: number): Promise<Uint8Array> {
  const result = await runChild('ffmpeg', ['-hide_banner', '-nostdin', '-rw_timeout', '10000000', '-i', url, '-ss', '1', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
  expect(result.stdout.length).toBe(width * height);
  return new Uint8Array(result.stdout);
}

function meanLuma(frame: Uint8Array, width: number, x0: number, y0: number, w: number, h: number): number {
  let sum = 0;
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) sum += frame[y * width + x] as number;
  return sum / (w * h);
}

describe('capture sources', () => {
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

  describe('on an Xvfb display', () => {
    let xvfb: TestXvfb;
    beforeAll(async () => {
      xvfb = await TestXvfb.start();
    });
    afterAll(async () => {
      await xvfb?.stop();
    });

    it('pushes the X screen captured with x11grab, fitted into the big-host picture', async () => {
      await engine.start({ url: origin.pushUrl('xscreen'), role: 'big', sources: { video: { kind: 'screen', display: xvfb.display }, audio: { kind: 'silence' } } });
      try {
        const video = (await probeStreams(origin.flvUrl('xscreen'))).find((s) => s.codec_type === 'video');
        expect(video).toMatchObject({ codec_name: 'h264', width: 360, height: 640 });
        expect(engine.stats?.frames).toBeGreaterThan(0);
      } finally {
        await engine.stop();
      }
    });

    it('lists the Xvfb display among the screens it can capture', async () => {
      const devices = await engine.listDevices();
      expect(devices.screens.map((s) => s.id)).toContain(xvfb.display);
    });

    it('puts the overlay picture over the screen at the bottom right', async () => {
      // The Xvfb root window is black; the test pattern stands in for the camera.
      await engine.start({
        url: origin.pushUrl('pip'),
        role: 'big',
        sources: { video: { kind: 'screen', display: xvfb.display }, overlay: { source: { kind: 'testPattern' }, position: 'bottom-right' }, audio: { kind: 'silence' } },
      });
      try {
        const frame = await grabLuma(origin.flvUrl('pip'), 360, 640);
        const corner = meanLuma(frame, 360, 360 - 100, 640 - 160, 80, 120); // inside the 120x214 PiP
        const topLeft = meanLuma(frame, 360, 10, 10, 80, 120); // letterbox / black screen
        expect(topLeft).toBeLessThan(30);
        expect(corner).toBeGreaterThan(60);
      } finally {
        await engine.stop();
      }
    });
  });

  it('carries PCM written by the renderer over the pipe as the stream audio (a 1 kHz sine)', async () => {
    await engine.start({ url: origin.pushUrl('pcm_sine'), role: 'small', sources: { video: { kind: 'testPattern' }, audio: { kind: 'pcm', format: 's16le' } } });
    let sample = 0;
    const startedAt = performance.now();
    // The renderer sends ~20 ms frames on its audio clock (here: wall-clock time); timer jitter is the feeder's problem.
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - startedAt) / 1000) * 48_000) - sample;
      if (due <= 0) return;
      engine.pushPcm(sineFrame(1000, (due / 48_000) * 1000, sample));
      sample += due;
    }, 20);
    try {
      const pcm = await pullPcm(origin.flvUrl('pcm_sine'), 2, 1);
      const { share, rms } = toneShare(pcm, 1000);
      expect(rms).toBeGreaterThan(0.1);
      expect(share).toBeGreaterThan(0.6);
      expect(engine.pcmStats?.rendererSamples).toBeGreaterThan(48_000);
    } finally {
      clearInterval(timer);
      await engine.stop();
    }
  });

  it('keeps streaming silence when the renderer sends no PCM at all', async () => {
    await engine.start({ url: origin.pushUrl('pcm_quiet'), role: 'small', sources: { video: { kind: 'testPattern' }, audio: { kind: 'pcm', format: 'f32le' } } });
    try {
      const pcm = await pullPcm(origin.flvUrl('pcm_quiet'), 2, 1);
      expect(pcm.length).toBeGreaterThan(48_000); // audio kept flowing: at least a second of it
      expect(toneShare(pcm, 1000).rms).toBeLessThan(0.001);
      expect(engine.pcmStats?.rendererSamples).toBe(0);
      expect(engine.pcmStats?.silenceSamples).toBeGreaterThan(48_000);
      expect(engine.state).toBe('live');
    } finally {
      await engine.stop();
    }
  });

  describe('from a media file', () => {
    let file: string;
    beforeAll(async () => {
      file = path.join(mkdtempSync(path.join(os.tmpdir(), 'engine-file-')), 'clip.mp4');
      const made = await runChild('ffmpeg', [
        '-hide_banner', '-nostdin', '-loglevel', 'error',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100',
        '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', file,
      ]);
      expect(made.code).toBe(0);
    });

    it('loops a landscape file into the portrait big-host picture with the file’s own sound resampled to 48 kHz', async () => {
      await engine.start({ url: origin.pushUrl('file_loop'), role: 'big', sources: { video: { kind: 'file', path: file }, audio: { kind: 'file' } } });
      try {
        const [streams, pcm] = await Promise.all([probeStreams(origin.flvUrl('file_loop')), pullPcm(origin.flvUrl('file_loop'), 4, 1)]);
        expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 360, height: 640 });
        expect(streams.find((s) => s.codec_type === 'audio')).toMatchObject({ sample_rate: '48000', channels: 1 });
        expect(toneShare(pcm, 1000).share).toBeGreaterThan(0.6);
        expect(engine.state).toBe('live'); // still going after the 3 s file ended once: it loops
      } finally {
        await engine.stop();
      }
    });

    it('stops with reason "ended" when a file that does not loop runs out', async () => {
      const stopped = engine.next('stopped', 30_000);
      await engine.start({ url: origin.pushUrl('file_once'), role: 'big', sources: { video: { kind: 'file', path: file, loop: false }, audio: { kind: 'file' } } });
      expect(await stopped).toEqual({ role: 'big', reason: 'ended' });
      expect(engine.state).toBe('idle');
    });
  });

  describe('with a PulseAudio null sink', () => {
    let pulse: TestPulse;
    let pulseEngine: PushEngine;
    beforeAll(async () => {
      pulse = await TestPulse.start();
      pulseEngine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg', env: pulse.env });
    });
    afterAll(async () => {
      await pulseEngine?.close();
      await pulse?.stop();
    });

    it('lists the sink monitor as a microphone and pushes what it hears', async () => {
      const devices = await pulseEngine.listDevices();
      expect(devices.microphones).toContainEqual(expect.objectContaining({ id: pulse.monitor, api: 'pulse' }));

      // Play a 1 kHz tone into the null sink; the "microphone" is its monitor.
      const player = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000', '-t', '30', '-f', 'pulse', pulse.sink], {
        stdio: 'ignore',
        env: pulse.env,
      });
      const playerExited = new Promise<void>((resolve) => player.once('exit', () => resolve()));
      try {
        await pulseEngine.start({
          url: origin.pushUrl('pulse_mic'),
          role: 'small',
          sources: { video: { kind: 'testPattern' }, audio: { kind: 'microphone', device: pulse.monitor, api: 'pulse' } },
        });
        const pcm = await pullPcm(origin.flvUrl('pulse_mic'), 2, 1);
        const { share, rms } = toneShare(pcm, 1000);
        expect(rms).toBeGreaterThan(0.05);
        expect(share).toBeGreaterThan(0.6);
      } finally {
        await pulseEngine.stop();
        if (player.pid !== undefined && player.exitCode === null) process.kill(player.pid, 'SIGKILL');
        await playerExited;
        await waitUntil(() => player.exitCode !== null || player.signalCode !== null, 5000, 'tone player exit');
      }
    });
  });
});
