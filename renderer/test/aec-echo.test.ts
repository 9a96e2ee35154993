// The echo path at a small scale, for real: a private PulseAudio room (speaker → 60 ms loopback →
// mic), Debian's Chromium playing a far-end voice through Web Audio on the default output, and the
// studio's MicCapture on the room's microphone. Echo must be removed with AEC on and present with
// AEC off; the capture must follow device changes without stopping its frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PulseRoom } from '../../bench/helpers/pulse-room';
import { AecPage } from '../../bench/helpers/aec-page';
import { FAR_END_TEXT, FAR_END_VOICE, NEAR_END_TEXT, NEAR_END_VOICE, readWav, synthesize } from '../../bench/helpers/speech';
import { percentileWindowDb, segmentDb } from '../../bench/helpers/audio-metrics';
import type { AecHarness } from '../aec-test/aec-harness';
import type { AudioProcessingFlags } from '../audio/audio-processing';

declare global {
  interface Window {
    aecHarness: AecHarness;
  }
}

const RAW: AudioProcessingFlags = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
const AEC: AudioProcessingFlags = { echoCancellation: true, noiseSuppression: false, autoGainControl: false };

let room: PulseRoom;
let page: AecPage;
let dir: string;
let farDb: number;
let nearDb: number;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function take(): Promise<Int16Array> {
  const got = await page.page.evaluate(() => window.aecHarness.takeFrames());
  const buf = Buffer.from(got.base64, 'base64');
  return new Int16Array(buf.buffer, buf.byteOffset, buf.length / 2);
}

const seconds = (samples: Int16Array) => samples.length / 48_000;

/**
 * Captures with `flags` while the far end plays; returns the median 100 ms level after the first
 * 2 s (AEC converging). The median, not the energy average: on 2 shared cores a CPU stall can make
 * the canceller re-converge for a moment, which says nothing about whether it cancels.
 */
async function echoLevel(flags: AudioProcessingFlags): Promise<{ level: number; report: Awaited<ReturnType<AecHarness['startCapture']>> }> {
  const report = await page.page.evaluate((f) => window.aecHarness.startCapture({ processing: f }), flags);
  await sleep(300);
  await take();
  const duration = await page.page.evaluate(() => window.aecHarness.playFarEnd('/far.wav'));
  await sleep(duration * 1000 + 300);
  const samples = await take();
  await page.page.evaluate(() => window.aecHarness.stopFarEnd());
  return { level: percentileWindowDb(samples, 2, Math.min(seconds(samples), duration)), report };
}

/** Plays the near-end voice into the room and returns the captured level. */
async function nearLevel(): Promise<number> {
  await take();
  await room.play(join(dir, 'near.wav')).done;
  await sleep(200);
  const samples = await take();
  return segmentDb(samples, 0, seconds(samples));
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(100);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aec-test-'));
  const far = await synthesize(dir, 'far', FAR_END_TEXT, FAR_END_VOICE, 7);
  const near = await synthesize(dir, 'near', NEAR_END_TEXT, NEAR_END_VOICE, 3);
  const farSamples = (await readWav(far)).samples;
  farDb = percentileWindowDb(farSamples, 2, seconds(farSamples));
  nearDb = segmentDb((await readWav(near)).samples, 0, 3);
  room = await PulseRoom.start({ echoDelayMs: 60 });
  page = await AecPage.open(room, { '/far.wav': far });
}, 60_000);

