import { describe, expect, it } from 'vitest';
import { translate } from '../../common/i18n';
import type { PkBattleView } from '../../common/studio-api';
import { battleScreen, pickedDuration } from '../console/pk-battle-model';

function view(overrides: Partial<PkBattleView['battle']> = {}, serverOffsetMs = 0): PkBattleView {
  return {
    pkId: 'pk1',
    serverOffsetMs,
    battle: {
      round: 1,
      durationSec: 60,
      phase: 'battle',
      startedAt: 1_000_000,
      endsAt: 1_060_000,
      resultEndsAt: 1_070_000,
      sides: [
        { roomId: 'room_a', userId: 'host-a', score: 30 },
        { roomId: 'room_b', userId: 'host-b', score: 10 },
      ],
      result: null,
      rematch: [],
      ...overrides,
    },
  };
}

describe('PK battle on the console', () => {
  it('counts down in server time, so two consoles with different clocks show the same seconds', () => {
    // Console B's clock is 5 s ahead of the server: its offset is −5 s.
    expect(battleScreen(view({}, 0), 'room_a', 1_030_000).secondsLeft).toBe(30);
    expect(battleScreen(view({}, -5_000), 'room_b', 1_035_000).secondsLeft).toBe(30);
    expect(battleScreen(view(), 'room_a', 2_000_000).secondsLeft).toBe(0);
  });

  it('shows our side first on either console, with the bar split by score', () => {
    const a = battleScreen(view(), 'room_a', 1_000_000);
    expect([a.ours.score, a.theirs.score, a.oursShare]).toEqual([30, 10, 0.75]);
    const b = battleScreen(view(), 'room_b', 1_000_000);
    expect([b.ours.roomId, b.ours.score, b.theirs.score, b.oursShare]).toEqual(['room_b', 10, 30, 0.25]);
    expect(battleScreen(view({ sides: [{ roomId: 'room_a', userId: 'host-a', score: 0 }, { roomId: 'room_b', userId: 'host-b', score: 0 }] }), 'room_a', 0).oursShare).toBe(0.5);
  });

  it('names the winner, the loser or a draw in the result phase, with the result countdown', () => {
    const result = view({ phase: 'result', result: { winnerRoomId: 'room_a' } });
    expect(battleScreen(result, 'room_a', 1_065_000)).toMatchObject({ outcome: 'won', secondsLeft: 5 });
    expect(battleScreen(result, 'room_b', 1_065_000).outcome).toBe('lost');
    // A viewer's board stays up 5 s past the result phase (the hosts may rematch): its countdown says so.
    expect(battleScreen(result, 'room_a', 1_065_000, true).secondsLeft).toBe(10);
    expect(battleScreen(view({ phase: 'result', result: { winnerRoomId: null } }), 'room_a', 0).outcome).toBe('draw');
    expect(battleScreen(view(), 'room_a', 0).outcome).toBeNull();
  });

  it('has its words in English and Simplified Chinese', () => {
    expect(translate('en', 'pk.battle.minutes', { minutes: 3 })).toBe('3 min');
    expect(translate('zh-CN', 'pk.battle.minutes', { minutes: 3 })).toBe('3 分钟');
    expect(translate('zh-CN', 'pk.battle.ours', { score: 12_345 })).toBe('我方 12,345');
    expect(translate('en', 'pk.battle.vote.rocket')).toBe('Rocket (+50)');
  });

  it('offers the lengths the server accepts and keeps the pick valid: 3 min first, else the first offered', () => {
    expect(pickedDuration(180, [60, 180, 300, 600])).toBe(180);
    expect(pickedDuration(0, [60, 180])).toBe(0);
    expect(pickedDuration(20, [20, 60, 180, 300, 600])).toBe(20);
    expect(pickedDuration(20, [60, 180, 300, 600])).toBe(180);
    expect(pickedDuration(600, [20, 60])).toBe(20);
    expect(translate('en', 'pk.battle.seconds', { seconds: 20 })).toBe('20 s');
    expect(translate('zh-CN', 'pk.battle.seconds', { seconds: 20 })).toBe('20 秒');
  });
});
