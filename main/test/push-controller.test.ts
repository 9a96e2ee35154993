// Spec of the push controller (main/push/push-controller.ts) over a fake push engine port: what it
// asks the engine for (the streamer's overrides, not a merged preset), the live state it holds,
// a stop while the engine is still starting, and a push that ends under it.
import { describe, expect, it } from 'vitest';
import type { ErrorPayload } from '../../common/errors';
import type { StudioSettings } from '../../common/studio-api';
import { TypedEmitter } from '../../common/typed-emitter';
import { PushController } from '../push/push-controller';
import type { PushSession, PushSessionEvents, PushStatus, StartPushOptions, StudioEngine } from '../push/push-engine-port';
import { defaultSettings } from '../settings/default-settings';

class FakeSession implements PushSession {
  readonly events = new TypedEmitter<PushSessionEvents>();
  status: PushStatus = 'live';
  reconnectAttempt = 0;
  encoder = 'libx264';
  closes = 0;
  pushPcm(): void {}
  async close(): Promise<void> {
    this.closes += 1;
  }
}

function fakeEngine(start: (options: StartPushOptions) => Promise<PushSession>): StudioEngine & { calls: StartPushOptions[] } {
  const calls: StartPushOptions[] = [];
  return {
    calls,
    describeFfmpeg: async () => ({ path: null, version: null, error: null }),
    listSources: async () => ({ video: [], audio: [] }),
    probeEncoders: async () => ({ encoders: [], selected: null }),
    startPush: (options) => {
      calls.push(options);
      return start(options);
    },
    close: async () => undefined,
  };
}

function controller(engine: StudioEngine, settings: StudioSettings = defaultSettings(() => 'test')): PushController {
  return new PushController({ engine, now: () => 1_000, settings: () => settings, closing: () => false, audioCounters: () => ({ audioFramesIn: 7, audioFramesDropped: 1 }) });
}

describe('PushController', () => {
  it('passes the streamer’s overrides (not a merged preset) and holds the live state', async () => {
    const session = new FakeSession();
    const engine = fakeEngine(async () => session);
    const settings: StudioSettings = { ...defaultSettings(() => 'test'), encoder: { preference: 'software', overrides: { videoBitrateKbps: 1200 } }, audioProcessing: { echoCancellation: false, noiseSuppression: true, autoGainControl: true } };
    const push = controller(engine, settings);
    const statuses: string[] = [];
    push.events.on('push', ({ status }) => statuses.push(status));

    await push.start('rtmp://origin/live/code', 'big', 'code');
    expect(engine.calls[0]).toMatchObject({ url: 'rtmp://origin/live/code', role: 'big', encoder: { preference: 'software' } });
    // The engine owns the one merge with the role preset (PushEngine resolveSettings).
    expect(engine.calls[0]?.settings).toEqual({ videoBitrateKbps: 1200, enableAEC: false });
    expect(push.live).toMatchObject({ status: 'live', role: 'big', streamCode: 'code', encoder: 'libx264', startedAt: 1_000 });

    session.events.emit('stats', { fps: 15, bitrateKbps: 800, frames: 30, droppedFrames: 0, outTimeMs: 2_000, speed: 1, audioFramesIn: 0, audioFramesDropped: 0 });
    expect(push.stats).toMatchObject({ fps: 15, at: 1_000, audioFramesIn: 7, audioFramesDropped: 1 });

    await push.stop();
    expect(session.closes).toBe(1);
    expect(push.live.status).toBe('offline');
    expect(statuses).toEqual(['starting', 'live', 'stopping', 'offline']);
  });

  it('closes a push stopped while the engine was still starting it', async () => {
    const session = new FakeSession();
    let handOver: (session: PushSession) => void = () => undefined;
    const push = controller(fakeEngine(() => new Promise((resolve) => (handOver = resolve))));
    const starting = push.start('rtmp://origin/live/code', 'small', null);
    const stopping = push.stop();
    handOver(session);
    await Promise.all([starting, stopping]);
    expect(session.closes).toBe(1);
    expect(push.active).toBe(false);
    expect(push.live.status).toBe('offline');
  });

  it('goes offline with the engine’s error when the push ends under it or never starts', async () => {
    const session = new FakeSession();
    const push = controller(fakeEngine(async () => session));
    await push.start('rtmp://origin/live/code', 'big', 'code');
    const refused: ErrorPayload = { name: 'LinkMicError', code: 'PUBLISH_REFUSED', message: 'refused' };
    session.events.emit('close', { closedByUs: false, error: refused });
    expect(push.live).toMatchObject({ status: 'offline', lastError: refused });
    expect(push.active).toBe(false);

    const failing = controller(fakeEngine(() => Promise.reject(Object.assign(new Error('no ffmpeg'), { code: 'FFMPEG_NOT_FOUND' }))));
    await expect(failing.start('rtmp://origin/live/code', 'big', 'code')).rejects.toThrow('no ffmpeg');
    expect(failing.live.status).toBe('offline');
    expect(failing.live.lastError?.message).toBe('no ffmpeg');
  });
});
