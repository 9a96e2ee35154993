// Credentials are bound to what they allow (issue 17 items 1 and 2, docs/security.md): a play
// signature never publishes, a link signature is bound to its session_id, and a push naming a
// session_id must be what signalling issued under it. Each attack is refused with a stable code
// and the victim's stream, room and links are undisturbed.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseStreamUrl } from '../../common/urls';
import { SignalClient } from '../../common/signal/signal-client';
import type { LinkMicServer, LinkMicServerOptions } from '../link-mic-server';
import { HttpFlvPlayer } from './helpers/flv-reader';
import { startTestServer, waitFor } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';
import { nextEvent } from './signal-harness';

describe('credentials bound to direction, stream code and session', () => {
  let server: LinkMicServer | undefined;
  const closers: Array<() => unknown> = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await server?.close();
    server = undefined;
  });

  async function start(options: LinkMicServerOptions = {}): Promise<LinkMicServer> {
    server = await startTestServer(options);
    return server;
  }

  async function login(userId: string): Promise<SignalClient> {
    const { token } = server!.signal.mintToken(userId);
    const client = new SignalClient({ url: `${server!.wsUrl}/signal`, userId, token, createWebSocket: (url) => new WebSocket(url), reconnect: false });
    closers.push(() => client.close());
    await client.connect();
    return client;
  }

  async function rtmp(): Promise<RawRtmpClient> {
    const client = new RawRtmpClient({ host: '127.0.0.1', port: server!.rtmpPort });
    closers.push(() => client.destroy());
    await client.open();
    return client;
  }

  /** `code?query` of a push or play URL, as an RTMP publish/play names it. */
  function nameOf(url: string): string {
    const parsed = new URL(url.replace(/^rtmp:/, 'http:'));
    return `${parsed.pathname.split('/').pop()!.replace(/\.flv$/, '')}${parsed.search}`;
  }

  /** Publishes `name` and keeps sending frames; resolves with the first status. */
  async function publish(name: string): Promise<{ code: string; description: string; client: RawRtmpClient }> {
    const client = await rtmp();
    const status = await client.publish(name);
    if (status.code === 'NetStream.Publish.Start') {
      client.sendMetadata({ width: 320, height: 480 });
      client.sendVideoHeader();
      const timer = setInterval(() => client.sendVideo(Date.now() % 100_000, true, Buffer.alloc(200, 7)), 40);
      closers.push(() => clearInterval(timer));
    }
    return { code: status.code, description: status.description, client };
  }

  /** A host with a room and a linked guest; nobody pushes yet. */
  async function linkedRoom(options: { serverMix?: { templateId: 1 } } = {}) {
    const host = await login('victim-host');
    const guest = await login('guest');
    const opened = await host.openRoom({ streamCode: 'victim', ...(options.serverMix ? { serverMix: options.serverMix } : {}) });
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('victim', 'guestcode');
    await requested;
    const guestStarted = nextEvent(guest, 'link.started');
    const hostView = await host.acceptLink(requestId);
    const guestView = await guestStarted;
    return { host, guest, opened, hostView, guestView };
  }

  it("refuses a guest publishing the host's stream code with the signature of its low-latency play URL", async () => {
    await start();
    const { opened, guestView } = await linkedRoom();
    const stolen = parseStreamUrl(guestView.playUrls.rtmp);
    expect(stolen.streamCode).toBe('victim');

    const attack = await publish(`victim?mix=layer:b;session_id:${opened.room.sessionId}&txSecret=${stolen.txSecret}&txTime=${stolen.txTime}`);
    expect(attack.code).toBe('NetStream.Publish.BadName');
    expect(attack.description).toMatch(/^SIGNATURE_INVALID: /);
    const withoutMix = await publish(`victim?txSecret=${stolen.txSecret}&txTime=${stolen.txTime}`);
    expect(withoutMix.description).toMatch(/^SIGNATURE_INVALID: /);
    expect(server!.getStream('victim')).toBeUndefined();

    // The real host still publishes its code, and the guest's play URL still plays it.
    expect((await publish(nameOf(opened.pushUrl))).code).toBe('NetStream.Publish.Start');
    expect(server!.getStream('victim')).toMatchObject({ sessionId: opened.room.sessionId, layer: 'b' });
    const player = new HttpFlvPlayer(guestView.playUrls.httpFlv);
    closers.push(() => player.close());
    expect(await player.response).toBe(200);
  });

  it('refuses the signature an anonymous /api/watch answer carries (--require-play-sign) as a publish credential', async () => {
    await start({ requirePlaySign: true });
    const info = (await (await fetch(`${server!.httpUrl}/api/watch/anycode`)).json()) as { streamPath: string };
    const query = new URL(`http://x${info.streamPath}`).searchParams;
    expect(query.get('txSecret')).toMatch(/^[0-9a-f]{32}$/);
    const attack = await publish(`anycode?txSecret=${query.get('txSecret')}&txTime=${query.get('txTime')}`);
    expect(attack.description).toMatch(/^SIGNATURE_INVALID: /);
    expect(server!.getStream('anycode')).toBeUndefined();
    expect(server!.stats().publishRefused).toEqual({ SIGNATURE_INVALID: 1 });
    // …while it does play the stream as an audience member.
    const viewer = new HttpFlvPlayer(`${server!.httpUrl}${info.streamPath}`);
    closers.push(() => viewer.close());
    expect(await viewer.response).toBe(200);
  });

  it("refuses a stranger naming the victim's session_id in its own push: it never joins the victim's session or server mix", async () => {
    await start();
    const { opened, guestView } = await linkedRoom({ serverMix: { templateId: 1 } });
    const sessionId = opened.room.sessionId;
    expect((await publish(nameOf(opened.pushUrl))).code).toBe('NetStream.Publish.Start');
    expect((await publish(nameOf(guestView.pushUrl!))).code).toBe('NetStream.Publish.Start');

    const stranger = await login('stranger');
    const own = await stranger.openRoom({ streamCode: 'strangercode' });
    const ownPush = parseStreamUrl(own.pushUrl);
    const attack = await publish(`strangercode?mix=layer:s;session_id:${sessionId};t_id:1&txSecret=${ownPush.txSecret}&txTime=${ownPush.txTime}`);
    expect(attack.code).toBe('NetStream.Publish.BadName');
    expect(attack.description).toMatch(/^NOT_ALLOWED: session_id \d+ was not issued to stream code strangercode/);
    // The guest cannot change its layer or template either.
    const guestPush = parseStreamUrl(guestView.pushUrl!);
    expect(guestPush.mix).toMatchObject({ layer: 's', sessionId, templateId: 1 });

    expect(server!.listStreams().map((s) => [s.streamCode, s.sessionId, s.layer]).sort()).toEqual([
      ['guestcode', sessionId, 's'],
      ['victim', sessionId, 'b'],
    ]);
    await waitFor(() => server!.mixer.status('victim') !== undefined, 'the victim mix');
    expect((server!.mixer.status('victim')?.parties ?? []).map((party) => party.streamCode).sort()).not.toContain('strangercode');
    // The stranger's own push with what was issued to it is accepted: the refusal above can fail.
    expect((await publish(nameOf(own.pushUrl))).code).toBe('NetStream.Publish.Start');
  });

  it('never allocates a session_id some other live stream already pushes under', async () => {
    await start();
    const squatter = await publish(`squat?mix=layer:s;session_id:4242&${new URL(server!.urls.pushUrl('squat').replace('rtmp:', 'http:')).search.slice(1)}`);
    expect(squatter.code).toBe('NetStream.Publish.Start');
    const host = await login('host');
    const { room } = await host.openRoom({ streamCode: 'honest', sessionId: 4242 });
    expect(room.sessionId).not.toBe(4242);
  });

  it('refuses a link play URL whose session_id was changed, and (with --require-play-sign) one whose session_id was removed', async () => {
    await start({ requirePlaySign: true });
    const { opened, guestView } = await linkedRoom();
    expect((await publish(nameOf(opened.pushUrl))).code).toBe('NetStream.Publish.Start');
    const url = guestView.playUrls.httpFlv;
    const sessionId = opened.room.sessionId;
    const cases: Array<[string, string]> = [
      [url.replace(`session_id=${sessionId}`, `session_id=${sessionId === 1 ? 2 : sessionId - 1}`), 'SIGNATURE_INVALID'],
      [url.replace(`session_id=${sessionId}&`, ''), 'SIGNATURE_INVALID'],
    ];
    for (const [tampered, code] of cases) {
      const player = new HttpFlvPlayer(tampered);
      closers.push(() => player.close());
      expect(await player.response, tampered).toBe(403);
      expect(player.errorBody, tampered).toMatchObject({ error: { code } });
    }
    expect(server!.listPlays()).toEqual([]);
    const honest = new HttpFlvPlayer(url);
    closers.push(() => honest.close());
    expect(await honest.response).toBe(200);
    await waitFor(() => server!.linkCount(sessionId) === 1, 'the honest link to count');
  });
});
