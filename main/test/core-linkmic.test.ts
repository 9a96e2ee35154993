// Link-mic (连麦) and cross-room PK through two StudioCores: the host on its embedded server, the
// guest using it as a remote server (URL + token), both pushing ffmpeg test patterns for real.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLayout } from '../../common/layout';
import { MemorySecretStore } from '../settings/secret-store';
import { nextEvent, startTestCore, testSettings, waitForState, type TestCore } from './studio-test-core';

describe('link-mic and PK between two studios', () => {
  const studios: TestCore[] = [];
  afterEach(async () => {
    for (const studio of studios.splice(0).reverse()) await studio.close();
  });

  async function hostAndGuest(): Promise<{ host: TestCore; guest: TestCore }> {
    const host = await startTestCore(testSettings({ userId: 'host-a', streamCode: 'room_a' }));
    studios.push(host);
    const embedded = host.embedded();
    const guest = await startTestCore(
      testSettings({ userId: 'guest-b', streamCode: 'guest_b', server: { kind: 'remote', httpUrl: embedded.httpUrl, userId: 'guest-b' } }),
      { secrets: new MemorySecretStore() },
    );
    studios.push(guest);
    await guest.api.setServerProfile({ kind: 'remote', httpUrl: embedded.httpUrl, userId: 'guest-b', token: embedded.mintToken('guest-b') });
    return { host, guest };
  }

  it('connects a remote profile with a stored token, and never returns the token', async () => {
    const { guest } = await hostAndGuest();
    const profile = await guest.api.getServerProfile();
    expect(profile).toMatchObject({ kind: 'remote', status: 'running', signal: 'connected', userId: 'guest-b', hasToken: true, secretsEncrypted: false });
    expect(JSON.stringify(profile)).not.toContain('v1.');
  });

  it('refuses a remote profile with a forged token with TOKEN_INVALID', async () => {
    const { host, guest } = await hostAndGuest();
    const forged = guest.api.setServerProfile({ kind: 'remote', httpUrl: host.embedded().httpUrl, userId: 'guest-b', token: 'v1.9999999999.' + '0'.repeat(64) });
    await expect(forged).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect((await guest.api.getState()).server).toMatchObject({ status: 'error', lastError: { code: 'TOKEN_INVALID' } });
  });

  it('runs a same-room link-mic: request, accept, the guest pushes as small host, layout, co-host volume, hang up', async () => {
    const { host, guest } = await hostAndGuest();
    await host.api.goLive();
    const room = (await waitForState(host.api, (s) => s.live.status === 'live', 'host live')).room!;

    const incoming = nextEvent(host.api, 'linkRequest', (r) => r.direction === 'incoming');
    const request = await guest.api.requestLinkMic({ roomId: room.roomId });
    expect((await incoming).requestId).toBe(request.requestId);

    const guestLinked = nextEvent(guest.api, 'linkStarted');
    const link = await host.api.acceptLinkMic({ requestId: request.requestId });
    expect(link).toMatchObject({ role: 'host', sessionId: room.sessionId, peer: { userId: 'guest-b', streamCode: 'guest_b' } });
    expect(link.playUrls.wsFlv).toContain(`session_id=${room.sessionId}`);
    const guestView = await guestLinked;
    expect(guestView).toMatchObject({ role: 'guest', sessionId: room.sessionId, peer: { userId: 'host-a', streamCode: 'room_a' } });

    const guestLive = await waitForState(guest.api, (s) => s.live.status === 'live', 'guest live as small host');
    expect(guestLive.live.role).toBe('small');
    expect(host.embedded().server.getStream('guest_b')).toMatchObject({ sessionId: room.sessionId, layer: 's' });

    const layout = defaultLayout(1, [
      { userId: 'host-a', streamCode: 'room_a' },
      { userId: 'guest-b', streamCode: 'guest_b' },
    ]);
    const guestSeesLayout = nextEvent(guest.api, 'layout');
    expect(await host.api.setLayout({ layout })).toEqual(layout);
    expect((await guestSeesLayout).layout).toEqual(layout);

    expect(await host.api.setCoHostAudio({ userId: 'guest-b', volume: 0.5, muted: true })).toEqual({ userId: 'guest-b', muted: true, volume: 0.5 });
    expect((await host.api.getState()).links[0]?.audio).toEqual({ muted: true, volume: 0.5 });
    await expect(host.api.setCoHostAudio({ userId: 'stranger', muted: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'userId' });

    const hostSeesEnd = nextEvent(host.api, 'linkEnded');
    await guest.api.hangUp({ linkId: guestView.linkId });
    expect((await hostSeesEnd).linkId).toBe(link.linkId);
    const after = await waitForState(guest.api, (s) => s.live.status === 'offline' && s.links.length === 0, 'guest offline after hang-up');
    expect(after.live.role).toBeNull();
  });

  it('lets the host reject a request, and the guest hears why', async () => {
    const { host, guest } = await hostAndGuest();
    const room = await host.api.openRoom();
    const incoming = nextEvent(host.api, 'linkRequest', (r) => r.direction === 'incoming');
    const { requestId } = await guest.api.requestLinkMic({ roomId: room.roomId });
    await incoming;
    const ended = nextEvent(guest.api, 'linkRequestEnded');
    await host.api.rejectLinkMic({ requestId, reason: 'busy' });
    expect(await ended).toMatchObject({ requestId, outcome: 'rejected', reason: 'busy' });
    expect((await guest.api.getState()).linkRequests).toEqual([]);
  });

  it('runs a cross-room PK: invite, accept, each sees the other with the other’s session_id, end', async () => {
    const { host, guest } = await hostAndGuest();
    const roomA = await host.api.openRoom();
    const roomB = await guest.api.openRoom();
    const invited = nextEvent(guest.api, 'pkInvite', (i) => i.direction === 'incoming');
    const { pkId } = await host.api.invitePk({ roomId: roomB.roomId });
    expect((await invited).pkId).toBe(pkId);
    const hostStarted = nextEvent(host.api, 'pkStarted');
    const pk = await guest.api.acceptPk({ pkId });
    expect(pk.peer).toMatchObject({ userId: 'host-a', roomId: roomA.roomId, sessionId: roomA.sessionId });
    expect(pk.playUrls.httpFlv).toContain(`session_id=${roomA.sessionId}`);
    expect((await hostStarted).peer).toMatchObject({ userId: 'guest-b', sessionId: roomB.sessionId });
    const ended = nextEvent(guest.api, 'pkEnded');
    await host.api.endPk({ pkId });
    expect((await ended).pkId).toBe(pkId);
    expect((await host.api.getState()).pk).toBeNull();
  });
});
