// The signal service mounted on the real LinkMicServer: URLs it issues really push and play
// through the origin (real ffmpeg), and origin events drive media awareness.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SMALL_HOST_PRESET, BIG_HOST_PRESET } from '../../common/presets';
import { parseStreamUrl } from '../../common/urls';
import { SignalClient } from '../../common/signal/signal-client';
import type { DevLoginResponse } from '../../common/signal/messages';
import type { LinkMicServer } from '../link-mic-server';
import { probeVideo, startFfmpegPush, startTestServer, type Child } from './helpers/media';
import { nextEvent } from './signal-harness';

describe('signal on the real LinkMicServer', () => {
  let server: LinkMicServer | undefined;
  const children: Child[] = [];
  const clients: SignalClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await server?.close();
    server = undefined;
  });

  async function login(userId: string): Promise<SignalClient> {
    const response = await fetch(`${server!.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as DevLoginResponse;
    const client = new SignalClient({ url: `${server!.wsUrl}/signal`, userId, token, createWebSocket: (url) => new WebSocket(url) });
    clients.push(client);
    await client.connect();
    return client;
  }

  function push(url: string, preset = BIG_HOST_PRESET): Child {
    const child = startFfmpegPush(url, preset);
    children.push(child);
    return child;
  }

  it('issues push and low-latency URLs that work through the origin, and ends the link when the guest stream stops', async () => {
    server = await startTestServer({ signal: { mediaLossMs: 300 } });
    const host = await login('host');
    const guest = await login('guest');

    const opened = await host.openRoom({ streamCode: 'bighost' });
    const sessionId = opened.room.sessionId;
    const hostPublished = server.events.next('publish', 30_000);
    push(opened.pushUrl);
    const published = await hostPublished;
    expect(published).toMatchObject({ streamCode: 'bighost', sessionId, layer: 'b' });
    expect(published.templateId).toBeUndefined();

    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('bighost', 'smallhost');
    await requested;
    const guestStarted = nextEvent(guest, 'link.started');
    const hostView = await host.acceptLink(requestId);
    const guestView = await guestStarted;

    const guestPublished = server.events.next('publish', 30_000);
    const guestPush = push(guestView.pushUrl!, SMALL_HOST_PRESET);
    expect(await guestPublished).toMatchObject({ streamCode: 'smallhost', sessionId, layer: 's' });

    // The guest plays the host over the low-latency path (RTMP and HTTP-FLV), the host plays the guest.
    expect(await probeVideo(guestView.playUrls.httpFlv)).toMatchObject({ width: BIG_HOST_PRESET.width, height: BIG_HOST_PRESET.height });
    expect(await probeVideo(guestView.playUrls.rtmp)).toMatchObject({ width: BIG_HOST_PRESET.width });
    expect(await probeVideo(hostView.playUrls.httpFlv)).toMatchObject({ width: SMALL_HOST_PRESET.width, height: SMALL_HOST_PRESET.height });
    expect(parseStreamUrl(hostView.playUrls.httpFlv).sessionId).toBe(sessionId);

    const ended = nextEvent(host, 'link.ended');
    await guestPush.stop();
    expect(await ended).toMatchObject({ reason: 'media-lost', streamCode: 'smallhost' });
  });

  it('frees the slot of an accepted guest that never publishes (no-media), and keeps the guest whose push reached the origin', async () => {
    // Real origin events: the deadline is met by a real ffmpeg push, missed by a guest that never starts one.
    server = await startTestServer({ signal: { linkPublishDeadlineMs: 10_000 } });
    const host = await login('host');
    const publisher = await login('publisher');
    const squatter = await login('squatter');
    const opened = await host.openRoom({ streamCode: 'deadlinehost' });
    const hostPublished = server.events.next('publish', 30_000);
    push(opened.pushUrl);
    await hostPublished;
    const accept = async (guest: SignalClient, streamCode: string) => {
      const requested = nextEvent(host, 'link.requested');
      const guestStarted = nextEvent(guest, 'link.started');
      const { requestId } = await guest.requestLink('deadlinehost', streamCode);
      await requested;
      await host.acceptLink(requestId);
      return guestStarted;
    };
    const publisherView = await accept(publisher, 'publisherstream');
    const guestPublished = server.events.next('publish', 30_000);
    push(publisherView.pushUrl!, SMALL_HOST_PRESET);
    expect(await guestPublished).toMatchObject({ streamCode: 'publisherstream', layer: 's' });
    const squatterView = await accept(squatter, 'squatterstream');
    const squatterEnded = host.events.next('link.ended', 30_000);
    // The squatter's deadline falls after the publisher's: when it fires, the publisher's has passed too.
    expect(await squatterEnded).toMatchObject({ linkId: squatterView.linkId, reason: 'no-media', streamCode: 'squatterstream' });
    expect(host.activeLinks.map((l) => l.peer.userId)).toEqual(['publisher']);
    expect(server.signal.service?.hub.exportSnapshot(() => undefined).publishDue).toEqual([]);
  }, 60_000);

  it("gives each PK host a URL of the other's stream that plays under the other's session_id", async () => {
    server = await startTestServer();
    const hostA = await login('hostA');
    const hostB = await login('hostB');
    const roomA = await hostA.openRoom({ streamCode: 'pkA' });
    const roomB = await hostB.openRoom({ streamCode: 'pkB' });
    const publishedB = server.events.next('publish', 30_000);
    push(roomB.pushUrl);
    await publishedB;
    const invited = nextEvent(hostB, 'pk.invited');
    const { pkId } = await hostA.invitePk('pkB');
    await invited;
    const startedA = nextEvent(hostA, 'pk.started');
    await hostB.acceptPk(pkId);
    const viewA = await startedA;
    expect(viewA.peer.sessionId).toBe(roomB.room.sessionId);
    expect(viewA.peer.sessionId).not.toBe(roomA.room.sessionId);
    expect(await probeVideo(viewA.playUrls.httpFlv)).toMatchObject({ width: BIG_HOST_PRESET.width });
  });

  it('closes signal connections politely when the server closes', async () => {
    server = await startTestServer();
    const client = await login('someone');
    const disconnected = nextEvent(client, 'disconnected');
    await server.close();
    expect((await disconnected).code).toBe(4500);
  });

  it('serves signalling again after the server is closed and started again, with fresh state', async () => {
    server = await startTestServer();
    const first = await login('host');
    await first.openRoom({ streamCode: 'again' });
    first.close();
    await server.close();
    await server.start();
    const second = await login('host');
    await expect(second.joinRoom('again')).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    expect(server.signal.service?.connectionCount).toBe(1);
  });

  it('refuses dev login when the server is configured without it', async () => {
    server = await startTestServer({ signal: { devLogin: false } });
    const response = await fetch(`${server.httpUrl}/api/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'x' }) });
    expect(response.status).toBe(404);
    const { token } = server.signal.mintToken('x');
    const client = new SignalClient({ url: `${server.wsUrl}/signal`, userId: 'x', token, createWebSocket: (url) => new WebSocket(url) });
    clients.push(client);
    expect((await client.connect()).userId).toBe('x');
  });
});
