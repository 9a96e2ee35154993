// StudioCore on the real parts: the embedded LinkMicServer, the SignalClient and the push engine
// pushing ffmpeg's test pattern.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkMicError } from '../../common/errors';
import { childFfmpegPids, nextEvent, startTestCore, waitForState, type TestCore } from './studio-test-core';

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('StudioCore with the embedded server', () => {
  let studio: TestCore | undefined;
  afterEach(async () => {
    await studio?.close();
    studio = undefined;
  });

  it('starts the embedded server on 127.0.0.1 and signs in', async () => {
    studio = await startTestCore();
    const state = await studio.api.getState();
    expect(state.server).toMatchObject({ kind: 'embedded', status: 'running', signal: 'connected' });
    expect(state.server.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(state.server.rtmpUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+$/);
    expect(state.live.status).toBe('offline');
  });

  it('goes live as big host with the test pattern, and the origin sees the stream with its session_id', async () => {
    studio = await startTestCore();
    const settings = await studio.api.getSettings();
    await studio.api.goLive();
    const state = await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
    expect(state.live).toMatchObject({ role: 'big', streamCode: settings.streamCode });
    expect(state.room?.streamCode).toBe(settings.streamCode);
    const stream = studio.embedded().server.getStream(settings.streamCode);
    expect(stream?.sessionId).toBe(state.room?.sessionId);
    await nextEvent(studio.api, 'stats', (s) => s.frames > 0);
    expect((await studio.api.getState()).stats?.frames).toBeGreaterThan(0);
    const stopped = await studio.api.stopLive();
    expect(stopped.status).toBe('offline');
    expect(childFfmpegPids({ pushOnly: true })).toEqual([]);
  });

  it('refuses to go live twice with INVALID_STATE', async () => {
    studio = await startTestCore();
    await studio.api.goLive();
    await expect(studio.api.goLive()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('leaves no ffmpeg and no listening server after close()', async () => {
    studio = await startTestCore();
    await studio.api.goLive();
    await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
    const embedded = studio.embedded();
    expect(childFfmpegPids({ pushOnly: true })).toHaveLength(1);
    await studio.close();
    studio = undefined;
    expect(childFfmpegPids()).toEqual([]);
    expect(embedded.server.running).toBe(false);
    expect(await portAccepts(Number(new URL(embedded.httpUrl).port))).toBe(false);
    expect(await portAccepts(Number(embedded.rtmpUrl.split(':').pop()))).toBe(false);
  });

  it('answers calls after close() with INVALID_STATE', async () => {
    studio = await startTestCore();
    await studio.core.close();
    const result = await studio.core.invoke('getState', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    await expect(studio.api.getState()).rejects.toBeInstanceOf(LinkMicError);
  });
});

describe('StudioCore stopping a push that is still starting', () => {
  it('stops it once the engine hands it over, leaving no ffmpeg', async () => {
    const studio = await startTestCore();
    try {
      const going = studio.api.goLive();
      const stopped = await waitForState(studio.api, (s) => s.live.status === 'starting', 'starting').then(() => studio.api.stopLive());
      await going.catch(() => undefined);
      expect(stopped.status).toBe('offline');
      expect((await studio.api.getState()).live.status).toBe('offline');
      expect(childFfmpegPids({ pushOnly: true })).toEqual([]);
    } finally {
      await studio.close();
    }
  });
});

describe('StudioCore changing sources while live', () => {
  it('restarts the push with the new sources and stays live', async () => {
    const studio = await startTestCore();
    try {
      await studio.api.goLive();
      await waitForState(studio.api, (s) => s.live.status === 'live', 'live');
      const before = childFfmpegPids({ pushOnly: true });
      await studio.api.setSources({ video: { kind: 'test-pattern' }, audio: { kind: 'none' } });
      const state = await waitForState(studio.api, (s) => s.live.status === 'live', 'live again');
      expect(state.sources.audio).toEqual({ kind: 'none' });
      const after = childFfmpegPids({ pushOnly: true });
      expect(after).toHaveLength(1);
      expect(after).not.toEqual(before);
    } finally {
      await studio.close();
    }
  });
});
