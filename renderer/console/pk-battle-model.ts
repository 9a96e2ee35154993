// What a console shows of a PK battle, from the mirrored battle (server clock and scores): the
// countdown in server time, our score against theirs, the share of the bar, and the outcome.
import { battleSecondsLeft, WATCHED_BATTLE_GRACE_MS, type BattleVoteKind } from '../../common/signal/pk-battle';
import type { PkBattleView } from '../../common/studio-api';

export interface BattleScreen {
  readonly round: number;
  readonly phase: 'battle' | 'result';
  /** Seconds left in the current phase (battle clock, or the result display). */
  readonly secondsLeft: number;
  readonly ours: { readonly roomId: string; readonly score: number };
  readonly theirs: { readonly roomId: string; readonly score: number };
  /** Our part of the score bar, 0..1 (0.5 while nobody has scored). */
  readonly oursShare: number;
  /** Set in the result phase. */
  readonly outcome: 'won' | 'lost' | 'draw' | null;
  /** Hosts who asked for a rematch. */
  readonly rematch: readonly string[];
}

/**
 * `ownRoomId`: the side shown as "ours" (our room, or for a viewer the room it watches). `audience`:
 * a watched battle, whose board stays up WATCHED_BATTLE_GRACE_MS after the result phase (the result
 * countdown counts to when it closes).
 */
export function battleScreen(view: PkBattleView, ownRoomId: string | null, now: number, audience = false): BattleScreen {
  const { battle } = view;
  const oursIndex = battle.sides[1].roomId === ownRoomId ? 1 : 0;
  const ours = battle.sides[oursIndex];
  const theirs = battle.sides[oursIndex === 0 ? 1 : 0];
  const total = ours.score + theirs.score;
  const until = battle.phase === 'battle' ? battle.endsAt : battle.resultEndsAt + (audience ? WATCHED_BATTLE_GRACE_MS : 0);
  let outcome: BattleScreen['outcome'] = null;
  if (battle.phase === 'result' && battle.result) {
    outcome = battle.result.winnerRoomId === null ? 'draw' : battle.result.winnerRoomId === ours.roomId ? 'won' : 'lost';
  }
  return {
    round: battle.round,
    phase: battle.phase,
    secondsLeft: battleSecondsLeft(until, now, view.serverOffsetMs),
    ours: { roomId: ours.roomId, score: ours.score },
    theirs: { roomId: theirs.roomId, score: theirs.score },
    oursShare: total === 0 ? 0.5 : ours.score / total,
    outcome,
    rematch: battle.rematch,
  };
}

/** The battle durations offered in the console when the server does not say (1, 3, 5, 10 min). */
export const BATTLE_DURATION_CHOICES = [60, 180, 300, 600] as const;
/** The length picked first: 3 min when offered. */
export const DEFAULT_BATTLE_DURATION_SEC = 180;

/** The picker's value: `picked` if the server offers it (0 = open-ended), else the default or the first offered. */
export function pickedDuration(picked: number, offered: readonly number[]): number {
  if (picked === 0 || offered.includes(picked)) return picked;
  if (offered.includes(DEFAULT_BATTLE_DURATION_SEC)) return DEFAULT_BATTLE_DURATION_SEC;
  return offered[0] ?? 0;
}

export const VOTE_KINDS: readonly BattleVoteKind[] = ['like', 'rose', 'rocket'];
