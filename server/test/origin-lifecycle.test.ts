// Lifecycle and robustness of the embedded origin (pitfalls 1-4, 6-8) and the shared HTTP port.
import net from 'node:net';
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LinkMicError } from '../../common';
import { LinkMicServer } from '../link-mic-server';
import { Context } from '../origin/nms-bridge';
import type { StopEvent, UnpublishEvent } from '../origin/origin-types';
import { HttpFlvPlayer, WsFlvPlayer, type FlvTag } from './helpers/flv-reader';
import { startTestServer, waitFor } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';

function countResources(): { TCPServerWrap: number; TCPSocketWrap: number; Timeout: number } {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return { TCPServerWrap: counts.TCPServerWrap ?? 0, TCPSocketWrap: counts.TCPSocketWrap ?? 0, Timeout: counts.Timeout ?? 0 };
}

describe('origin lifecycle', () => {
  const servers: LinkMicServer[] = [];
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(options: ConstructorParameters<typeof LinkMicServer>[0] = {}): Promise<LinkMicServer> {
    const server = await startTestServer(options);
    servers.push(server);
    return server;
  }

  async function publisher(server: LinkMicServer, code: string, options: { ignoreFin?: boolean } = {}): Promise<RawRtmpClient> {
    const client = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort, ...options });
    closers.push(() => client.destroy());
    await client.open();
    const { txSecret, txTime } = server.urls.signature(code);
    const status = await client.publish(`${code}?txSecret=${txSecret}&txTime=${txTime}`);
    expect(status.code).toBe('NetStream.Publish.Start');
    client.sendMetadata({ width: 360, height: 640 });
    client.sendVideoHeader();
    client.sendAudioHeader();
    return client;
  }

  it('rejects start with PORT_IN_USE on a port clash, without exiting, and frees what it had opened', async () => {
    const first = await start();
    expect(first.rtmpPort).toBeGreaterThan(0);
    expect(first.httpPort).toBeGreaterThan(0);
    expect(first.rtmpPort).not.toBe(first.httpPort);

    const rtmpClash = new LinkMicServer({ host: '127.0.0.1', rtmpPort: first.rtmpPort, httpPort: 0, logLevel: 'silent' });
    await expect(rtmpClash.start()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    const httpClash = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: first.httpPort, logLevel: 'silent' });
    const error = await httpClash.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkMicError);
    expect(error).toMatchObject({ code: 'PORT_IN_USE' });
    expect((error as Error).message).toContain(String(first.httpPort));
    expect(httpClash.running).toBe(false);
    expect(() => httpClash.rtmpUrl).toThrow();
    // The failed server can be started once the clash is gone (its RTMP listener was released).
    const retry = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, logLevel: 'silent' });
    servers.push(retry);
    await retry.start();
    expect(first.running).toBe(true);
  });

  it('starts, stops and starts again in one process with no sessions, listeners, timers or players left over', async () => {
    // Handles of earlier tests are released a tick after their close() resolves.
    await waitFor(() => countResources().TCPServerWrap === 0 && countResources().TCPSocketWrap === 0, 'earlier sockets to be released');
    const before = countResources();
    const server = await start();
    const firstDataDir = server.dataDir;
    expect(existsSync(firstDataDir)).toBe(true);
    const pub = await publisher(server, 'again');
    for (let i = 0; i < 5; i++) pub.sendVideo(5000 + i * 40, i === 0, Buffer.alloc(500, 1));
    const http = new HttpFlvPlayer(server.urls.audienceUrl('again'));
    const ws = new WsFlvPlayer(server.urls.audienceUrl('again', 'ws-flv'));
    const rtmp = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort });
    await rtmp.open();
    await rtmp.play('again');
    await http.waitForMediaTags(3);
    await ws.waitForMediaTags(3);
    const origin = server.origin;
    expect(origin.nmsState().sessions).toBe(4);

    await server.close();
    expect(origin.nmsState()).toEqual({ sessions: 0, broadcasts: 0 });
    expect(Context.sessions.size).toBe(0);
    expect(Context.broadcasts.size).toBe(0);
    await waitFor(() => http.closed && ws.closed && rtmp.closed && pub.closed, 'every client to see its connection closed');
    expect(existsSync(firstDataDir)).toBe(false);

    // Same instance again, and a second instance alongside: a new publish starts a fresh timeline.
    await server.start();
    const second = await start();
    expect(second.dataDir).not.toBe(server.dataDir);
    const tags: FlvTag[] = [];
    const player = new HttpFlvPlayer(server.urls.audienceUrl('again'), { onTag: (tag) => tags.push(tag) });
    closers.push(() => player.close());
    expect(await player.response).toBe(200);
    const pub2 = await publisher(server, 'again');
    for (let i = 0; i < 5; i++) pub2.sendVideo(i * 40, i === 0, Buffer.alloc(500, 2));
    await player.waitForMediaTags(3);
    const firstVideo = tags.find((tag) => tag.type === 9 && tag.data[1] === 1)!;
    expect(firstVideo.timestamp).toBeLessThan(1000);
    expect(firstVideo.data[5]).toBe(2);
    // The other instance does not see this instance's stream.
    expect(second.listStreams()).toEqual([]);
    const elsewhere = new HttpFlvPlayer(second.urls.audienceUrl('again'));
    closers.push(() => elsewhere.close());
    expect(await elsewhere.response).toBe(200);

    await Promise.all(closers.splice(0).map((close) => close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await waitFor(() => {
      const after = countResources();
      return after.TCPServerWrap === before.TCPServerWrap && after.TCPSocketWrap === before.TCPSocketWrap && after.Timeout <= before.Timeout;
    }, `resources back to ${JSON.stringify(before)}`);
  });

  it('drops a frozen publisher that stops sending without closing, and ends its players', async () => {
    const server = await start({ publisherIdleTimeoutMs: 1000 });
    const pub = await publisher(server, 'frozen');
    const player = new HttpFlvPlayer(server.urls.audienceUrl('frozen'));
    closers.push(() => player.close());
    for (let i = 0; i < 10; i++) pub.sendVideo(i * 40, i === 0, Buffer.alloc(500, 3));
    await player.waitForMediaTags(5);
    const unpublished = server.events.next('unpublish', 15_000);
    const stopped = server.events.next('stop', 15_000);
    // The client now sends nothing and keeps its socket open.
    expect(await unpublished).toMatchObject<Partial<UnpublishEvent>>({ streamCode: 'frozen', reason: 'timeout' });
    expect(await stopped).toMatchObject<Partial<StopEvent>>({ streamCode: 'frozen', reason: 'unpublished' });
    await waitFor(() => pub.closed && player.closed, 'the frozen publisher and its player to be disconnected');
    expect(server.stats().publishersTimedOut).toBe(1);
    expect(server.listStreams()).toEqual([]);
    // The code is free again.
    await publisher(server, 'frozen');
  });

  it('drops a viewer that never reads instead of buffering for it, and keeps serving the others', async () => {
    const server = await start({ maxViewerBacklogBytes: 1024 * 1024 });
    const pub = await publisher(server, 'firehose');
    const reader = new HttpFlvPlayer(server.urls.audienceUrl('firehose'));
    closers.push(() => reader.close());
    expect(await reader.response).toBe(200);
    const slow = net.connect({ host: '127.0.0.1', port: server.httpPort });
    closers.push(async () => void slow.destroy());
    slow.on('error', () => undefined);
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.write(`GET /live/firehose.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    slow.pause(); // never reads
    await waitFor(() => server.listPlays().length === 2, 'both viewers to be playing');
    const slowPlay = server.listPlays().find((play) => play.remote.endsWith(`:${slow.localPort}`))!;
    expect(slowPlay).toBeDefined();

    let slowStop: StopEvent | undefined;
    server.on('stop', (event) => {
      if (event.playId === slowPlay.playId) slowStop = event;
    });
    const frame = Buffer.alloc(60_000, 9);
    // Paced (~6 MB/s) and bounded: at most 3000 frames (~180 MB) or until the slow viewer is dropped.
    for (let i = 0; i < 3000 && slowStop === undefined; i++) {
      if (!pub.sendVideo(i * 10, i % 30 === 0, frame)) break;
      if (pub.socket.writableLength > 1_000_000) await new Promise((resolve) => pub.socket.once('drain', resolve));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(slowStop).toMatchObject<Partial<StopEvent>>({ streamCode: 'firehose', kind: 'audience', reason: 'slow' });
    expect(server.stats().slowViewersDropped).toBeGreaterThanOrEqual(1);
    expect(server.listPlays().some((play) => play.playId === slowPlay.playId)).toBe(false);

    // The stream goes on for viewers that read.
    const next = new HttpFlvPlayer(server.urls.audienceUrl('firehose'));
    closers.push(() => next.close());
    expect(await next.response).toBe(200);
    await next.waitForMediaTags(1);
    const got = next.mediaTags;
    for (let i = 0; i < 5; i++) pub.sendVideo(100_000 + i * 10, false, Buffer.alloc(100, 1));
    await next.waitForMediaTags(got + 5);
  });

  it('shares its HTTP port with added routes and WebSocket upgrade handlers, and closes their connections', async () => {
    const server = await start();
    server.addRoute('GET', '/watch/', (_req, res, url) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`room ${url.pathname.split('/')[2]}`);
    });
    const wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${String(data)}`)));
    server.addUpgradeHandler('/signal', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
    server.onClose(() => wss.close());

    expect(await (await fetch(`${server.httpUrl}/watch/room7`)).text()).toBe('room room7');
    expect((await fetch(`${server.httpUrl}/nothing`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/healthz`, { method: 'POST' })).status).toBe(405);

    const client = new WebSocket(`${server.wsUrl}/signal`);
    const reply = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    await new Promise((resolve) => client.once('open', resolve));
    client.send('hi');
    expect(await reply).toBe('echo hi');

    const unknown = new WebSocket(`${server.wsUrl}/elsewhere`);
    const status = await new Promise<number>((resolve) => {
      unknown.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      unknown.once('error', () => resolve(-1));
    });
    expect(status).toBe(404);

    const clientClosed = new Promise((resolve) => client.once('close', resolve));
    await server.close();
    await clientClosed;
  });

  it('flags only the tracks a video-only stream has in the FLV header of its players (pitfall 10)', async () => {
    const server = await start();
    const client = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort });
    closers.push(() => client.destroy());
    await client.open();
    const { txSecret, txTime } = server.urls.signature('novoice');
    expect((await client.publish(`novoice?txSecret=${txSecret}&txTime=${txTime}`)).code).toBe('NetStream.Publish.Start');
    client.sendMetadata({ width: 360, height: 640, videocodecid: 7 });
    client.sendVideoHeader();
    client.sendVideo(0, true, Buffer.alloc(100, 1));
    await waitFor(() => server.getStream('novoice')?.video !== null, 'the metadata to arrive');
    const player = new HttpFlvPlayer(server.urls.audienceUrl('novoice'));
    closers.push(() => player.close());
    await player.waitForMediaTags(1);
    expect(player.headerFlags).toBe(0x01);
  });

  it("routes node-media-server's logging into our pino logger and never prints with console.log", async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const printed: unknown[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args));
    try {
      const server = await start({ logger });
      const pub = await publisher(server, 'chatty');
      const player = new HttpFlvPlayer(server.urls.audienceUrl('chatty'));
      closers.push(() => player.close());
      pub.sendVideo(0, true, Buffer.alloc(100, 1));
      await player.waitForMediaTags(1);
      await pub.destroy();
      await server.close();
    } finally {
      spy.mockRestore();
    }
    expect(printed).toEqual([]);
    const nmsLines = lines.map((line) => JSON.parse(line) as { nms?: boolean; msg: string }).filter((line) => line.nms);
    expect(nmsLines.some((line) => /start push/.test(line.msg))).toBe(true);
  });

  it('refuses a link quota above 8 as INVALID_CONFIG', () => {
    expect(() => new LinkMicServer({ linkQuota: 9, logLevel: 'silent' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'linkQuota' }));
    expect(() => new LinkMicServer({ requirePlaySign: true, logLevel: 'silent' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
