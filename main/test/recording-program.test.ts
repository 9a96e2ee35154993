// Recording the program: a real studio goes live on its embedded origin (ffmpeg test pattern +
// tone), the recorder pulls the pushed stream back into a fragmented MP4, and ffprobe reads it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreeSpace, assertWritableFolder, freshFilePath, localStamp } from '../recording/recording-files';
import { StreamRecorder } from '../recording/stream-recorder';
import { probeFile } from './helpers/recording-probe';
import { startTestCore, waitForState, type TestCore } from './studio-test-core';

function until<T>(recorder: StreamRecorder, event: 'progress' | 'close', predicate: (payload: never) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), 30_000);
    const subscription = recorder.events.on(event, (payload) => {
      if (!predicate(payload as never)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(payload as T);
    });
  });
}

describe('recording the program', () => {
  let studio: TestCore;
  let folder: string;
  let url: string;
  let ffmpegPath: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'recording-'));
    studio = await startTestCore();
    await studio.api.goLive();
    const state = await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
    url = state.room!.audienceUrls[state.room!.streamCode]!;
    ffmpegPath = state.ffmpeg.path!;
  }, 60_000);

  afterAll(async () => {
    await studio?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('records the pushed stream to an MP4 with video and audio that ffprobe reads', async () => {
    const file = await freshFilePath(folder, localStamp(Date.now()), 'program');
    const recorder = new StreamRecorder({ ffmpegPath, url, file, role: 'program' });
    await recorder.start();
    await until(recorder, 'progress', (p: { durationMs: number }) => p.durationMs >= 2000);
    await recorder.close();
    expect(recorder.bytes).toBeGreaterThan(0);
    const probed = await probeFile(file);
    expect(probed.durationSec).toBeGreaterThan(1);
    expect(probed.tracks).toEqual(['audio', 'video']);
  }, 60_000);

  it('leaves a playable file when the recorder ffmpeg is killed with SIGKILL', async () => {
    const file = await freshFilePath(folder, localStamp(Date.now()), 'program-killed');
    const recorder = new StreamRecorder({ ffmpegPath, url, file, role: 'program' });
    await recorder.start();
    await until(recorder, 'progress', (p: { durationMs: number }) => p.durationMs >= 3000);
    const closed = until<{ closedByUs: boolean; error: { code: string } | null }>(recorder, 'close', () => true);
    process.kill(recorder.pid!, 'SIGKILL');
    const ending = await closed;
    expect(ending.closedByUs).toBe(false);
    expect(ending.error?.code).toBe('RECORDING_FAILED');
    const probed = await probeFile(file);
    expect(probed.durationSec).toBeGreaterThan(1);
    expect(probed.tracks).toEqual(['audio', 'video']);
  }, 60_000);

  it('never overwrites: a taken name gets a -2 suffix', async () => {
    const stamp = localStamp(Date.now());
    const first = await freshFilePath(folder, stamp, 'program');
    await writeFile(first, 'taken');
    const second = await freshFilePath(folder, stamp, 'program');
    expect(second).not.toBe(first);
    expect(path.basename(second)).toMatch(/_program-2\.mp4$/);
  });

  it('refuses to record below the free-disk threshold with RECORDING_DISK_FULL', async () => {
    await expect(assertFreeSpace(folder, Number.MAX_SAFE_INTEGER)).rejects.toMatchObject({ code: 'RECORDING_DISK_FULL' });
    await expect(assertFreeSpace(folder, 1)).resolves.toBeGreaterThan(0);
  });

  it('refuses a folder that cannot be written with RECORDING_FOLDER_UNWRITABLE', async () => {
    const file = path.join(folder, 'a-file');
    await writeFile(file, 'x');
    await expect(assertWritableFolder(path.join(file, 'recordings'))).rejects.toMatchObject({ code: 'RECORDING_FOLDER_UNWRITABLE' });
    await expect(assertWritableFolder('relative/folder')).rejects.toMatchObject({ code: 'RECORDING_FOLDER_UNWRITABLE' });
    await expect(assertWritableFolder(path.join(folder, 'new', 'nested'))).resolves.toBeUndefined();
  });
});
