// Real ffmpeg pushing and pulling through the real origin on 127.0.0.1 ephemeral ports.
import { afterEach, describe, expect, it } from 'vitest';
import { BIG_HOST_PRESET, SMALL_HOST_PRESET, buildPushUrl, sign } from '../../common';
import type { LinkMicServer } from '../link-mic-server';
import { HttpFlvPlayer, WsFlvPlayer, type FlvTag } from './helpers/flv-reader';
import { probeVideo, startFfmpegPush, startTestServer, TEST_KEY, waitFor, type Child } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';

describe('origin with real ffmpeg', () => {
  let server: LinkMicServer | undefined;
  const children: Child[] = [];
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await server?.close();
    server = undefined;
  });

  function push(url: string, preset = BIG_HOST_PRESET): Child {
    const child = startFfmpegPush(url, preset);
    children.push(child);
    return child;
  }

  it('accepts a signed push and serves it over RTMP, HTTP-FLV and WS-FLV at the big host preset size', async () => {
    server = await startTestServer();
    const published = server.events.next('publish', 30_000);
    push(server.urls.pushUrl('bighost', { sessionId: 1234, layer: 'b', templateId: 1 }));
    const event = await published;
    expect(event).toMatchObject({ streamCode: 'bighost', sessionId: 1234, layer: 'b', templateId: 1, protocol: 'rtmp' });

    const links = server.urls.linkPlayUrls('bighost', 1234);
    expect(await probeVideo(links.httpFlv)).toEqual({ codec: 'h264', width: BIG_HOST_PRESET.width, height: BIG_HOST_PRESET.height });
    expect(await probeVideo(links.rtmp)).toEqual({ codec: 'h264', width: BIG_HOST_PRESET.width, height: BIG_HOST_PRESET.height });

    const ws = new WsFlvPlayer(links.wsFlv);
    closers.push(() => ws.close());
    expect(await ws.opened).toBe(true);
    await ws.waitForMediaTags(10);

    const body = (await (await fetch(`${server.httpUrl}/api/streams`)).json()) as { streams: Array<Record<string, unknown>> };
    // (With t_id the server-side mixer may add its own output stream alongside.)
    expect(body.streams.find((stream) => stream.code === 'bighost')).toEqual(
      expect.objectContaining({ session_id: 1234, layer: 'b', t_id: 1, link_count: 1, video: { width: 360, height: 640, fps: 15 } }),
    );
    expect(await (await fetch(`${server.httpUrl}/healthz`)).json()).toMatchObject({ ok: true });
  });

  it('refuses forged, expired and unsigned pushes with an RTMP error ffmpeg reports, and counts each reason', async () => {
    server = await startTestServer();
    const rtmpHost = server.endpoint.rtmpHost;
    const now = Math.floor(Date.now() / 1000);
    const forged = buildPushUrl({ rtmpHost, streamCode: 'forged', signature: { ...sign(TEST_KEY, 'forged', now + 600), txSecret: 'f'.repeat(32) } });
    const expired = buildPushUrl({ rtmpHost, streamCode: 'expired', signature: sign(TEST_KEY, 'expired', now - 60) });
    const unsigned = buildPushUrl({ rtmpHost, streamCode: 'unsigned', mix: { sessionId: 77 } });
    const wrongKey = buildPushUrl({ rtmpHost, streamCode: 'wrongkey', signature: sign('another-key', 'wrongkey', now + 600) });
    const pushes = [push(forged, SMALL_HOST_PRESET), push(expired, SMALL_HOST_PRESET), push(unsigned, SMALL_HOST_PRESET), push(wrongKey, SMALL_HOST_PRESET)];
    const exits = await Promise.all(pushes.map((child) => child.exited));

    for (const exit of exits) expect(exit.code).not.toBe(0);
    expect(pushes[0]!.stderr).toContain('SIGNATURE_INVALID');
    expect(pushes[1]!.stderr).toContain('SIGNATURE_EXPIRED');
    expect(pushes[2]!.stderr).toContain('SIGNATURE_MISSING');
    expect(pushes[3]!.stderr).toContain('SIGNATURE_INVALID');
    const stats = (await (await fetch(`${server.httpUrl}/api/stats`)).json()) as { publishRefused: Record<string, number>; publishAccepted: number };
    expect(stats.publishRefused).toEqual({ SIGNATURE_INVALID: 2, SIGNATURE_EXPIRED: 1, SIGNATURE_MISSING: 1 });
    expect(stats.publishAccepted).toBe(0);
    expect(server.listStreams()).toEqual([]);
  });

  it('drops a frozen ffmpeg (SIGSTOP) that holds its connection open, and frees its stream code', async () => {
    server = await startTestServer({ publisherIdleTimeoutMs: 1500 });
    const published = server.events.next('publish', 30_000);
    const ffmpeg = push(server.urls.pushUrl('frozenff', { sessionId: 8 }), SMALL_HOST_PRESET);
    await published;
    const unpublished = server.events.next('unpublish', 20_000);
    ffmpeg.process.kill('SIGSTOP');
    expect(await unpublished).toMatchObject({ streamCode: 'frozenff', reason: 'timeout' });
    expect(server.listStreams()).toEqual([]);
    await ffmpeg.stop(); // SIGCONT + SIGTERM, awaited
  });

  it('refuses a second publish of a live stream code while the first keeps flowing with monotonic timestamps', async () => {
    server = await startTestServer();
    const published = server.events.next('publish', 30_000);
    push(server.urls.pushUrl('dup', { sessionId: 555, layer: 'b' }));
    const first = await published;

    const tags: FlvTag[] = [];
    const player = new HttpFlvPlayer(server.urls.audienceUrl('dup'), { onTag: (tag) => tags.push(tag) });
    closers.push(() => player.close());
    expect(await player.response).toBe(200);
    await player.waitForMediaTags(20);

    // A second ffmpeg with a valid signature for the same code…
    const second = push(server.urls.pushUrl('dup', { sessionId: 555, layer: 's' }), SMALL_HOST_PRESET);
    // …and a raw encoder that ignores the refusal and keeps writing frames stamped from 0.
    const raw = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort, ignoreFin: true });
    closers.push(() => raw.destroy());
    await raw.open();
    const { txSecret, txTime } = server.urls.signature('dup');
    const status = await raw.publish(`dup?txSecret=${txSecret}&txTime=${txTime}`);
    expect(status).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
    expect(status.description).toContain('STREAM_CODE_TAKEN');
    for (let i = 0; i < 50 && raw.sendVideo(i * 10, i % 10 === 0, Buffer.alloc(2000, 7)); i++) await new Promise((resolve) => setTimeout(resolve, 5));

    const secondExit = await second.exited;
    expect(secondExit.code).not.toBe(0);
    expect(second.stderr).toContain('STREAM_CODE_TAKEN');
    await waitFor(() => raw.closed, 'the refused raw publisher to be disconnected');

    const before = player.mediaTags;
    await player.waitForMediaTags(before + 30);
    expect(player.closed).toBe(false);
    const video = tags.filter((tag) => tag.type === 9).map((tag) => tag.timestamp);
    const audio = tags.filter((tag) => tag.type === 8).map((tag) => tag.timestamp);
    for (const series of [video, audio]) {
      for (let i = 1; i < series.length; i++) expect(series[i]!).toBeGreaterThanOrEqual(series[i - 1]!);
    }
    // Nothing from the refused raw publisher (its payload is bytes of 7) reached the player.
    expect(tags.some((tag) => tag.type === 9 && tag.data.length === 2005 && tag.data[5] === 7)).toBe(false);
    expect(server.listStreams()).toEqual([expect.objectContaining({ streamCode: 'dup', sessionKey: first.sessionKey, layer: 'b' })]);
    expect(server.stats().publishRefused).toEqual({ STREAM_CODE_TAKEN: 2 });
  });
});
