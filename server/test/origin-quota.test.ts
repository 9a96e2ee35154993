// Low-latency link plays (session_id): signed, counted against the quota of their session_id.
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkMicServer } from '../link-mic-server';
import type { StopEvent } from '../origin/origin-types';
import { HttpFlvPlayer, WsFlvPlayer } from './helpers/flv-reader';
import { startTestServer, waitFor } from './helpers/media';
import { RawRtmpClient } from './helpers/raw-rtmp-client';

describe('link quota per session_id', () => {
  let server: LinkMicServer | undefined;
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await server?.close();
    server = undefined;
  });

  function httpPlayer(url: string): HttpFlvPlayer {
    const player = new HttpFlvPlayer(url);
    closers.push(() => player.close());
    return player;
  }

  it('lets 3 links of one session_id play, refuses the 4th naming the quota, and reuses a freed slot at once', async () => {
    server = await startTestServer();
    const urls = server.urls;
    // Three links under session 4242 over the three protocols, to three different streams.
    const link1 = httpPlayer(urls.linkPlayUrl('http-flv', 'hostA', 4242));
    expect(await link1.response).toBe(200);
    const link2 = new WsFlvPlayer(urls.linkPlayUrl('ws-flv', 'hostB', 4242));
    closers.push(() => link2.close());
    expect(await link2.opened).toBe(true);
    const link3 = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort });
    closers.push(() => link3.destroy());
    await link3.open();
    const rtmpUrl = new URL(urls.linkPlayUrl('rtmp', 'hostC', 4242));
    expect(await link3.play(`hostC${rtmpUrl.search}`)).toMatchObject({ code: 'NetStream.Play.Reset' });
    await waitFor(() => server!.linkCount(4242) === 3, 'three links');

    // The 4th is refused on every protocol, naming the quota.
    const fourth = httpPlayer(urls.linkPlayUrl('http-flv', 'hostA', 4242));
    expect(await fourth.response).toBe(429);
    expect(fourth.errorBody).toMatchObject({ error: { code: 'LINK_QUOTA_EXCEEDED' } });
    expect((fourth.errorBody as { error: { message: string } }).error.message).toContain('quota 3');
    const fourthWs = new WsFlvPlayer(urls.linkPlayUrl('ws-flv', 'hostA', 4242));
    closers.push(() => fourthWs.close());
    expect(await fourthWs.opened).toBe(false);
    expect(fourthWs.refusedStatus).toBe(429);
    const fourthRtmp = new RawRtmpClient({ host: '127.0.0.1', port: server.rtmpPort });
    closers.push(() => fourthRtmp.destroy());
    await fourthRtmp.open();
    const refused = await fourthRtmp.play(`hostA${new URL(urls.linkPlayUrl('rtmp', 'hostA', 4242)).search}`);
    expect(refused).toMatchObject({ level: 'error', code: 'NetStream.Play.Failed' });
    expect(refused.description).toContain('LINK_QUOTA_EXCEEDED');
    expect(server.stats().playRefused).toEqual({ LINK_QUOTA_EXCEEDED: 3 });

    // Another session_id has its own quota; audience plays are not counted.
    const otherSession = httpPlayer(urls.linkPlayUrl('http-flv', 'hostA', 777));
    expect(await otherSession.response).toBe(200);
    const audience = httpPlayer(urls.audienceUrl('hostA'));
    expect(await audience.response).toBe(200);

    // Closing a link frees its slot at once.
    const stopped = server.events.next('stop', 10_000);
    await link2.close();
    expect(await stopped).toMatchObject<Partial<StopEvent>>({ streamCode: 'hostB', kind: 'link', sessionId: 4242, reason: 'closed' });
    expect(server.linkCount(4242)).toBe(2);
    const reuse = httpPlayer(urls.linkPlayUrl('http-flv', 'hostB', 4242));
    expect(await reuse.response).toBe(200);
    expect(server.linkCount(4242)).toBe(3);

    // A link closed by the server (e.g. the signalling service ending a link) frees its slot too.
    const play = server.listPlays().find((p) => p.kind === 'link' && p.streamCode === 'hostA' && p.sessionId === 4242)!;
    expect(server.closePlay(play.playId)).toBe(true);
    await waitFor(() => server!.linkCount(4242) === 2, 'the kicked link to free its slot');
  });

  it('refuses a link play that is unsigned, forged or signed for another stream code', async () => {
    server = await startTestServer();
    const base = `${server.httpUrl}/live/hostA.flv`;
    const signature = server.urls.playSignature('hostA', 9);
    const otherCode = server.urls.playSignature('hostB', 9);
    const cases: Array<[string, string]> = [
      [`${base}?session_id=9`, 'SIGNATURE_MISSING'],
      [`${base}?session_id=9&txSecret=${'a'.repeat(32)}&txTime=${signature.txTime}`, 'SIGNATURE_INVALID'],
      [`${base}?session_id=9&txSecret=${otherCode.txSecret}&txTime=${otherCode.txTime}`, 'SIGNATURE_INVALID'],
      [`${base}?session_id=abc&txSecret=${signature.txSecret}&txTime=${signature.txTime}`, 'INVALID_SESSION_ID'],
    ];
    for (const [url, code] of cases) {
      const player = httpPlayer(url);
      expect(await player.response, url).toBeGreaterThanOrEqual(400);
      expect(player.errorBody, url).toMatchObject({ error: { code } });
    }
    expect(server.linkCount(9)).toBe(0);
    const signed = httpPlayer(`${base}?session_id=9&txSecret=${signature.txSecret}&txTime=${signature.txTime}`);
    expect(await signed.response).toBe(200);
  });

  it('serves unsigned audience plays by default, and refuses them with --require-play-sign', async () => {
    server = await startTestServer();
    const free = httpPlayer(`${server.httpUrl}/live/hostA.flv`);
    expect(await free.response).toBe(200);
    await server.close();

    server = await startTestServer({ requirePlaySign: true });
    const unsigned = httpPlayer(`${server.httpUrl}/live/hostA.flv`);
    expect(await unsigned.response).toBe(403);
    expect(unsigned.errorBody).toMatchObject({ error: { code: 'SIGNATURE_MISSING' } });
    const signed = httpPlayer(server.urls.audienceUrl('hostA'));
    expect(await signed.response).toBe(200);
    expect(server.urls.audienceUrl('hostA')).toContain('txSecret=');
  });

  it('raises the quota by configuration', async () => {
    server = await startTestServer({ linkQuota: 5 });
    for (let i = 0; i < 5; i++) expect(await httpPlayer(server.urls.linkPlayUrl('http-flv', `s${i}`, 31)).response).toBe(200);
    const sixth = httpPlayer(server.urls.linkPlayUrl('http-flv', 's6', 31));
    expect(await sixth.response).toBe(429);
    expect((sixth.errorBody as { error: { message: string } }).error.message).toContain('quota 5');
  });
});
