// The one decision path of external origins' hooks, over real HTTP, with the exact bodies nginx-rtmp,
// SRS and Tencent CSS send: signature, expiry, stream-code ownership across origin nodes, the link
// quota counted across every edge, relays allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../common';
import type { LinkMicServer } from '../link-mic-server';
import type { PublishEvent, RefusedEvent, UnpublishEvent } from '../origin/origin-types';
import { nginxForm, postHook, tencentCallback, type NginxCall } from './helpers/hook-calls';
import { TEST_KEY, startTestServer } from './helpers/media';

const HOOK_TOKEN = 'hook-token-0123456789abcdef';
const RELAY_MARKER = 'edge-relay-7f3a9c2e11';
const CALLBACK_KEY = 'tencent-callback-key';

describe('hooks of an external origin', () => {
  let server: LinkMicServer;
  const published: PublishEvent[] = [];
  const unpublished: UnpublishEvent[] = [];
  const refused: RefusedEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      origin: 'external',
      mediaProfile: 'cluster',
      pushUrl: 'rtmp://origin.example.com:1935',
      playFlvUrl: 'http://edge.example.com:8080',
      hookToken: HOOK_TOKEN,
      hookRelayPageUrl: RELAY_MARKER,
      hookRelayAddresses: ['10.0.0.21'],
      tencentCallbackKey: CALLBACK_KEY,
    });
    server.on('publish', (event) => published.push(event));
    server.on('unpublish', (event) => unpublished.push(event));
    server.on('refused', (event) => refused.push(event));
  });
  afterAll(() => server.close());

  const signed = (code: string, extra = ''): string => {
    const signature = sign(TEST_KEY, code, Math.floor(Date.now() / 1000) + 3600);
    return `${extra}txSecret=${signature.txSecret}&txTime=${signature.txTime}`;
  };
  /** A link play's signature: derived from the key and bound to the session (docs/security.md). */
  const signedLink = (code: string, sessionId: number): string => {
    const signature = server.urls.playSignature(code, sessionId);
    return `session_id=${sessionId}&txSecret=${signature.txSecret}&txTime=${signature.txTime}`;
  };
  const nginx = (node: string, call: NginxCall, token = HOOK_TOKEN) =>
    postHook(`${server.httpUrl}/hooks/nginx-rtmp/${node}?token=${token}`, nginxForm(call), 'application/x-www-form-urlencoded');
  const errorCode = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

  it('runs without an RTMP listener and issues cluster URLs: push and links on the origin, audience on the edge', () => {
    expect(() => server.rtmpPort).toThrow(/external/);
    expect(server.rtmpUrl).toBe('rtmp://origin.example.com:1935');
    expect(server.urls.pushUrl('alice', { sessionId: 7, layer: 'b' })).toMatch(/^rtmp:\/\/origin\.example\.com:1935\/live\/alice\?mix=layer:b;session_id:7&txSecret=/);
    const links = server.urls.linkPlayUrls('alice', 7);
    expect(links.rtmp).toMatch(/^rtmp:\/\/origin\.example\.com:1935\/live\/alice\?session_id=7&/);
    expect(links.httpFlv).toMatch(/^http:\/\/edge\.example\.com:8080\/live\/alice\.flv\?session_id=7&/);
    expect(server.urls.audienceUrl('alice')).toBe('http://edge.example.com:8080/live/alice.flv');
  });

  it('allows a signed nginx-rtmp publish and tells the server a stream went live', async () => {
    const reply = await nginx('origin-a', { call: 'publish', name: 'host1', clientId: 1, args: signed('host1', 'mix=layer:b;session_id:101&') });
    expect(reply.status).toBe(200);
    expect(published.at(-1)).toMatchObject({ streamCode: 'host1', sessionId: 101, layer: 'b', sessionKey: 'nginx-rtmp/origin-a/1' });
  });

  it('refuses a publish whose txSecret is forged, and one without a signature', async () => {
    const forged = await nginx('origin-a', { call: 'publish', name: 'forged', clientId: 2, args: 'txSecret=00000000000000000000000000000000&txTime=7FFFFFFF' });
    expect(forged.status).toBe(403);
    expect(errorCode(forged.body)).toBe('SIGNATURE_INVALID');
    const unsigned = await nginx('origin-a', { call: 'publish', name: 'unsigned', clientId: 3 });
    expect(errorCode(unsigned.body)).toBe('SIGNATURE_MISSING');
    expect(refused.map((event) => event.streamCode)).toEqual(expect.arrayContaining(['forged', 'unsigned']));
  });

  it('drops a running publish on on_update once its txTime has passed', async () => {
    const past = sign(TEST_KEY, 'host1', Math.floor(Date.now() / 1000) - 5);
    const reply = await nginx('origin-a', { call: 'update_publish', name: 'host1', clientId: 1, args: `txSecret=${past.txSecret}&txTime=${past.txTime}` });
    expect(reply.status).toBe(403);
    expect(errorCode(reply.body)).toBe('SIGNATURE_EXPIRED');
    expect((await nginx('origin-a', { call: 'update_publish', name: 'host1', clientId: 1, args: signed('host1') })).status).toBe(200);
  });

  it('keeps one publisher per stream code across origin nodes; only the holder releases it', async () => {
    const second = await nginx('origin-b', { call: 'publish', name: 'host1', clientId: 1, args: signed('host1') });
    expect(second.status).toBe(409);
    expect(errorCode(second.body)).toBe('STREAM_CODE_TAKEN');
    // nginx sends publish_done for the refused duplicate too: it must not free the holder's lock.
    await nginx('origin-b', { call: 'publish_done', name: 'host1', clientId: 1, args: signed('host1') });
    expect((await nginx('origin-b', { call: 'publish', name: 'host1', clientId: 9, args: signed('host1') })).status).toBe(409);
    await nginx('origin-a', { call: 'publish_done', name: 'host1', clientId: 1 });
    expect(unpublished.at(-1)).toMatchObject({ streamCode: 'host1', sessionKey: 'nginx-rtmp/origin-a/1' });
    expect((await nginx('origin-b', { call: 'publish', name: 'host1', clientId: 9, args: signed('host1') })).status).toBe(200);
  });

  it('counts the link quota of a session across every edge: the 4th link is refused, a freed slot is reused', async () => {
    const link = (node: string, clientId: number, code: string) => nginx(node, { call: 'play', name: code, clientId, args: signedLink(code, 202) });
    expect((await link('edge-1', 1, 'guestA')).status).toBe(200);
    expect((await link('edge-2', 1, 'guestB')).status).toBe(200);
    expect((await link('origin-a', 5, 'guestC')).status).toBe(200);
    const fourth = await link('edge-2', 2, 'guestD');
    expect(fourth.status).toBe(429);
    expect(errorCode(fourth.body)).toBe('LINK_QUOTA_EXCEEDED');
    expect(JSON.parse(fourth.body).error.message).toMatch(/quota 3/);
    expect(await server.hooks.store.linkCount(202)).toBe(3);
    // The refused play's play_done frees nothing; the holder's does.
    await nginx('edge-2', { call: 'play_done', name: 'guestD', clientId: 2, args: 'session_id=202' });
    expect(await server.hooks.store.linkCount(202)).toBe(3);
    await nginx('edge-1', { call: 'play_done', name: 'guestA', clientId: 1, args: 'session_id=202' });
    expect((await link('edge-2', 2, 'guestD')).status).toBe(200);
  });

  it('lets audience plays through unsigned and unrated', async () => {
    expect((await nginx('edge-1', { call: 'play', name: 'host1', clientId: 40 })).status).toBe(200);
  });

  it("recognises relays: an edge's pull on the origin and the edge's local publish of the pulled stream", async () => {
    const pull = await nginx('origin-b', { call: 'play', name: 'host1', clientId: 4, pageUrl: RELAY_MARKER, flashver: 'LNX.11,1,102,55', addr: '10.0.0.9' });
    expect(pull.status).toBe(200);
    // The edge's local publish of a stream whose code is held by the origin's publisher.
    const local = await nginx('edge-1', { call: 'publish', name: 'host1', clientId: 3, app: '', flashver: 'ngx-local-relay', addr: '127.0.0.1:19350/live' });
    expect(local.status).toBe(200);
    expect(await server.hooks.store.streamHolder('host1')).toBe('nginx-rtmp/origin-b/9');
    // A client claiming the relay flashver from a real address is an ordinary (unsigned) publish.
    const fake = await nginx('edge-1', { call: 'publish', name: 'sneaky', clientId: 8, flashver: 'ngx-local-relay', addr: '203.0.113.5' });
    expect(errorCode(fake.body)).toBe('SIGNATURE_MISSING');
    // A wrong marker is an ordinary play, and a link needs its signature.
    const wrong = await nginx('origin-b', { call: 'play', name: 'host1', clientId: 6, pageUrl: 'edge-relay', args: 'session_id=303' });
    expect(errorCode(wrong.body)).toBe('SIGNATURE_MISSING');
  });

  it('refuses hook calls without the hook token, and malformed ones with a stable code', async () => {
    const noToken = await nginx('origin-a', { call: 'publish', name: 'x', clientId: 1, args: signed('x') }, 'wrong-token');
    expect(noToken.status).toBe(403);
    expect(errorCode(noToken.body)).toBe('NOT_ALLOWED');
    const badCall = await postHook(`${server.httpUrl}/hooks/nginx-rtmp/origin-a?token=${HOOK_TOKEN}`, 'call=connect&clientid=1', 'application/x-www-form-urlencoded');
    expect(errorCode(badCall.body)).toBe('INVALID_MESSAGE');
    const badNode = await postHook(`${server.httpUrl}/hooks/nginx-rtmp/a%20b?token=${HOOK_TOKEN}`, nginxForm({ call: 'play', name: 'x', clientId: 1 }), 'application/x-www-form-urlencoded');
    expect(errorCode(badNode.body)).toBe('INVALID_URL');
  });

  it('answers SRS hooks with {"code":0} only when allowed', async () => {
    const srs = (body: Record<string, unknown>) => postHook(`${server.httpUrl}/hooks/srs?token=${HOOK_TOKEN}`, JSON.stringify(body), 'application/json');
    const base = { server_id: 'vid-0x1', service_id: 'abc', client_id: 'c1', ip: '198.51.100.4', vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1/live', stream_url: '/live/srs1' };
    const ok = await srs({ ...base, action: 'on_publish', stream: 'srs1', param: `?${signed('srs1')}` });
    expect(ok).toEqual({ status: 200, body: '{"code":0}' });
    const forged = await srs({ ...base, client_id: 'c2', action: 'on_publish', stream: 'srs2', param: '?txSecret=11111111111111111111111111111111&txTime=7FFFFFFF' });
    expect(forged.status).not.toBe(200);
    expect(JSON.parse(forged.body)).toMatchObject({ code: 403, error: { code: 'SIGNATURE_INVALID' } });
    // An SRS edge pulls with the first player's query: recognised by its address, not counted.
    for (let i = 0; i < 4; i += 1) {
      const pull = await srs({ ...base, client_id: `e${i}`, ip: '10.0.0.21', action: 'on_play', stream: 'srs1', param: `?${signed('srs1', 'session_id=404&')}` });
      expect(pull.body).toBe('{"code":0}');
    }
    expect(await server.hooks.store.linkCount(404)).toBe(0);
    expect((await srs({ ...base, action: 'on_unpublish', stream: 'srs1', param: '' })).body).toBe('{"code":0}');
    expect(await server.hooks.store.streamHolder('srs1')).toBeUndefined();
  });

  it('records Tencent CSS callbacks signed md5(key + t): a live push, a refused one, the end', async () => {
    const t = Math.floor(Date.now() / 1000) + 600;
    const tencent = (body: string) => postHook(`${server.httpUrl}/hooks/tencent-css`, body, 'application/json');
    const start = await tencent(tencentCallback({ key: CALLBACK_KEY, eventType: 1, streamId: 'css1', streamParam: signed('css1', 'mix=session_id:505&'), t }));
    expect(start.status).toBe(200);
    expect(published.at(-1)).toMatchObject({ streamCode: 'css1', sessionId: 505 });
    // CSS cannot be told to refuse: acknowledged, and recorded as refused.
    const forged = await tencent(tencentCallback({ key: CALLBACK_KEY, eventType: 1, streamId: 'css2', streamParam: 'txSecret=22222222222222222222222222222222&txTime=7FFFFFFF', t }));
    expect(forged.status).toBe(200);
    expect(JSON.parse(forged.body)).toMatchObject({ code: 0, refused: { code: 'SIGNATURE_INVALID' } });
    expect(refused.at(-1)).toMatchObject({ streamCode: 'css2', code: 'SIGNATURE_INVALID' });
    const badSign = await tencent(tencentCallback({ key: CALLBACK_KEY, eventType: 0, streamId: 'css1', streamParam: '', t, sign: '0'.repeat(32) }));
    expect(badSign.status).toBe(403);
    const stale = await tencent(tencentCallback({ key: CALLBACK_KEY, eventType: 0, streamId: 'css1', streamParam: '', t: t - 3600 }));
    expect(JSON.parse(stale.body)).toMatchObject({ error: { code: 'SIGNATURE_EXPIRED' } });
    const stop = await tencent(tencentCallback({ key: CALLBACK_KEY, eventType: 0, streamId: 'css1', streamParam: '', t }));
    expect(stop.status).toBe(200);
    expect(unpublished.at(-1)).toMatchObject({ streamCode: 'css1' });
  });
});
