// Issue #17 item 4: stream codes belong to users. A stream code is bound to the first user who opens
// a room under it or links with it; another user's room.open or link.request naming it is refused
// with STREAM_CODE_NOT_YOURS (STREAM_CODE_TAKEN while it is in use right now), so nobody can squat
// a streamer's code while they are offline. The binding survives a restart with --state-file.
// Claims are bounded: at most 16 per user by default (STREAM_CODE_LIMIT_REACHED beyond), and a claim
// whose code has not been in use for 30 days (the hub's clock) expires; a code in use never does.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import { ManualClock } from '../signal/clock';
import { DEFAULT_STREAM_CODE_CLAIMS } from '../signal/signal-hub';
import { waitFor } from './helpers/media';
import { InProcessSignalServers } from './helpers/in-process-signal-servers';
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

describe('stream code claims: a cap per user, idle ones expire (one node, manual clock)', () => {
  const DAY_MS = 24 * 3600 * 1000;
  const EXPIRY_MS = DEFAULT_STREAM_CODE_CLAIMS.idleExpiryMs;
  const servers = new InProcessSignalServers();
  afterEach(() => servers.close());

  /** A client whose token outlives the days these specs move the clock by. */
  const longLived = (server: SignalTestServer, userId: string): Promise<SignalClient> => server.client(userId, { token: server.token(userId, 400 * 24 * 3600) });

  const ownerOf = (server: SignalTestServer, streamCode: string): string | undefined =>
    server.service.hub.exportSnapshot(() => undefined).codeOwners.find((claim) => claim.streamCode === streamCode)?.userId;

  it('holds 16 claims per user by default', () => {
    expect(DEFAULT_STREAM_CODE_CLAIMS).toEqual({ maxPerUser: 16, idleExpiryMs: 30 * DAY_MS });
  });

  it("refuses a user's claim over its cap with STREAM_CODE_LIMIT_REACHED; the victim is undisturbed and can still claim the code", async () => {
    const server = await servers.start({ maxStreamCodesPerUser: 4 });
    const victim = await server.client('victim');
    const attacker = await server.client('attacker');
    const otherHost = await server.client('otherhost');
    await victim.openRoom({ streamCode: 'victim-code' });
    await otherHost.openRoom({ streamCode: 'other-room' });
    const victimEvents: string[] = [];
    victim.events.on('room.closed', (event) => victimEvents.push(`room.closed ${event.reason}`));
    victim.events.on('link.ended', (event) => victimEvents.push(`link.ended ${event.reason}`));

    // Pre-claiming: open and close a room under one code after another.
    for (let i = 0; i < 4; i += 1) {
      await attacker.openRoom({ streamCode: `grab-${i}` });
      await attacker.closeRoom(`grab-${i}`);
    }
    await expect(attacker.openRoom({ streamCode: 'grab-4' })).rejects.toMatchObject({ code: 'STREAM_CODE_LIMIT_REACHED', field: 'streamCode' });
    await expect(attacker.requestLink('other-room', 'grab-5')).rejects.toMatchObject({ code: 'STREAM_CODE_LIMIT_REACHED', field: 'streamCode' });
    expect([ownerOf(server, 'grab-4'), ownerOf(server, 'grab-5')]).toEqual([undefined, undefined]);
    // Its own codes stay usable.
    expect((await attacker.openRoom({ streamCode: 'grab-0' })).room).toMatchObject({ hostUserId: 'attacker' });

    // The codes it could not claim are free for others, and the victim's room is as it was.
    const { requestId } = await victim.requestLink('other-room', 'grab-4');
    expect(await otherHost.acceptLink(requestId)).toMatchObject({ peer: { userId: 'victim', streamCode: 'grab-4' } });
    const viewer = await server.client('viewer');
    expect((await viewer.joinRoom('victim-code')).room).toMatchObject({ roomId: 'victim-code', hostUserId: 'victim' });
    expect(victimEvents).toEqual([]);
  });

  it('lets an idle claim expire after 30 days: another user can then claim the code, and the expired claim is forgotten', async () => {
    const server = await servers.start();
    const victim = await longLived(server, 'victim');
    const stranger = await longLived(server, 'stranger');
    for (const streamCode of ['old-code', 'other-old']) {
      await victim.openRoom({ streamCode });
      await victim.closeRoom(streamCode);
    }

    server.clock.advance(EXPIRY_MS - 1);
    await expect(stranger.openRoom({ streamCode: 'old-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    server.clock.advance(1);
    expect((await stranger.openRoom({ streamCode: 'old-code' })).room).toMatchObject({ roomId: 'old-code', hostUserId: 'stranger' });
    expect(ownerOf(server, 'old-code')).toBe('stranger');
    expect(ownerOf(server, 'other-old')).toBeUndefined(); // not saved any more
    await stranger.closeRoom('old-code');
    await expect(victim.openRoom({ streamCode: 'old-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
  });

  it('never expires a claim in use: the idle time counts from when the room closed', async () => {
    const server = await servers.start();
    const victim = await longLived(server, 'victim');
    const stranger = await longLived(server, 'stranger');
    await victim.openRoom({ streamCode: 'live-code' });

    server.clock.advance(EXPIRY_MS + DAY_MS); // live all along
    await expect(stranger.openRoom({ streamCode: 'live-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_TAKEN' });
    expect(ownerOf(server, 'live-code')).toBe('victim');
    await victim.closeRoom('live-code');
    await expect(stranger.openRoom({ streamCode: 'live-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    server.clock.advance(EXPIRY_MS - DAY_MS);
    await expect(stranger.openRoom({ streamCode: 'live-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    expect((await victim.openRoom({ streamCode: 'live-code' })).room).toMatchObject({ hostUserId: 'victim' });
  });

  it('keeps the last use of a claim across a restart (state file): it expires 30 days after the last use, not after the restart', async () => {
    const file = servers.stateFile('linkmic-claims-');
    const first = await servers.start({}, 0, { store: servers.store(file) });
    const victim = await longLived(first, 'victim');
    await victim.openRoom({ streamCode: 'saved-code' });
    await victim.closeRoom('saved-code');
    first.clock.advance(10 * DAY_MS);
    victim.close();
    await first.stop();
    expect(readFileSync(file, 'utf8')).toContain('"lastUsedAt"');

    const second = await servers.start({}, 0, { store: servers.store(file), clock: new ManualClock(first.clock.now()) });
    const stranger = await longLived(second, 'stranger');
    await expect(stranger.openRoom({ streamCode: 'saved-code' })).rejects.toMatchObject({ code: 'STREAM_CODE_NOT_YOURS' });
    second.clock.advance(EXPIRY_MS - 10 * DAY_MS);
    expect((await stranger.openRoom({ streamCode: 'saved-code' })).room).toMatchObject({ hostUserId: 'stranger' });
  });
});
