// Recording through the StudioApi: a real studio live on its embedded origin records the program
// (and, with iso, a really linked guest's original stream); the files are probed with ffprobe.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../settings/secret-store';
import { probeFile } from './helpers/recording-probe';
import { startTestCore, testSettings, waitForState, type TestCore } from './studio-test-core';

describe('recording through the StudioApi', () => {
  const studios: TestCore[] = [];
  const folders: string[] = [];
  afterEach(async () => {
    for (const studio of studios.splice(0).reverse()) await studio.close();
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  async function live(options: Parameters<typeof startTestCore>[1] = {}, settings = testSettings()): Promise<{ studio: TestCore; folder: string }> {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'recording-core-'));
    folders.push(folder);
    const studio = await startTestCore(settings, options);
    studios.push(studio);
    await studio.api.setRecordingFolder({ folder });
    await studio.api.goLive();
    await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
    return { studio, folder };
  }

  it('refuses to record while not live with RECORDING_NOT_LIVE', async () => {
    const studio = await startTestCore();
    studios.push(studio);
    await expect(studio.api.startRecording()).rejects.toMatchObject({ code: 'RECORDING_NOT_LIVE' });
    expect((await studio.api.getState()).recording.status).toBe('idle');
  });

  it('records the program into the chosen folder, with size and duration in the state, and stops with the push', async () => {
    const { studio, folder } = await live();
    const started = await studio.api.startRecording();
    expect(started).toMatchObject({ status: 'recording', folder, iso: false });
    const state = await waitForState(studio.api, (s) => (s.recording.files[0]?.durationMs ?? 0) >= 2000, 'two seconds recorded');
    const file = state.recording.files[0]!;
    expect(file).toMatchObject({ role: 'program', active: true });
    expect(path.dirname(file.path)).toBe(folder);
    expect(path.basename(file.path)).toMatch(/^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_program\.mp4$/);
    expect(file.bytes).toBeGreaterThan(0);
    await studio.api.stopLive();
    const stopped = await waitForState(studio.api, (s) => s.recording.status === 'idle' && s.recording.files.every((f) => !f.active), 'recording stopped with the push');
    expect(stopped.recording.files).toHaveLength(1);
    const probed = await probeFile(file.path);
    expect(probed.durationSec).toBeGreaterThan(1);
    expect(probed.tracks).toEqual(['audio', 'video']);
  }, 90_000);

  it('refuses to start below the free-disk threshold with RECORDING_DISK_FULL', async () => {
    const { studio } = await live({ recording: { minFreeBytes: Number.MAX_SAFE_INTEGER } });
    await expect(studio.api.startRecording()).rejects.toMatchObject({ code: 'RECORDING_DISK_FULL' });
    expect((await studio.api.getState()).recording.status).toBe('idle');
  }, 60_000);

  it('refuses an unwritable recording folder with RECORDING_FOLDER_UNWRITABLE and keeps the old one', async () => {
    const studio = await startTestCore();
    studios.push(studio);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'recording-core-'));
    folders.push(folder);
    const blocker = path.join(folder, 'a-file');
    await writeFile(blocker, 'x');
    await studio.api.setRecordingFolder({ folder });
    await expect(studio.api.setRecordingFolder({ folder: path.join(blocker, 'recordings') })).rejects.toMatchObject({ code: 'RECORDING_FOLDER_UNWRITABLE' });
    expect((await studio.api.getSettings()).recording?.folder).toBe(folder);
    expect((await studio.api.getState()).recording.folder).toBe(folder);
  });

  it('records each linked guest to its own ISO file while the link lasts', async () => {
    const { studio: host } = await live({}, testSettings({ userId: 'host-a', streamCode: 'room_a' }));
    const embedded = host.embedded();
    const guest = await startTestCore(testSettings({ userId: 'guest-b', streamCode: 'guest_b', server: { kind: 'remote', httpUrl: embedded.httpUrl, userId: 'guest-b' } }), { secrets: new MemorySecretStore() });
    studios.push(guest);
    await guest.api.setServerProfile({ kind: 'remote', httpUrl: embedded.httpUrl, userId: 'guest-b', token: embedded.mintToken('guest-b') });
    await host.api.startRecording({ iso: true });
    const request = await guest.api.requestLinkMic({ roomId: 'room_a' });
    const link = await host.api.acceptLinkMic({ requestId: request.requestId });
    await waitForState(guest.api, (s) => s.live.status === 'live' && s.live.role === 'small', 'guest live as small host');
    const recorded = await waitForState(host.api, (s) => (s.recording.files.find((f) => f.role === 'guest')?.durationMs ?? 0) >= 2000, 'guest ISO recording', 60_000);
    const iso = recorded.recording.files.find((f) => f.role === 'guest')!;
    expect(iso.userId).toBe('guest-b');
    expect(path.basename(iso.path)).toMatch(/_guest-guest-b\.mp4$/);
    await host.api.kickCoHost({ linkId: link.linkId });
    await waitForState(host.api, (s) => s.recording.files.some((f) => f.role === 'guest' && !f.active), 'ISO recorder stopped with the link');
    const state = await host.api.stopRecording();
    expect(state.files.filter((f) => f.role === 'program')).toHaveLength(1);
    const probed = await probeFile(iso.path);
    expect(probed.durationSec).toBeGreaterThan(1);
    expect(probed.tracks).toEqual(['audio', 'video']);
  }, 120_000);
});
