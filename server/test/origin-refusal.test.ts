// Refusals with a raw RTMP client that misbehaves like a real encoder (pitfalls 5, 13, 14).
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LinkMicServer } from '../link-mic-server';
import type { PublishEvent } from '../origin/origin-types';
import { HttpFlvPlayer } from './helpers/flv-reader';
import { startTestServer, waitFor } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';

describe('origin refusals', () => {
  let server: LinkMicServer | undefined;
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await server?.close();
    server = undefined;
  });

  async function rawClient(options: { ignoreFin?: boolean } = {}): Promise<RawRtmpClient> {
    const client = new RawRtmpClient({ host: '127.0.0.1', port: server!.rtmpPort, ...options });
    closers.push(() => client.destroy());
    await client.open();
    return client;
  }

  /** Writes stamped frames until the socket dies or `count` are sent; returns how many were written. */
  async function keepWriting(client: RawRtmpClient, count: number, marker: number): Promise<number> {
    let sent = 0;
    client.sendMetadata({ width: 320, height: 480 });
    client.sendVideoHeader();
    client.sendAudioHeader();
    for (let i = 0; i < count; i++) {
      if (!client.sendVideo(i * 40, i % 15 === 0, Buffer.alloc(1500, marker))) break;
      client.sendAudio(i * 40, Buffer.alloc(200, marker));
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return sent;
  }

  it('answers a refused publisher with NetStream.Publish.BadName naming the reason instead of Publish.Start', async () => {
    server = await startTestServer();
    const client = await rawClient();
    const status = await client.publish('nosig');
    expect(status.level).toBe('error');
    expect(status.code).toBe('NetStream.Publish.BadName');
    expect(status.description).toMatch(/^SIGNATURE_MISSING: /);
    expect(client.statuses.map((s) => s.code)).not.toContain('NetStream.Publish.Start');
    await waitFor(() => client.closed, 'the refused connection to close');
  });

  it('never lets a refused publisher that ignores the FIN and keeps sending reach a viewer, and destroys its socket', async () => {
    server = await startTestServer();
    const publishes: PublishEvent[] = [];
    server.on('publish', (event) => publishes.push(event));
    const viewer = new HttpFlvPlayer(server.urls.audienceUrl('victim'));
    closers.push(() => viewer.close());
    expect(await viewer.response).toBe(200);

    const rogue = await rawClient({ ignoreFin: true });
    const { txTime } = server.urls.signature('victim');
    const status = await rogue.publish(`victim?txSecret=${'0'.repeat(32)}&txTime=${txTime}`);
    expect(status).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
    expect(status.description).toContain('SIGNATURE_INVALID');
    await keepWriting(rogue, 200, 0x5a);
    await waitFor(() => rogue.closed, 'the server to destroy the rogue socket');

    expect(viewer.mediaTags).toBe(0);
    expect(publishes).toEqual([]);
    expect(server.listStreams()).toEqual([]);
    expect(server.stats().publishRefused).toEqual({ SIGNATURE_INVALID: 1 });

    // The same viewer does receive a publisher that is accepted: the check above can fail.
    const honest = await rawClient();
    const signature = server.urls.signature('victim');
    expect(await honest.publish(`victim?txSecret=${signature.txSecret}&txTime=${signature.txTime}`)).toMatchObject({ code: 'NetStream.Publish.Start' });
    void keepWriting(honest, 100, 0x11);
    await viewer.waitForMediaTags(10);
    expect(publishes.map((event) => event.streamCode)).toEqual(['victim']);
  });

  it('refuses a push whose mix does not parse, names an unknown template, or a bad layer', async () => {
    server = await startTestServer();
    const cases: Array<[string, string]> = [
      ['layer:b;session_id:12;t_id:9', 'INVALID_TEMPLATE'],
      ['layer:x;session_id:12', 'INVALID_MIX_PARAM'],
      ['session_id:0', 'INVALID_SESSION_ID'],
      ['garbage', 'INVALID_MIX_PARAM'],
    ];
    for (const [mix, code] of cases) {
      const client = await rawClient();
      const { txSecret, txTime } = server.urls.signature('mixed');
      const status = await client.publish(`mixed?mix=${encodeURIComponent(mix)}&txSecret=${txSecret}&txTime=${txTime}`);
      expect(status, mix).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
      expect(status.description, mix).toContain(code);
    }
    const accepted = await rawClient();
    const { txSecret, txTime } = server.urls.signature('mixed');
    expect(await accepted.publish(`mixed?mix=layer:s;session_id:12;t_id:3&txSecret=${txSecret}&txTime=${txTime}`)).toMatchObject({ code: 'NetStream.Publish.Start' });
    expect(server.getStream('mixed')).toMatchObject({ sessionId: 12, layer: 's', templateId: 3 });
  });

  it('refuses an unknown application and an invalid stream code', async () => {
    server = await startTestServer();
    const otherApp = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort, app: 'admin' });
    closers.push(() => otherApp.destroy());
    await otherApp.open();
    expect((await otherApp.publish('code')).description).toContain('INVALID_URL');
    const badCode = await rawClient();
    expect((await badCode.publish('../etc')).description).toContain('INVALID_ARGUMENT');
    expect(server.stats().publishRefused).toEqual({ INVALID_URL: 1, INVALID_ARGUMENT: 1 });
  });

  it('refuses a publish over HTTP or WebSocket', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.httpUrl}/live/x.flv`, { method: 'POST', body: 'FLV' });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_ALLOWED');
    const ws = new WebSocket(`${server.wsUrl}/live/x.flv`, 'publisher');
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(-1));
    });
    ws.terminate();
    expect(status).toBe(403);
    expect(server.stats().playRefused).toEqual({ NOT_ALLOWED: 1 });
  });
});
