// The encoder probe really runs trial encodes: here (no GPU) it picks libx264 and records why each
// hardware encoder was rejected, in ffmpeg's own words. Also the `engine:probe` diagnostic.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectEncoder } from '../engine/encoder-probe';
import { locateFfmpeg, type FfmpegInfo } from '../engine/ffmpeg-locator';
import { silentLogger } from '../../node/logger';
import { PushEngine } from '../engine/push-engine';
import { runChild } from './helpers/engine-media';

describe('encoder probe', () => {
  let ffmpeg: FfmpegInfo;
  beforeAll(async () => {
    ffmpeg = await locateFfmpeg({ userPath: '/usr/bin/ffmpeg' }, silentLogger());
  });

  it('picks libx264 on this GPU-less machine and records why nvenc and vaapi were rejected', async () => {
    const selection = await selectEncoder(ffmpeg, silentLogger(), { platform: 'linux' });
    expect(selection).toMatchObject({ encoder: 'libx264', hardware: false, why: 'no hardware encoder passed a trial encode' });
    expect(selection.trials.map((t) => t.encoder)).toEqual(['h264_nvenc', 'h264_vaapi', 'h264_qsv', 'libx264']);
    const nvenc = selection.trials.find((t) => t.encoder === 'h264_nvenc');
    const vaapi = selection.trials.find((t) => t.encoder === 'h264_vaapi');
    // Listed by `ffmpeg -encoders`, so these are real trial failures, not "not built in".
    expect(ffmpeg.encoders).toEqual(expect.arrayContaining(['h264_nvenc', 'h264_vaapi']));
    expect(nvenc).toMatchObject({ ok: false, reason: expect.stringMatching(/libcuda|CUDA|nvenc|NVENC/) });
    expect(vaapi).toMatchObject({ ok: false, reason: expect.stringMatching(/VA|vaapi|renderD128|device/i) });
    expect(nvenc?.reason).not.toMatch(/not built/);
    expect(selection.trials[selection.trials.length - 1]).toEqual({ encoder: 'libx264', ok: true });
  });

  it('tries the Windows and macOS encoders in their OS order and says when they are not built in', async () => {
    const windows = await selectEncoder(ffmpeg, silentLogger(), { platform: 'win32' });
    expect(windows.trials.map((t) => t.encoder)).toEqual(['h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_mf', 'libx264']);
    expect(windows.trials.find((t) => t.encoder === 'h264_amf')?.reason).toMatch(/^not built into this ffmpeg/);
    const mac = await selectEncoder(ffmpeg, silentLogger(), { platform: 'darwin' });
    expect(mac.trials.map((t) => t.encoder)).toEqual(['h264_videotoolbox', 'libx264']);
  });

  it('skips hardware when hardware encoding is off, and says so', async () => {
    const selection = await selectEncoder(ffmpeg, silentLogger(), { hardware: false });
    expect(selection).toMatchObject({ encoder: 'libx264', why: 'hardware encoding is turned off', trials: [{ encoder: 'libx264', ok: true }] });
  });

  it('falls back to libx264 when the encoder chosen in Settings fails its trial, keeping the reason', async () => {
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
    const announced = engine.next('encoder');
    const selection = await engine.selectEncoder('h264_nvenc');
    expect(selection.encoder).toBe('libx264');
    expect(selection.why).toMatch(/h264_nvenc was chosen in Settings but failed/);
    expect(selection.trials[0]).toMatchObject({ encoder: 'h264_nvenc', ok: false });
    expect(await announced).toBe(selection);
    expect(await engine.selectEncoder('h264_nvenc')).toBe(selection); // probed once
    await engine.close();
  });
});

describe('npm run engine:probe', () => {
  const cli = path.join(import.meta.dirname, '..', 'engine', 'probe-cli.ts');

  it('prints the ffmpeg, its version, the sources and the encoder it would pick with reasons, as JSON', async () => {
    const result = await runChild(process.execPath, ['--import', 'tsx', cli, '--ffmpeg', '/usr/bin/ffmpeg'], 60_000);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.toString('utf8'));
    expect(report.ffmpeg).toMatchObject({ path: '/usr/bin/ffmpeg', origin: 'setting', version: expect.stringMatching(/^\d/) });
    expect(report.sources.video).toContain('testPattern');
    expect(report.sources.audio[0]).toMatch(/^pcm/);
    expect(report.encoder.encoder).toBe('libx264');
    expect(report.encoder.trials.find((t: { encoder: string }) => t.encoder === 'h264_nvenc').reason).toBeTruthy();
  });

  it('reports a missing ffmpeg as FFMPEG_NOT_FOUND with what to do, and exits 1', async () => {
    const result = await runChild(process.execPath, ['--import', 'tsx', cli, '--ffmpeg', '/nonexistent/ffmpeg'], 60_000);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout.toString('utf8'));
    expect(report).toMatchObject({ ok: false, error: { code: 'FFMPEG_NOT_FOUND', message: expect.stringMatching(/Settings/) } });
  });
});
