// Connection loss and refusals: the engine reconnects by itself when the origin restarts, and stops
// with the server's reason (never looping) when the origin refuses the publish.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushEngine } from '../engine/push-engine';
import { TestOrigin } from './helpers/engine-origin';
import { isAlive, probeStreams } from './helpers/engine-media';

const SOURCES = { video: { kind: 'testPattern' as const }, audio: { kind: 'tone' as const } };

describe('push engine reconnects and refusals', () => {
  let origin: TestOrigin;

  beforeAll(async () => {
    origin = await TestOrigin.start();
  });

  afterAll(async () => {
    await origin?.close();
  });

  it('reconnects by itself when the origin restarts mid-push, and says so', async () => {
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg', backoff: { initialMs: 300, maxMs: 1000 } });
    const events: string[] = [];
    engine.on('reconnecting', (e) => events.push(`reconnecting ${e.attempt}`));
    engine.on('reconnected', (e) => events.push(`reconnected ${e.attempt}`));
    try {
      await engine.start({ url: origin.pushUrl('survivor'), role: 'big', sources: SOURCES });
      const firstPid = engine.pushPid as number;
      const reconnected = engine.next('reconnected', 30_000);
      await origin.restart(1200); // down long enough that at least one attempt meets a closed port
      const event = await reconnected;
      expect(event.attempt).toBeGreaterThanOrEqual(1);
      expect(events[0]).toBe('reconnecting 1');
      expect(events[events.length - 1]).toMatch(/^reconnected /);
      expect(engine.state).toBe('live');
      expect(engine.stats?.reconnects).toBe(1);
      expect(isAlive(firstPid)).toBe(false);
      // The restarted origin carries the stream again.
      expect(origin.live.getStream('survivor')).toBeDefined();
      const video = (await probeStreams(origin.flvUrl('survivor'))).find((s) => s.codec_type === 'video');
      expect(video).toMatchObject({ width: 360, height: 640 });
    } finally {
      await engine.close();
    }
  });

  it('stops with the server reason when the signature is forged, without retrying', async () => {
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
    let reconnecting = 0;
    engine.on('reconnecting', () => (reconnecting += 1));
    const stopped = engine.next('stopped');
    try {
      await expect(engine.start({ url: origin.pushUrl('forged', { key: 'not-the-key' }), role: 'big', sources: SOURCES })).rejects.toMatchObject({
        code: 'PUBLISH_REFUSED',
        message: expect.stringContaining('SIGNATURE_INVALID'),
      });
      const event = await stopped;
      expect(event.reason).toBe('refused');
      expect(event.error).toMatchObject({ code: 'PUBLISH_REFUSED' });
      expect(reconnecting).toBe(0);
      expect(engine.state).toBe('idle');
    } finally {
      await engine.close();
    }
  });

  it('stops with STREAM_CODE_TAKEN when another publisher already holds the stream code', async () => {
    const holder = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
    const intruder = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg' });
    try {
      await holder.start({ url: origin.pushUrl('occupied'), role: 'big', sources: SOURCES });
      await expect(intruder.start({ url: origin.pushUrl('occupied', { layer: 's' }), role: 'small', sources: SOURCES })).rejects.toMatchObject({
        code: 'PUBLISH_REFUSED',
        message: expect.stringContaining('STREAM_CODE_TAKEN'),
      });
      expect(holder.state).toBe('live'); // the refusal did not disturb the holder
    } finally {
      await intruder.close();
      await holder.close();
    }
  });

  it('treats repeated failures before any frame, with the server reachable, as a refusal', async () => {
    // A TCP server that accepts and hangs up at once: reachable, but never takes a frame.
    const sockets = new Set<net.Socket>();
    const rude = net.createServer((socket) => {
      sockets.add(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
    const port = (rude.address() as net.AddressInfo).port;
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg', backoff: { initialMs: 100, maxMs: 200 }, refusalAfter: 3 });
    let attempts = 0;
    engine.on('reconnecting', () => (attempts += 1));
    try {
      await expect(engine.start({ url: `rtmp://127.0.0.1:${port}/live/nobody`, role: 'big', sources: SOURCES })).rejects.toMatchObject({
        code: 'PUBLISH_REFUSED',
        message: expect.stringContaining('refused the publish 3 times'),
      });
      expect(attempts).toBe(2);
    } finally {
      await engine.close();
      await new Promise((resolve) => rude.close(resolve));
    }
  });

  it('gives up with SERVER_UNREACHABLE when nothing listens at the push address', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve)); // now nothing listens there
    const engine = await PushEngine.create({ ffmpegPath: '/usr/bin/ffmpeg', backoff: { initialMs: 100, maxMs: 200, maxInitialAttempts: 2 } });
    try {
      await expect(engine.start({ url: `rtmp://127.0.0.1:${port}/live/void`, role: 'big', sources: SOURCES })).rejects.toMatchObject({
        code: 'SERVER_UNREACHABLE',
      });
    } finally {
      await engine.close();
    }
  });
});