afterAll(async () => {
  await page?.close();
  await room?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('echo cancellation in the studio mic capture (PulseAudio room, Chromium)', () => {
  let offLevel: number;

  it('with AEC off, the co-host comes back through the mic at about the level it was played', async () => {
    const { level, report } = await echoLevel(RAW);
    await page.page.evaluate(() => window.aecHarness.stopCapture());
    offLevel = level;
    expect(report?.active).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    expect(level).toBeGreaterThan(farDb - 6);
    expect(level).toBeLessThan(farDb + 6);
  });

  it('with AEC on, the echo is removed (> 20 dB more than with AEC off) and the near-end voice still passes', async () => {
    const { level, report } = await echoLevel(AEC);
    expect(report?.active.echoCancellation).toBe(true);
    expect(report?.mismatched).toEqual([]);
    expect(offLevel - level).toBeGreaterThan(20);
    const near = await nearLevel();
    expect(near).toBeGreaterThan(nearDb - 10);
    await page.page.evaluate(() => window.aecHarness.stopCapture());
  });

  it('switches processing off while capturing (enableAEC off), reports what is really active, and keeps the frames coming', async () => {
    await page.page.evaluate((f) => window.aecHarness.startCapture({ processing: f }), AEC);
    const before = (await page.page.evaluate(() => window.aecHarness.status())).framesDelivered;
    const report = await page.page.evaluate((f) => window.aecHarness.setProcessing(f), RAW);
    expect(report?.requested).toEqual(RAW);
    expect(report?.active).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    const status = await page.page.evaluate(() => window.aecHarness.status());
    expect(status.deviceChanges.at(-1)?.kind).toBe('switched');
    expect(status.reports.at(-1)?.active.echoCancellation).toBe(false);
    await waitFor(async () => (await page.page.evaluate(() => window.aecHarness.status())).framesDelivered > before + 10);
    await page.page.evaluate(() => window.aecHarness.stopCapture());
  });

  it('falls back to the default microphone when the chosen one is unplugged, and frames keep flowing', async () => {
    const module = await room.addMicrophone('mic2', 'HeadsetMic');
    await waitFor(async () => (await page.page.evaluate(() => window.aecHarness.inputs())).some((d) => d.label === 'HeadsetMic'));
    const inputs = await page.page.evaluate(() => window.aecHarness.inputs());
    const headset = inputs.find((d) => d.label === 'HeadsetMic')!;
    const report = await page.page.evaluate((id) => window.aecHarness.startCapture({ processing: { echoCancellation: true, noiseSuppression: false, autoGainControl: false }, deviceId: id }), headset.deviceId);
    expect(report?.label).toBe('HeadsetMic');
    expect(report?.isDefaultDevice).toBe(false);
    const before = (await page.page.evaluate(() => window.aecHarness.status())).framesDelivered;

    await room.unloadModule(module);
    await waitFor(async () => (await page.page.evaluate(() => window.aecHarness.status())).deviceChanges.some((c) => c.kind === 'fallback'));
    const status = await page.page.evaluate(() => window.aecHarness.status());
    const fallback = status.deviceChanges.find((c) => c.kind === 'fallback');
    expect(fallback && fallback.kind === 'fallback' && fallback.report.isDefaultDevice).toBe(true);
    expect(status.state).toBe('capturing');
    expect(status.framesDelivered).toBeGreaterThan(before);
    // The fallback microphone really captures the room.
    expect(await nearLevel()).toBeGreaterThan(nearDb - 10);
    await page.page.evaluate(() => window.aecHarness.stopCapture());
  });

  it('follows the system default when it changes and the old default disappears', async () => {
    await page.page.evaluate(() => window.aecHarness.startCapture({ processing: { echoCancellation: true, noiseSuppression: false, autoGainControl: false } }));
    const changesBefore = (await page.page.evaluate(() => window.aecHarness.status())).deviceChanges.length;
    await room.addMicrophone('mic3', 'DockMic');
    await room.pactl('set-default-source', 'mic3');
    await room.unloadModule(await room.moduleOfSource('mic'));
    await waitFor(async () => {
      const s = await page.page.evaluate(() => window.aecHarness.status());
      return s.state === 'capturing' && s.deviceChanges.length > changesBefore && s.reports.at(-1)?.deviceId !== undefined;
    });
    const frames = (await page.page.evaluate(() => window.aecHarness.status())).framesDelivered;
    const near = await nearLevel();
    const status = await page.page.evaluate(() => window.aecHarness.status());
    expect(status.deviceChanges.slice(changesBefore).map((c) => c.kind)).toEqual(expect.arrayContaining([expect.stringMatching(/followed-default|recovered|fallback/)]));
    expect(status.framesDelivered).toBeGreaterThan(frames);
    expect(near).toBeGreaterThan(nearDb - 10);
    await page.page.evaluate(() => window.aecHarness.stopCapture());
  });
});
