// A PK battle through three StudioCores on one real link-mic server (short test duration): two
// hosts in a PK battle, a third studio in audience mode voting; every studio mirrors the server's
// clock and scores, the result phase names the winner, a rematch starts round 2; a host whose line
// was cut while the battle moved on shows the server's scores and phase once it is back.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkMicServer } from '../../server';
import { MemorySecretStore } from '../settings/secret-store';
import { CutProxy } from './helpers/cut-proxy';
import { nextEvent, startTestCore, testSettings, waitForState, type TestCore } from './studio-test-core';

describe('PK battle between two studios, with an audience studio voting', () => {
  const studios: TestCore[] = [];
  let server: LinkMicServer | null = null;
  let proxy: CutProxy | null = null;
  afterEach(async () => {
    for (const studio of studios.splice(0).reverse()) await studio.close();
    await proxy?.close();
    proxy = null;
    await server?.close();
    server = null;
  });

  async function studioOn(userId: string, streamCode: string, httpUrl = server!.httpUrl): Promise<TestCore> {
    const studio = await startTestCore(testSettings({ userId, streamCode, server: { kind: 'remote', httpUrl, userId } }), { secrets: new MemorySecretStore() });
    studios.push(studio);
    await studio.api.setServerProfile({ kind: 'remote', httpUrl, userId, token: server!.signal.mintToken(userId).token });
    return studio;
  }

  /** `cuttable`: host A (or, with `cut: 'fan'`, the fan) reaches the server through a CutProxy (`proxy`). */
  async function battleSetup(durationSec: number, options: { battleResultMs?: number; cuttable?: boolean; cut?: 'host-a' | 'fan' } = {}) {
    server = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, key: randomBytes(16).toString('hex'), logLevel: 'silent', signal: { battleTestDurationSec: 2, battleResultMs: options.battleResultMs ?? 1500 } });
    await server.start();
    if (options.cuttable) {
      proxy = new CutProxy({ host: '127.0.0.1', port: Number(new URL(server.httpUrl).port) });
      await proxy.listen();
    }
    const cut = options.cut ?? 'host-a';
    const hostA = await studioOn('host-a', 'room_a', cut === 'host-a' ? proxy?.httpUrl : undefined);
    const hostB = await studioOn('host-b', 'room_b');
    const fan = await studioOn('fan-c', 'fan_c', cut === 'fan' ? proxy?.httpUrl : undefined);
    const roomA = await hostA.api.openRoom();
    const roomB = await hostB.api.openRoom();
    await fan.api.joinRoom({ roomId: roomA.roomId });
    const invited = nextEvent(hostB.api, 'pkInvite', (i) => i.direction === 'incoming');
    const { pkId } = await hostA.api.invitePk({ roomId: roomB.roomId, durationSec });
    await invited;
    const pk = await hostB.api.acceptPk({ pkId });
    return { hostA, hostB, fan, roomA, roomB, pkId, pk };
  }

  it('mirrors the server-owned clock on both hosts and counts the audience’s votes per side', async () => {
    const { hostA, hostB, fan, roomA, roomB, pkId, pk } = await battleSetup(60);
    expect(pk.battle).toMatchObject({ pkId, battle: { round: 1, durationSec: 60, phase: 'battle', result: null } });
    const a = await waitForState(hostA.api, (s) => s.pk?.battle?.battle.phase === 'battle', 'host A sees the battle');
    expect(a.pk!.battle!.battle.endsAt).toBe(pk.battle!.battle.endsAt);
    expect(a.pk!.battle!.battle.sides.map((s) => s.roomId)).toEqual([roomA.roomId, roomB.roomId]);

    // The duration picker offers what the server accepts, its test-only length first.
    expect((await hostA.api.getState()).server.battleDurationsSec).toEqual([2, 60, 180, 300, 600]);

    const watched = await waitForState(fan.api, (s) => s.watchedBattles.some((b) => b.pkId === pkId), 'the fan sees the battle of the room it watches');
    expect(watched.watchedBattles[0]!.battle.endsAt).toBe(pk.battle!.battle.endsAt);

    expect(await fan.api.votePk({ pkId, roomId: roomA.roomId, kind: 'rose' })).toEqual({ points: 10 });
    expect(await fan.api.votePk({ pkId, roomId: roomB.roomId, kind: 'like' })).toEqual({ points: 1 });
    const scored = (s: { pk: { battle: { battle: { sides: readonly { score: number }[] } } | null } | null }) =>
      s.pk?.battle?.battle.sides[0]?.score === 10 && s.pk.battle.battle.sides[1]?.score === 1;
    await waitForState(hostA.api, scored, 'host A sees 10 : 1');
    await waitForState(hostB.api, scored, 'host B sees 10 : 1');
    await waitForState(fan.api, (s) => s.watchedBattles[0]?.battle.sides[0]?.score === 10, 'the fan sees 10 for room A');

    await expect(fan.api.votePk({ pkId, roomId: roomA.roomId, kind: 'diamond' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('enters the result phase with the winner, and a rematch by both hosts starts round 2', async () => {
    const { hostA, hostB, fan, roomA, pkId } = await battleSetup(2);
    await fan.api.votePk({ pkId, roomId: roomA.roomId, kind: 'like' });
    const result = await waitForState(hostB.api, (s) => s.pk?.battle?.battle.phase === 'result', 'host B sees the result');
    expect(result.pk!.battle!.battle.result).toEqual({ winnerRoomId: roomA.roomId });

    const round2 = nextEvent(hostA.api, 'pkBattle', (v) => v.battle.round === 2);
    expect((await hostA.api.rematchPk({ pkId })).rematch).toEqual(['host-a']);
    await hostB.api.rematchPk({ pkId });
    expect((await round2).battle).toMatchObject({ phase: 'battle', durationSec: 2, sides: [{ score: 0 }, { score: 0 }] });
  });

  it('shows the scores, phase and winner it missed while its line was cut, once the server resumes it', async () => {
    const { hostA, hostB, fan, roomA, pkId } = await battleSetup(2, { battleResultMs: 60_000, cuttable: true });
    await waitForState(hostA.api, (s) => s.pk?.battle?.battle.phase === 'battle', 'host A sees the battle');
    proxy!.cut();
    await waitForState(hostA.api, (s) => s.server.signal !== 'connected', 'host A loses signalling');
    // While A is away: a rose for room A, the clock runs out, the result names room A.
    expect(await fan.api.votePk({ pkId, roomId: roomA.roomId, kind: 'rose' })).toEqual({ points: 10 });
    const result = await waitForState(hostB.api, (s) => s.pk?.battle?.battle.phase === 'result', 'host B sees the result');
    expect(result.pk!.battle!.battle.result).toEqual({ winnerRoomId: roomA.roomId });
    const stale = await hostA.api.getState();
    expect(stale.pk?.battle?.battle).toMatchObject({ phase: 'battle', sides: [{ score: 0 }, { score: 0 }] });

    proxy!.restore();
    const back = await waitForState(hostA.api, (s) => s.server.signal === 'connected' && s.pk?.battle?.battle.phase === 'result', 'host A is back and shows the result');
    expect(back.pk?.pkId).toBe(pkId);
    expect(back.pk?.battle?.battle).toMatchObject({ phase: 'result', result: { winnerRoomId: roomA.roomId }, sides: [{ roomId: roomA.roomId, score: 10 }, { score: 0 }] });
    expect(back.pk?.battle?.battle.resultEndsAt).toBe(result.pk!.battle!.battle.resultEndsAt);
  });

  it('shows the watched battle it missed while its line was cut (audience mode), once it is back', async () => {
    const { hostB, fan, roomA, roomB, pkId } = await battleSetup(2, { battleResultMs: 60_000, cuttable: true, cut: 'fan' });
    await waitForState(fan.api, (s) => s.watchedBattles.some((b) => b.pkId === pkId && b.battle.phase === 'battle'), 'the fan sees the battle');
    proxy!.cut();
    await waitForState(fan.api, (s) => s.server.signal !== 'connected', 'the fan loses signalling');
    // While the fan is away another viewer of room B sends a rose, and the result names room B.
    const other = await studioOn('fan-d', 'fan_d');
    await other.api.joinRoom({ roomId: roomB.roomId });
    expect(await other.api.votePk({ pkId, roomId: roomB.roomId, kind: 'rose' })).toEqual({ points: 10 });
    const result = await waitForState(hostB.api, (s) => s.pk?.battle?.battle.phase === 'result', 'host B sees the result');
    expect(result.pk!.battle!.battle.result).toEqual({ winnerRoomId: roomB.roomId });
    expect((await fan.api.getState()).watchedBattles[0]?.battle.phase).toBe('battle');

    proxy!.restore();
    const back = await waitForState(fan.api, (s) => s.server.signal === 'connected' && s.watchedBattles[0]?.battle.phase === 'result', 'the fan is back and sees the result');
    expect(back.joinedRooms).toEqual([roomA.roomId]);
    expect(back.watchedBattles[0]?.battle).toMatchObject({ phase: 'result', result: { winnerRoomId: roomB.roomId }, sides: [{ roomId: roomA.roomId, score: 0 }, { roomId: roomB.roomId, score: 10 }] });
  });
});
