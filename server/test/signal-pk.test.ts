import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStreamUrl } from '../../common/urls';
import type { SignalClient } from '../../common/signal/signal-client';
import { nextEvent, startSignalServer, waitFor, type SignalTestServer } from './signal-harness';

describe('cross-room PK', () => {
  let server: SignalTestServer;
  let hostA: SignalClient;
  let hostB: SignalClient;
  let sessionA: number;
  let sessionB: number;

  beforeEach(async () => {
    server = await startSignalServer();
    hostA = await server.client('hostA');
    hostB = await server.client('hostB');
    sessionA = (await hostA.openRoom({ streamCode: 'roomA' })).room.sessionId;
    sessionB = (await hostB.openRoom({ streamCode: 'roomB' })).room.sessionId;
  });
  afterEach(async () => {
    await server.close();
  });

  async function invite() {
    const invited = nextEvent(hostB, 'pk.invited');
    const { pkId } = await hostA.invitePk('roomB');
    expect(await invited).toMatchObject({ pkId, from: 'hostA', fromRoomId: 'roomA', toRoomId: 'roomB' });
    return pkId;
  }

  it("links both hosts on accept, each playing the other's stream under the other's session_id", async () => {
    const pkId = await invite();
    const startedA = nextEvent(hostA, 'pk.started');
    const viewB = await hostB.acceptPk(pkId);
    const viewA = await startedA;
    expect(sessionA).not.toBe(sessionB);
    expect(viewA).toMatchObject({ pkId, roomId: 'roomA', sessionId: sessionA, peer: { userId: 'hostB', roomId: 'roomB', streamCode: 'roomB', sessionId: sessionB } });
    expect(viewB).toMatchObject({ pkId, roomId: 'roomB', sessionId: sessionB, peer: { userId: 'hostA', streamCode: 'roomA', sessionId: sessionA } });
    for (const url of Object.values(viewA.playUrls)) expect(parseStreamUrl(url)).toMatchObject({ streamCode: 'roomB', sessionId: sessionB });
    for (const url of Object.values(viewB.playUrls)) expect(parseStreamUrl(url)).toMatchObject({ streamCode: 'roomA', sessionId: sessionA });
  });

  it('ends for both hosts when either ends it', async () => {
    const pkId = await invite();
    await hostB.acceptPk(pkId);
    const endedA = nextEvent(hostA, 'pk.ended');
    const endedB = nextEvent(hostB, 'pk.ended');
    await hostB.endPk(pkId);
    expect(await endedA).toMatchObject({ pkId, reason: 'ended', by: 'hostB' });
    expect(await endedB).toMatchObject({ pkId, reason: 'ended' });
    expect(hostA.activePk).toBeUndefined();
  });

  it('tells the inviter when the invite is rejected', async () => {
    const pkId = await invite();
    const ended = nextEvent(hostA, 'pk.inviteEnded');
    await hostB.rejectPk(pkId, 'busy');
    expect(await ended).toMatchObject({ pkId, outcome: 'rejected', reason: 'busy' });
  });

  it('tells the invitee when the invite is cancelled, and refuses an accept after it', async () => {
    const pkId = await invite();
    const ended = nextEvent(hostB, 'pk.inviteEnded');
    await hostA.cancelPkInvite(pkId);
    expect(await ended).toMatchObject({ pkId, outcome: 'cancelled' });
    await expect(hostB.acceptPk(pkId)).rejects.toMatchObject({ code: 'REQUEST_NOT_PENDING' });
  });

  it('times an invite out after 30 s', async () => {
    const pkId = await invite();
    const endedA = nextEvent(hostA, 'pk.inviteEnded');
    const endedB = nextEvent(hostB, 'pk.inviteEnded');
    server.clock.advance(30_000);
    expect(await endedA).toMatchObject({ pkId, outcome: 'timeout' });
    expect(await endedB).toMatchObject({ pkId, outcome: 'timeout' });
  });

  it('allows one PK at a time per host', async () => {
    const pkId = await invite();
    await hostB.acceptPk(pkId);
    const hostC = await server.client('hostC');
    await hostC.openRoom({ streamCode: 'roomC' });
    await expect(hostC.invitePk('roomA')).rejects.toMatchObject({ code: 'PK_BUSY' });
    await expect(hostA.invitePk('roomC')).rejects.toMatchObject({ code: 'PK_BUSY' });
  });

  it('refuses an invite from a user without a live room, and to its own room', async () => {
    const viewer = await server.client('viewer');
    await expect(viewer.invitePk('roomB')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(hostA.invitePk('roomA')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('only the invited host can accept', async () => {
    const pkId = await invite();
    await expect(hostA.acceptPk(pkId)).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('keeps same-room guests linked through a PK', async () => {
    const guest = await server.client('guest');
    const requested = nextEvent(hostA, 'link.requested');
    const { requestId } = await guest.requestLink('roomA', 'guestA');
    await requested;
    const link = await hostA.acceptLink(requestId);
    const pkId = await invite();
    await hostB.acceptPk(pkId);
    const pkEnded = nextEvent(hostA, 'pk.ended');
    await hostA.endPk(pkId);
    await pkEnded;
    expect(hostA.activeLinks.map((l) => l.linkId)).toContain(link.linkId);
    const snapshot = await guest.joinRoom('roomA');
    expect(snapshot.room.guests.map((g) => g.userId)).toEqual(['guest']);
  });

  it('ends the PK for the other host when one host is gone past the grace period', async () => {
    const pkId = await invite();
    await hostB.acceptPk(pkId);
    const ended = nextEvent(hostA, 'pk.ended');
    hostB.close();
    await waitFor(() => !server.service.hub.isOnline('hostB'), 'hostB offline');
    server.clock.advance(30_000);
    expect(await ended).toMatchObject({ pkId, reason: 'disconnected', by: 'hostB' });
  });

  it('ends a pending invite when the inviting room closes', async () => {
    const pkId = await invite();
    const ended = nextEvent(hostB, 'pk.inviteEnded');
    await hostA.closeRoom('roomA');
    expect(await ended).toMatchObject({ pkId, outcome: 'room-closed' });
  });

  it("tells each room's viewers who the PK peer is", async () => {
    const viewer = await server.client('viewer');
    await viewer.joinRoom('roomB');
    const pkId = await invite();
    const updated = nextEvent(viewer, 'room.updated');
    await hostB.acceptPk(pkId);
    const { room } = await updated;
    expect(room.pk).toMatchObject({ pkId, peerUserId: 'hostA', peerRoomId: 'roomA', peerStreamCode: 'roomA' });
    expect(Object.keys(room.audienceUrls).sort()).toEqual(['roomA', 'roomB']);
  });
});
