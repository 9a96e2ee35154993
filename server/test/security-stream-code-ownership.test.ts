// Issue #17 item 4: stream codes belong to users. A stream code is bound to the first user who opens
// a room under it or links with it; another user's room.open or link.request naming it is refused
// with STREAM_CODE_NOT_YOURS (STREAM_CODE_TAKEN while it is in use right now), so nobody can squat
// a streamer's code while they are offline. The binding survives a restart with --state-file.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import { waitFor } from './helpers/media';
import { RestartableNodes } from './helpers/restartable-nodes';
import { startSignalServer, type SignalTestServer } from './signal-harness';

describe('stream code ownership (one node)', () => {
  let server: SignalTestServer;
  let victim: SignalClient;
  let stranger: SignalClient;
  let otherHost: SignalClient;

  beforeEach(async () => {
    server = await startSignalServer();
    victim = await server.client('victim');
    stranger = await server.client('stranger');
    otherHost = await server.client('otherhost');
    await otherHost.openRoom({ streamCode: 'other-room' });
  });
  afterEach(async () => {
    await server.close();
  });

  it("refuses a stranger's room.open under the victim's code once the victim's room is closed, and lets the victim open it again", async () => {
    await victim.openRoom({ streamCode: 'victim-code' });
    await victim.closeRoom('victim-code');

    await expect(stranger.openRoom({ streamCode: 'victim-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS', field: 'streamCode' });
    const reopened = await victim.openRoom({ streamCode: 'victim-code' });
    expect(reopened.room).toMatchObject({ roomId: 'victim-code', hostUserId: 'victim' });
  });

  it("refuses a stranger's pending link request naming the victim's code, and the victim can still link with it", async () => {
    await victim.openRoom({ streamCode: 'victim-code' });
    await victim.closeRoom('victim-code');

    await expect(stranger.requestLink('other-room', 'victim-code')).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS', field: 'streamCode' });
    const { requestId } = await victim.requestLink('other-room', 'victim-code');
    const link = await otherHost.acceptLink(requestId);
    expect(link).toMatchObject({ roomId: 'other-room', peer: { userId: 'victim', streamCode: 'victim-code' } });
  });

  it("binds a guest's stream code too: a stranger cannot open a room under the code the victim linked with", async () => {
    const requested = otherHost.events.next('link.requested', 5000);
    await victim.requestLink('other-room', 'victim-guest');
    const link = await otherHost.acceptLink((await requested).requestId);
    await victim.hangUp(link.linkId);

    await expect(stranger.openRoom({ streamCode: 'victim-guest' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    await expect(stranger.requestLink('other-room', 'victim-guest')).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
  });

  it("leaves the victim's live room and its links undisturbed by a stranger's attempts", async () => {
    await victim.openRoom({ streamCode: 'victim-code' });
    const guest = await server.client('guest');
    const { requestId } = await guest.requestLink('victim-code', 'guest-code');
    const link = await victim.acceptLink(requestId);
    const strangerEvents: string[] = [];
    for (const client of [victim, guest]) {
      client.events.on('link.ended', (event) => strangerEvents.push(`${client.userId}: link.ended ${event.reason}`));
      client.events.on('room.closed', (event) => strangerEvents.push(`${client.userId}: room.closed ${event.reason}`));
    }

    await expect(stranger.openRoom({ streamCode: 'victim-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });
    await expect(stranger.requestLink('other-room', 'victim-code')).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });
    await expect(stranger.requestLink('victim-code', 'guest-code')).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });
    // The PK invite names the victim's room: the invite goes to its owner, it cannot take the code.
    await stranger.openRoom({ streamCode: 'stranger-room' });
    const invited = victim.events.next('pk.invited', 5000);
    const { pkId } = await stranger.invitePk('victim-code');
    expect(await invited).toMatchObject({ pkId, fromRoomId: 'stranger-room', toRoomId: 'victim-code' });
    await victim.rejectPk(pkId);

    const joined = await server.client('viewer');
    const { room } = await joined.joinRoom('victim-code');
    expect(room).toMatchObject({ roomId: 'victim-code', hostUserId: 'victim', guests: [{ userId: 'guest', streamCode: 'guest-code', linkId: link.linkId }] });
    expect(strangerEvents).toEqual([]);
  });

  it('keeps the first claim: a code first used by the stranger is the stranger’s, not the later user’s', async () => {
    const { requestId } = await stranger.requestLink('other-room', 'fresh-code');
    await expect(victim.openRoom({ streamCode: 'fresh-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });
    await stranger.cancelLinkRequest(requestId);
    // No longer in use, still the stranger's.
    await expect(victim.openRoom({ streamCode: 'fresh-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    expect((await stranger.openRoom({ streamCode: 'fresh-code' })).room).toMatchObject({ hostUserId: 'stranger' });
  });
});

// A real server process with --state-file, stopped and started again on the same state file.
describe('stream code ownership across a restart (state file)', () => {
  const run = new RestartableNodes();
  afterEach(() => run.close());

  it('still refuses the stranger after the server restarts', async () => {
    const stateFile = run.stateFile('linkmic-owner-');
    const first = await run.start(stateFile);
    const victim = await run.client(first, 'victim');
    await victim.openRoom({ streamCode: 'victim-code' });
    await victim.closeRoom('victim-code');
    await waitFor(() => existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes('"codeOwners"') && !readFileSync(stateFile, 'utf8').includes('"hostedRoomId":"victim-code"'), 'the state file to hold the closed room’s owner');
    victim.close();
    first.child.process.kill('SIGKILL');
    await first.child.exited;

    const second = await run.start(stateFile);
    const stranger = await run.client(second, 'stranger');
    await expect(stranger.openRoom({ streamCode: 'victim-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    const back = await run.client(second, 'victim');
    expect((await back.openRoom({ streamCode: 'victim-code' })).room).toMatchObject({ roomId: 'victim-code', hostUserId: 'victim' });
  }, 120_000);
});
