// Audio from the renderer over the pipe stays in step with video from a capture device: a white
// flash on the X screen and a beep pushed as PCM at the same moment arrive at the same stream time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushEngine } from '../engine/push-engine';
import { TestOrigin } from './helpers/engine-origin';
import { runChild, sineFrame } from './helpers/engine-media';
import { TestXvfb } from './helpers/engine-xvfb';

/** Stream-time (s) of the first video frame well above black and of the first loud audio frame. */
async function onsets(url: string, seconds: number): Promise<{ video?: number; audio?: number }> {
  const result = await runChild('ffmpeg', [
    '-hide_banner', '-nostdin', '-rw_timeout', '10000000', '-copyts', '-i', url, '-t', String(seconds),
    '-filter_complex', '[0:v]signalstats,metadata=print:key=lavfi.signalstats.YAVG[v];[0:a]astats=metadata=1:reset=1,ametadata=print:key=lavfi.astats.Overall.RMS_level[a]',
    '-map', '[v]', '-map', '[a]', '-f', 'null', '-',
  ], 60_000);
  let pts = NaN;
  const found: { video?: number; audio?: number } = {};
  for (const line of result.stderr.split('\n')) {
    const frame = /pts_time:([\d.]+)/.exec(line);
    if (frame) pts = Number(frame[1]);
    const yavg = /lavfi\.signalstats\.YAVG=([\d.]+)/.exec(line);
    if (yavg && found.video === undefined && Number(yavg[1]) > 60) found.video = pts; // black 16, white (letterboxed) ~125
    const rms = /lavfi\.astats\.Overall\.RMS_level=(-?[\d.]+|-inf)/.exec(line);
    if (rms && found.audio === undefined && rms[1] !== '-inf' && Number(rms[1]) > -30) found.audio = pts;
  }
  return found;
}

describe('audio/video sync', () => {
  let origin: TestOrigin;
  let xvfb: TestXvfb;
  let engine: PushEngine;
  beforeAll(async () => {
    [origin, xvfb] = await Promise.all([TestOrigin.start(), TestXvfb.start(320, 240)]);
    engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
  });
  afterAll(async () => {
    await engine?.close();
    await xvfb?.stop();
    await origin?.close();
  });

  it('puts a beep sent as renderer PCM and a flash captured from the screen at the same moment within a frame or two of each other', async () => {
    const env = { ...process.env, DISPLAY: xvfb.display };
    expect((await runChild('xsetroot', ['-solid', 'black'], 10_000, env)).code).toBe(0);
    await engine.start({ url: origin.pushUrl('sync'), role: 'small', sources: { video: { kind: 'screen', display: xvfb.display }, audio: { kind: 'pcm', format: 's16le' } } });
    try {
      const pull = onsets(origin.flvUrl('sync'), 7);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      // The moment: the screen turns white (xsetroot has returned), and the renderer starts a 1 kHz beep.
      expect((await runChild('xsetroot', ['-solid', 'white'], 10_000, env)).code).toBe(0);
      let sample = 0;
      const started = performance.now();
      const beep = setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * 48_000) - sample;
        if (due > 0) engine.pushPcm(sineFrame(1000, (due / 48_000) * 1000, sample));
        sample += Math.max(0, due);
      }, 10);
      engine.pushPcm(sineFrame(1000, 40, 0)); // the first frame right away
      sample = 1920;
      const { video, audio } = await pull;
      clearInterval(beep);
      expect(video).toBeDefined();
      expect(audio).toBeDefined();
      // Video is sampled every 67 ms (15 fps) and the renderer path has a 40 ms jitter buffer: in
      // sync means within about two frames. Timelines started apart (ffmpeg probing the device's
      // frame rate while the audio clock waits) put them about a second apart.
      expect(Math.abs((audio as number) - (video as number))).toBeLessThan(0.15);
    } finally {
      await engine.stop();
    }
  });
});
