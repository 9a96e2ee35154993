import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStreamUrl } from '../../common/urls';
import type { SignalClient } from '../../common/signal/signal-client';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

describe('same-room link-mic', () => {
  let server: SignalTestServer;
  let host: SignalClient;
  let guest: SignalClient;
  let sessionId: number;

  beforeEach(async () => {
    server = await startSignalServer();
    host = await server.client('host');
    guest = await server.client('guest');
    const opened = await host.openRoom({ streamCode: 'hoststream', guestLimit: 2 });
    sessionId = opened.room.sessionId;
    await guest.joinRoom('hoststream');
  });
  afterEach(async () => {
    await server.close();
  });

  async function requestAndAccept(who: SignalClient = guest, streamCode = 'gueststream') {
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await who.requestLink('hoststream', streamCode);
    expect((await requested).requestId).toBe(requestId);
    const guestStarted = nextEvent(who, 'link.started');
    const hostView = await host.acceptLink(requestId);
    return { requestId, hostView, guestView: await guestStarted };
  }

  it('gives the host a signed big-host push URL with the allocated session_id (client-side mix: no t_id)', async () => {
    const opened = await host.openRoom({ streamCode: 'hoststream' });
    const push = parseStreamUrl(opened.pushUrl);
    expect(push).toMatchObject({ protocol: 'rtmp', streamCode: 'hoststream', mix: { sessionId, layer: 'b' } });
    expect(push.mix?.templateId).toBeUndefined();
    expect(push.txSecret).toMatch(/^[0-9a-f]{32}$/);
  });

  it('links on accept: the guest gets the session_id, its small-host push URL and the host low-latency URLs', async () => {
    const { hostView, guestView } = await requestAndAccept();
    expect(guestView).toMatchObject({ role: 'guest', sessionId, peer: { userId: 'host', streamCode: 'hoststream' } });
    expect(parseStreamUrl(guestView.pushUrl!)).toMatchObject({ streamCode: 'gueststream', mix: { sessionId, layer: 's' } });
    expect(parseStreamUrl(guestView.pushUrl!).mix?.templateId).toBeUndefined();
    for (const [protocol, url] of [['rtmp', guestView.playUrls.rtmp], ['http-flv', guestView.playUrls.httpFlv], ['ws-flv', guestView.playUrls.wsFlv]] as const) {
      expect(parseStreamUrl(url)).toMatchObject({ protocol, streamCode: 'hoststream', sessionId });
    }
    expect(hostView).toMatchObject({ role: 'host', sessionId, peer: { userId: 'guest', streamCode: 'gueststream' } });
    expect(parseStreamUrl(hostView.playUrls.httpFlv)).toMatchObject({ streamCode: 'gueststream', sessionId });
    expect(hostView.pushUrl).toBeUndefined();
  });

  it('ends the link for both sides when the guest hangs up', async () => {
    const { guestView } = await requestAndAccept();
    const hostEnded = nextEvent(host, 'link.ended');
    const guestEnded = nextEvent(guest, 'link.ended');
    await guest.hangUp(guestView.linkId);
    expect(await hostEnded).toMatchObject({ linkId: guestView.linkId, reason: 'hangup', by: 'guest' });
    expect(await guestEnded).toMatchObject({ linkId: guestView.linkId, reason: 'hangup' });
    expect(guest.activeLinks).toHaveLength(0);
  });

  it('ends the link when the host hangs up', async () => {
    const { hostView } = await requestAndAccept();
    const guestEnded = nextEvent(guest, 'link.ended');
    await host.hangUp(hostView.linkId);
    expect(await guestEnded).toMatchObject({ reason: 'hangup', by: 'host' });
  });

  it('tells the guest when the host rejects', async () => {
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    const ended = nextEvent(guest, 'link.requestEnded');
    await host.rejectLink(requestId, 'not now');
    expect(await ended).toMatchObject({ requestId, outcome: 'rejected', reason: 'not now' });
  });

  it('tells the host when the guest cancels, and refuses an accept after the cancel', async () => {
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    const ended = nextEvent(host, 'link.requestEnded');
    await guest.cancelLinkRequest(requestId);
    expect(await ended).toMatchObject({ requestId, outcome: 'cancelled' });
    await expect(host.acceptLink(requestId)).rejects.toMatchObject({ code: 'REQUEST_NOT_PENDING' });
  });

  it('times a request out after 30 s and tells both sides', async () => {
    const requested = nextEvent(host, 'link.requested');
    const { requestId, expiresAt } = await guest.requestLink('hoststream', 'gueststream');
    expect(expiresAt).toBe(server.clock.now() + 30_000);
    await requested;
    const guestEnded = nextEvent(guest, 'link.requestEnded');
    const hostEnded = nextEvent(host, 'link.requestEnded');
    const early: unknown[] = [];
    const watch = guest.events.on('link.requestEnded', (event) => early.push(event));
    server.clock.advance(29_999);
    await guest.ping(); // a round trip after the advance: anything sent would have arrived first
    watch.dispose();
    expect(early).toEqual([]);
    server.clock.advance(1);
    expect(await guestEnded).toMatchObject({ requestId, outcome: 'timeout' });
    expect(await hostEnded).toMatchObject({ requestId, outcome: 'timeout' });
    await expect(host.acceptLink(requestId)).rejects.toMatchObject({ code: 'REQUEST_NOT_PENDING' });
  });

  it('lets the host kick a guest, and only the host', async () => {
    const { guestView } = await requestAndAccept();
    await expect(guest.kick(guestView.linkId)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    const ended = nextEvent(guest, 'link.ended');
    await host.kick(guestView.linkId);
    expect(await ended).toMatchObject({ reason: 'kicked', by: 'host' });
  });

  it('refuses a second request from a linked guest', async () => {
    await requestAndAccept();
    await expect(guest.requestLink('hoststream', 'other')).rejects.toMatchObject({ code: 'ALREADY_LINKED' });
  });

  it('refuses a second pending request to the same room', async () => {
    await guest.requestLink('hoststream', 'gueststream');
    await expect(guest.requestLink('hoststream', 'gueststream2')).rejects.toMatchObject({ code: 'ALREADY_PENDING' });
  });

  it('refuses a double accept', async () => {
    const { requestId } = await requestAndAccept();
    await expect(host.acceptLink(requestId)).rejects.toMatchObject({ code: 'REQUEST_NOT_PENDING' });
  });

  it('lets exactly one of two racing accepts win', async () => {
    const hostTablet = await server.client('host');
    const requested = nextEvent(host, 'link.requested');
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    await requested;
    const results = await Promise.allSettled([host.acceptLink(requestId), hostTablet.acceptLink(requestId)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'REQUEST_NOT_PENDING' } });
  });

  it('refuses a request beyond the guest limit', async () => {
    await requestAndAccept(guest, 'g1');
    const second = await server.client('guest2');
    await requestAndAccept(second, 'g2');
    const third = await server.client('guest3');
    await expect(third.requestLink('hoststream', 'g3')).rejects.toMatchObject({ code: 'GUEST_LIMIT_REACHED' });
  });

  it('refuses an accept that would pass the guest limit', async () => {
    await host.updateRoom({ roomId: 'hoststream', guestLimit: 1 });
    const second = await server.client('guest2');
    const { requestId: first } = await guest.requestLink('hoststream', 'g1');
    const { requestId: other } = await second.requestLink('hoststream', 'g2');
    await host.acceptLink(first);
    await expect(host.acceptLink(other)).rejects.toMatchObject({ code: 'GUEST_LIMIT_REACHED' });
  });

  it('never sets a guest limit above the link quota', async () => {
    await expect(host.updateRoom({ roomId: 'hoststream', guestLimit: 4 })).rejects.toMatchObject({ code: 'LINK_QUOTA_EXCEEDED', field: 'guestLimit' });
  });

  it('refuses requests while the room does not allow them', async () => {
    await host.updateRoom({ roomId: 'hoststream', allowLinkRequests: false });
    await expect(guest.requestLink('hoststream', 'gueststream')).rejects.toMatchObject({ code: 'LINK_REQUESTS_DISABLED' });
  });

  it("refuses a guest stream code that is the host's", async () => {
    await expect(guest.requestLink('hoststream', 'hoststream')).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });
  });

  it('refuses a request to a room that is not live', async () => {
    await expect(guest.requestLink('nosuchroom', 'gueststream')).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  it('refuses an accept by someone other than the host', async () => {
    const { requestId } = await guest.requestLink('hoststream', 'gueststream');
    const other = await server.client('other');
    await expect(other.acceptLink(requestId)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('ends links and tells viewers when the host closes the room', async () => {
    const { guestView } = await requestAndAccept();
    const ended = nextEvent(guest, 'link.ended');
    const closed = nextEvent(guest, 'room.closed');
    await host.closeRoom('hoststream');
    expect(await ended).toMatchObject({ linkId: guestView.linkId, reason: 'room-closed' });
    expect(await closed).toMatchObject({ roomId: 'hoststream', reason: 'closed' });
  });

  it('allocates different session_ids to different rooms', async () => {
    const other = await server.client('host2');
    const opened = await other.openRoom({ streamCode: 'host2stream' });
    expect(opened.room.sessionId).not.toBe(sessionId);
  });
});
