// The Tencent CSS origin profile (issue 15: `--media-profile tencent-css`, `--play-key`): a
// signalling-only server whose media runs on Tencent CSS domains issues Tencent-style URLs, checked
// here against the spec's formula (§4: txTime = expiry in hex, txSecret = md5(KEY + code + txTime))
// computed with node:crypto, not with the code under test; and two studio cores (their push engine
// a fake that records what it is asked to do) go live and link against it and use the issued URLs.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkMicServer } from '../../server';
import { TypedEmitter } from '../../common/typed-emitter';
import type { StudioApi } from '../../common/studio-api';
import { createServerConnector } from '../core/server-connector';
import { StudioCore } from '../core/studio-core';
import type { PushSession, PushSessionEvents, StartPushOptions, StudioEngine } from '../push/push-engine-port';
import { MemorySecretStore } from '../settings/secret-store';
import { MemorySettingsStore } from '../settings/settings-store';
import { nextEvent, testSettings, waitForState } from './studio-test-core';

const KEY = 'e12c46f2612d5106e2034781ab261ca3';
const PLAY_KEY = 'tencent-play-anti-leech-key';
const PUSH_DOMAIN = 'push.example.com';
const PLAY_DOMAIN = 'play.example.com';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The query of an issued URL, and its txTime as Unix seconds. */
function queryOf(url: string): { params: URLSearchParams; txTime: string; expiresAt: number } {
  const params = new URL(url).searchParams;
  const txTime = params.get('txTime') ?? '';
  expect(txTime).toMatch(/^[0-9A-F]+$/);
  return { params, txTime, expiresAt: parseInt(txTime, 16) };
}

/** Checks a URL's txSecret against md5(key + code + txTime), the spec's (and Tencent's) formula. */
function expectSignedWith(url: string, key: string, code: string): void {
  const { params, txTime, expiresAt } = queryOf(url);
  expect(params.get('txSecret')).toBe(md5(key + code + txTime));
  expect(expiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000));
}

/** A push engine that records each push it is asked for and reports it live at once. */
function recordingEngine(): StudioEngine & { pushes: StartPushOptions[] } {
  const pushes: StartPushOptions[] = [];
  return {
    pushes,
    describeFfmpeg: async () => ({ path: '/usr/bin/ffmpeg', version: 'fake', error: null }),
    listSources: async () => ({ video: [], audio: [] }),
    probeEncoders: async () => ({ encoders: [], selected: null }),
    startPush: async (options) => {
      pushes.push(options);
      const session: PushSession = {
        events: new TypedEmitter<PushSessionEvents>(),
        encoder: 'libx264',
        status: 'live',
        reconnectAttempt: 0,
        pushPcm: () => undefined,
        close: async () => undefined,
      };
      return session;
    },
    close: async () => undefined,
  };
}

