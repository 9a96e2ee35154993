// PK battles (对战): a cross-room PK with a clock owned by the server, a score per side from the
// viewers' likes and gifts, a short result phase showing the winner (or a draw), then back to
// solo or a rematch. The shapes on the wire (docs/protocol.md §6 "PK battle") and the rules every
// screen shares: the durations a host may pick, what each vote is worth, who won.
import { z } from 'zod';
import { streamCodeSchema, userIdSchema } from '../layout';

/** The durations a host may pick, seconds (1, 3, 5, 10 min). A server may add one short test-only duration (off by default). */
export const BATTLE_DURATIONS_SEC = [60, 180, 300, 600] as const;

/** What each vote adds to a side's score. */
export const BATTLE_VOTE_POINTS = { like: 1, rose: 10, rocket: 50 } as const;
export type BattleVoteKind = keyof typeof BATTLE_VOTE_POINTS;
export const BATTLE_VOTE_KINDS = Object.keys(BATTLE_VOTE_POINTS) as BattleVoteKind[];

const roomId = streamCodeSchema;
const unixMs = z.number().int().nonnegative();

export const battleSideSchema = z.object({ roomId, userId: userIdSchema, score: z.number().int().nonnegative() });
export type BattleSide = z.infer<typeof battleSideSchema>;

export const battleSchema = z.object({
  /** 1 for the first battle of a PK, +1 per rematch. */
  round: z.number().int().min(1),
  durationSec: z.number().int().min(1).max(600),
  /** `battle`: counting votes until `endsAt`; `result`: the outcome is shown until `resultEndsAt`. */
  phase: z.enum(['battle', 'result']),
  startedAt: unixMs,
  endsAt: unixMs,
  /** End of the result phase (after it: a rematch when both hosts asked, else the PK ends, reason `finished`). */
  resultEndsAt: unixMs,
  /** The inviter's side first. */
  sides: z.tuple([battleSideSchema, battleSideSchema]),
  /** Set in the result phase: the winning room, or null for a draw. */
  result: z.object({ winnerRoomId: roomId.nullable() }).nullable(),
  /** Hosts who asked for a rematch during the result phase. */
  rematch: z.array(userIdSchema).max(2),
});
export type Battle = z.infer<typeof battleSchema>;

export const battleVoteKindSchema = z.enum(BATTLE_VOTE_KINDS as [BattleVoteKind, ...BattleVoteKind[]]);

/** The winner of scores [inviter, invitee]: the side index, or null for a draw. */
export function battleWinner(sides: readonly [{ score: number }, { score: number }]): 0 | 1 | null {
  if (sides[0].score === sides[1].score) return null;
  return sides[0].score > sides[1].score ? 0 : 1;
}

/** Seconds left until `at` (server time) seen from a client whose clock is `offsetMs` behind the server, never negative. */
export function battleSecondsLeft(at: number, clientNow: number, offsetMs: number): number {
  return Math.max(0, Math.ceil((at - (clientNow + offsetMs)) / 1000));
}

/** `m:ss` for a countdown. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** How long after its result phase a watched battle's board stays up, in the console and on /watch (the hosts may rematch). */
export const WATCHED_BATTLE_GRACE_MS = 5_000;

/** The score bar's colours (the consoles' bar, the server mix's bar): the side shown as ours (left), then the other side. */
export const BATTLE_BAR_COLOURS = { own: '#e53950', peer: '#3978e5' } as const;
