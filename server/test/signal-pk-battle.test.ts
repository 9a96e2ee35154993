import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalClient } from '../../common/signal/signal-client';
import type { EventPayload } from '../../common/signal/messages';
import { nextEvent, startSignalServer, type SignalTestServer } from './signal-harness';

/** The next `pk.battle` on a client that satisfies `match` (others are skipped; 5 s at most). */
function battleWhere(client: SignalClient, match: (event: EventPayload<'pk.battle'>) => boolean): Promise<EventPayload<'pk.battle'>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error('no matching pk.battle within 5 s'));
    }, 5000);
    const subscription = client.events.on('pk.battle', (event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(event);
    });
  });
}

describe('PK battles', () => {
  let server: SignalTestServer;
  let hostA: SignalClient;
  let hostB: SignalClient;
  let fanA: SignalClient;
  let fanB: SignalClient;

  beforeEach(async () => {
    server = await startSignalServer({ voteRateLimit: { burst: 5, perSecond: 1 } });
    hostA = await server.client('hostA');
    hostB = await server.client('hostB');
    fanA = await server.client('viewer.fanA');
    fanB = await server.client('viewer.fanB');
    await hostA.openRoom({ streamCode: 'roomA' });
    await hostB.openRoom({ streamCode: 'roomB' });
    await fanA.joinRoom('roomA');
    await fanB.joinRoom('roomB');
  });
  afterEach(async () => {
    await server.close();
  });

  async function startBattle(durationSec = 180): Promise<string> {
    const invited = nextEvent(hostB, 'pk.invited');
    const { pkId } = await hostA.invitePk('roomB', durationSec);
    expect(await invited).toMatchObject({ pkId, durationSec });
    const announced = nextEvent(fanB, 'pk.battle');
    const view = await hostB.acceptPk(pkId);
    expect(view.battle).toMatchObject({ round: 1, durationSec, phase: 'battle', result: null });
    expect((await announced).battle.sides.map((s) => s.roomId)).toEqual(['roomA', 'roomB']);
    return pkId;
  }

  it('offers 1, 3, 5 and 10 minutes and refuses any other duration', async () => {
    await expect(hostA.invitePk('roomB', 42)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'durationSec' });
    const { pkId } = await hostA.invitePk('roomB', 600);
    await hostA.cancelPkInvite(pkId);
  });

  it('starts the server clock at accept: every party sees the same end time', async () => {
    const before = server.clock.now();
    const battleA = nextEvent(hostA, 'pk.battle');
    const pkId = await startBattle(300);
    const fromA = (await battleA).battle;
    expect(fromA.endsAt - fromA.startedAt).toBe(300_000);
    expect(fromA.startedAt).toBe(before);
    const snapshot = await fanA.joinRoom('roomA');
    expect(snapshot.room.pk).toMatchObject({ pkId, battle: { endsAt: fromA.endsAt, phase: 'battle' } });
  });

  it('counts likes and gifts per side from both rooms’ viewers and tells everyone', async () => {
    const pkId = await startBattle();
    expect(await fanA.votePk(pkId, 'roomA', 'like')).toEqual({ points: 1 });
    await fanA.votePk(pkId, 'roomA', 'rose');
    await fanB.votePk(pkId, 'roomB', 'rocket');
    await fanB.votePk(pkId, 'roomA', 'like');
    const seenByA = battleWhere(hostA, (e) => e.battle.sides[0].score === 12);
    const seenByFanB = battleWhere(fanB, (e) => e.battle.sides[0].score === 12);
    server.clock.advance(250);
    expect((await seenByA).battle.sides.map((s) => s.score)).toEqual([12, 50]);
    expect((await seenByFanB).battle.sides.map((s) => s.score)).toEqual([12, 50]);
  });

  it('refuses votes from the hosts, from outsiders, for a room not in the PK, and beyond the per-viewer rate', async () => {
    const pkId = await startBattle();
    const outsider = await server.client('viewer.outsider');
    await expect(hostA.votePk(pkId, 'roomA', 'like')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(outsider.votePk(pkId, 'roomA', 'like')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await expect(fanA.votePk(pkId, 'roomC', 'like')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'roomId' });
    for (let i = 0; i < 5; i++) await fanA.votePk(pkId, 'roomA', 'like');
    await expect(fanA.votePk(pkId, 'roomA', 'like')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another viewer has its own allowance; the limited one gets a vote back after a second.
    await fanB.votePk(pkId, 'roomB', 'like');
    server.clock.advance(1000);
    await fanA.votePk(pkId, 'roomA', 'like');
    const seen = battleWhere(hostB, (e) => e.battle.sides[0].score === 6);
    server.clock.advance(250);
    expect((await seen).battle.sides.map((s) => s.score)).toEqual([6, 1]);
  });

  it('ends the battle at its end time with the winner, closes the votes, then returns both to solo', async () => {
    const pkId = await startBattle(60);
    await fanB.votePk(pkId, 'roomB', 'rose');
    await fanA.votePk(pkId, 'roomA', 'like');
    const resultOnFan = battleWhere(fanA, (e) => e.battle.phase === 'result');
    server.clock.advance(60_000);
    const result = (await resultOnFan).battle;
    expect(result.result).toEqual({ winnerRoomId: 'roomB' });
    expect(result.sides.map((s) => s.score)).toEqual([1, 10]);
    await expect(fanA.votePk(pkId, 'roomA', 'like')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const endedA = nextEvent(hostA, 'pk.ended');
    const endedB = nextEvent(hostB, 'pk.ended');
    server.clock.advance(10_000);
    expect(await endedA).toMatchObject({ pkId, reason: 'finished' });
    expect(await endedB).toMatchObject({ pkId, reason: 'finished' });
    expect(hostA.activePk).toBeUndefined();
  });

  it('calls a draw on equal scores', async () => {
    await startBattle(60);
    const result = battleWhere(hostA, (e) => e.battle.phase === 'result');
    server.clock.advance(60_000);
    expect((await result).battle.result).toEqual({ winnerRoomId: null });
  });

  it('starts a rematch with fresh scores when both hosts ask in the result phase', async () => {
    const pkId = await startBattle(60);
    await fanA.votePk(pkId, 'roomA', 'like');
    await expect(hostA.rematchPk(pkId)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const result = battleWhere(hostB, (e) => e.battle.phase === 'result');
    server.clock.advance(60_000);
    await result;
    const asked = battleWhere(hostB, (e) => e.battle.rematch.length === 1);
    expect(await hostA.rematchPk(pkId)).toEqual({ rematch: ['hostA'] });
    expect((await asked).battle.rematch).toEqual(['hostA']);
    await expect(fanA.request('pk.rematch', { pkId })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    const round2 = battleWhere(fanB, (e) => e.battle.round === 2);
    await hostB.rematchPk(pkId);
    const battle = (await round2).battle;
    expect(battle).toMatchObject({ phase: 'battle', result: null, rematch: [] });
    expect(battle.sides.map((s) => s.score)).toEqual([0, 0]);
    // The old result phase's end no longer ends the PK.
    server.clock.advance(10_000);
    expect(hostA.activePk?.battle).toMatchObject({ round: 2, phase: 'battle' });
  });

  it('keeps the battle in the state a reconnecting host gets back', async () => {
    const pkId = await startBattle(180);
    await fanA.votePk(pkId, 'roomA', 'rocket');
    server.clock.advance(250);
    const dropped = nextEvent(hostA, 'connected');
    server.service.disconnectUser('hostA');
    const hello = await dropped;
    expect(hello.resumed).toBe(true);
    expect(hello.state.pk?.battle).toMatchObject({ phase: 'battle', sides: [{ roomId: 'roomA', score: 50 }, { roomId: 'roomB', score: 0 }] });
  });

  it('is part of the PK in a state snapshot: restored on another server, its clock runs on and the result comes', async () => {
    const pkId = await startBattle(180);
    await fanB.votePk(pkId, 'roomB', 'rose');
    server.clock.advance(60_000);
    const snapshot = server.service.hub.exportSnapshot(() => undefined);
    const restored = await startSignalServer();
    try {
      restored.clock.advance(server.clock.now() - restored.clock.now());
      restored.service.hub.restoreSnapshot(JSON.parse(JSON.stringify(snapshot)), () => undefined);
      const a = await restored.client('hostA');
      await restored.client('hostB');
      const result = battleWhere(a, (e) => e.battle.phase === 'result');
      restored.clock.advance(120_000);
      expect((await result).battle).toMatchObject({ round: 1, result: { winnerRoomId: 'roomB' }, sides: [{ score: 0 }, { score: 10 }] });
    } finally {
      await restored.close();
    }
  });

  it('leaves an invite without a duration an open-ended PK with no battle', async () => {
    const { pkId } = await hostA.invitePk('roomB');
    const view = await hostB.acceptPk(pkId);
    expect(view.battle).toBeNull();
    await expect(fanA.votePk(pkId, 'roomA', 'like')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('accepts the test-only duration only when the server turns it on', async () => {
    await expect(hostA.invitePk('roomB', 5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const testServer = await startSignalServer({ battleTestDurationSec: 5 });
    try {
      const a = await testServer.client('a');
      const b = await testServer.client('b');
      await a.openRoom({ streamCode: 'ra' });
      await b.openRoom({ streamCode: 'rb' });
      const { pkId } = await a.invitePk('rb', 5);
      expect((await b.acceptPk(pkId)).battle).toMatchObject({ durationSec: 5 });
    } finally {
      await testServer.close();
    }
  });

  it('says at hello which battle lengths it accepts, the test-only one first when it is on', async () => {
    const lengthsAt = async (target: SignalTestServer): Promise<readonly number[] | undefined> => {
      const probe = await target.raw();
      const answer = (await probe.request({ id: 'hello', type: 'hello', userId: 'probe', token: target.token('probe') })) as { result?: { battleDurationsSec?: number[] } };
      return answer.result?.battleDurationsSec;
    };
    expect(await lengthsAt(server)).toEqual([60, 180, 300, 600]);
    const testServer = await startSignalServer({ battleTestDurationSec: 5 });
    try {
      expect(await lengthsAt(testServer)).toEqual([5, 60, 180, 300, 600]);
    } finally {
      await testServer.close();
    }
  });
  it('tells the server mix each change of a battle and its end, with the asking room’s side first ([mixer])', async () => {
    const changes: Array<readonly string[]> = [];
    const subscription = server.service.hub.onBattleChange((roomIds) => changes.push(roomIds));
    try {
      const pkId = await startBattle();
      expect(changes.at(-1)).toEqual(['roomA', 'roomB']);
      await fanB.votePk(pkId, 'roomB', 'rose');
      const seen = battleWhere(hostA, (e) => e.battle.sides[1].score === 10);
      const before = changes.length;
      server.clock.advance(250);
      await seen;
      expect(changes.length).toBeGreaterThan(before);
      expect(server.service.hub.battleOfStream('roomB')).toMatchObject({ own: 10, peer: 0, serverTime: server.clock.now(), battle: { phase: 'battle' } });
      expect(server.service.hub.battleOfStream('roomA')).toMatchObject({ own: 0, peer: 10 });
      const ended = changes.length;
      await hostA.endPk(pkId);
      expect(changes.length).toBe(ended + 1);
      expect(server.service.hub.battleOfStream('roomA')).toBeUndefined();
    } finally {
      subscription.dispose();
    }
  });
});