describe('the tencent-css origin profile', () => {
  let server: LinkMicServer;
  const cores: StudioCore[] = [];

  beforeEach(async () => {
    server = new LinkMicServer({
      host: '127.0.0.1',
      httpPort: 0,
      key: KEY,
      logLevel: 'silent',
      origin: 'external',
      mediaProfile: 'tencent-css',
      pushUrl: `rtmp://${PUSH_DOMAIN}`,
      playFlvUrl: `https://${PLAY_DOMAIN}`,
      playKey: PLAY_KEY,
      requirePlaySign: true,
    });
    await server.start();
  });
  afterEach(async () => {
    for (const core of cores.splice(0).reverse()) await core.close();
    await server.close();
  });

  async function studio(userId: string, streamCode: string): Promise<{ api: StudioApi; engine: ReturnType<typeof recordingEngine> }> {
    const engine = recordingEngine();
    const httpUrl = server.httpUrl;
    const core = new StudioCore({
      settings: new MemorySettingsStore(testSettings({ userId, streamCode, server: { kind: 'remote', httpUrl, userId } })),
      secrets: new MemorySecretStore(),
      engine,
      connectServer: createServerConnector(),
    });
    cores.push(core);
    await core.start();
    const api = core.api();
    await api.setServerProfile({ kind: 'remote', httpUrl, userId, token: server.signal.mintToken(userId).token });
    return { api, engine };
  }

  it('issues pushes on the push domain signed with the key, and plays on the play domain signed with the play key', () => {
    // The spec's test vector, for the formula used below.
    expect(md5(`${KEY}test5C271099`)).toBe('f85a2ab363fe4deaffef9754d79da6fe');

    const push = server.urls.pushUrl('anchor_1', { sessionId: 4321, layer: 'b' });
    expect(push).toMatch(new RegExp(`^rtmp://${PUSH_DOMAIN}/live/anchor_1\\?mix=layer:b;session_id:4321&txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$`));
    expectSignedWith(push, KEY, 'anchor_1');

    const links = server.urls.linkPlayUrls('anchor_1', 4321);
    expect(links.rtmp).toMatch(new RegExp(`^rtmp://${PLAY_DOMAIN}/live/anchor_1\\?session_id=4321&txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$`));
    expect(links.httpFlv).toMatch(new RegExp(`^https://${PLAY_DOMAIN}/live/anchor_1\\.flv\\?session_id=4321&txSecret=`));
    expect(links.wsFlv).toMatch(new RegExp(`^wss://${PLAY_DOMAIN}/live/anchor_1\\.flv\\?session_id=4321&txSecret=`));
    for (const url of [links.rtmp, links.httpFlv, links.wsFlv]) expectSignedWith(url, PLAY_KEY, 'anchor_1');
    expect(queryOf(links.rtmp).expiresAt).toBe(links.expiresAt);

    // The audience plays on the play domain too, signed with the play key (the origin checks plays).
    const audience = server.urls.audienceUrl('anchor_1');
    expect(audience).toMatch(new RegExp(`^https://${PLAY_DOMAIN}/live/anchor_1\\.flv\\?txSecret=`));
    expectSignedWith(audience, PLAY_KEY, 'anchor_1');
    const audienceRtmp = server.urls.audienceUrl('anchor_1', 'rtmp');
    expect(audienceRtmp).toMatch(new RegExp(`^rtmp://${PLAY_DOMAIN}/live/anchor_1\\?txSecret=`));
    expectSignedWith(audienceRtmp, PLAY_KEY, 'anchor_1');
  });

  it('lets studios go live and link with the issued URLs: pushes to the push domain, plays from the play domain', async () => {
    const host = await studio('host-a', 'room_a');
    const guest = await studio('guest-b', 'guest_b');

    await host.api.goLive();
    const live = await waitForState(host.api, (s) => s.live.status === 'live', 'host live');
    const room = live.room!;
    // The core asked its engine to push to the URL the server issued: the push domain, signed with the key.
    expect(host.engine.pushes).toHaveLength(1);
    const hostPush = host.engine.pushes[0]!;
    expect(hostPush).toMatchObject({ role: 'big' });
    expect(hostPush.url).toMatch(new RegExp(`^rtmp://${PUSH_DOMAIN}/live/room_a\\?mix=layer:b;session_id:${room.sessionId}&txSecret=`));
    expectSignedWith(hostPush.url, KEY, 'room_a');
    expect(live.room!.audienceUrls['room_a']).toMatch(new RegExp(`^https://${PLAY_DOMAIN}/live/room_a\\.flv\\?txSecret=`));
    expectSignedWith(live.room!.audienceUrls['room_a']!, PLAY_KEY, 'room_a');

    const incoming = nextEvent(host.api, 'linkRequest', (r) => r.direction === 'incoming');
    const request = await guest.api.requestLinkMic({ roomId: room.roomId });
    await incoming;
    const guestLinked = nextEvent(guest.api, 'linkStarted');
    const link = await host.api.acceptLinkMic({ requestId: request.requestId });
    const guestView = await guestLinked;

    // Each side plays the other from the play domain with the play key's signature, under the room's session_id.
    expect(link.playUrls.rtmp).toMatch(new RegExp(`^rtmp://${PLAY_DOMAIN}/live/guest_b\\?session_id=${room.sessionId}&`));
    expect(link.playUrls.httpFlv).toMatch(new RegExp(`^https://${PLAY_DOMAIN}/live/guest_b\\.flv\\?session_id=${room.sessionId}&`));
    for (const url of Object.values(link.playUrls)) expectSignedWith(url, PLAY_KEY, 'guest_b');
    expect(guestView.playUrls.rtmp).toMatch(new RegExp(`^rtmp://${PLAY_DOMAIN}/live/room_a\\?session_id=${room.sessionId}&`));
    for (const url of Object.values(guestView.playUrls)) expectSignedWith(url, PLAY_KEY, 'room_a');

    // The guest's core pushes as small host to its issued URL on the push domain.
    await waitForState(guest.api, (s) => s.live.status === 'live', 'guest live as small host');
    const guestPush = guest.engine.pushes.at(-1)!;
    expect(guestPush.role).toBe('small');
    expect(guestPush.url).toMatch(new RegExp(`^rtmp://${PUSH_DOMAIN}/live/guest_b\\?mix=layer:s;session_id:${room.sessionId}&txSecret=`));
    expectSignedWith(guestPush.url, KEY, 'guest_b');
  });
});
