// The signal service's in-memory state: users (with their connections), rooms, pending link
// requests, links, PK invites and PKs. Plain records; the behaviour lives in signal-hub.ts.
import type { Layout } from '../../common/layout';
import type { SessionId } from '../../common/session-id';
import type { ServerMix } from '../../common/signal/messages';
import type { TimerHandle } from './clock';

/** One authenticated connection, as the hub sees it. */
export interface Peer {
  readonly userId: string;
  /** Sends an already-serialised message. */
  sendRaw(text: string): void;
}

export interface UserEntry {
  readonly userId: string;
  readonly connections: Set<Peer>;
  graceTimer: TimerHandle | undefined;
  /** When the grace timer fires (ms since the epoch), kept for snapshots. */
  graceUntil: number | undefined;
  hostedRoomId: string | undefined;
  readonly joinedRooms: Set<string>;
  /** Links where this user is the guest (at most one). */
  guestLinkId: string | undefined;
  /** Outgoing link requests. */
  readonly outgoingRequests: Set<string>;
  pkId: string | undefined;
  /** PK invites involving this user, either direction. */
  readonly pkInvites: Set<string>;
}

export interface RoomEntry {
  readonly roomId: string;
  readonly hostUserId: string;
  readonly streamCode: string;
  readonly sessionId: SessionId;
  allowLinkRequests: boolean;
  guestLimit: number;
  /** Server-side mix template (`t_id` in push URLs), or null = client-side mix. */
  serverMix: ServerMix;
  readonly viewers: Set<string>;
  readonly links: Map<string, LinkEntry>;
  readonly pendingRequests: Map<string, LinkRequestEntry>;
  layout: Layout | null;
  pkId: string | undefined;
}

export interface LinkRequestEntry {
  readonly requestId: string;
  readonly roomId: string;
  readonly guestUserId: string;
  readonly streamCode: string;
  readonly expiresAt: number;
  readonly timer: TimerHandle;
}

export interface LinkEntry {
  readonly linkId: string;
  readonly roomId: string;
  readonly guestUserId: string;
  readonly guestStreamCode: string;
}

export interface PkInviteEntry {
  readonly pkId: string;
  readonly fromUserId: string;
  readonly fromRoomId: string;
  readonly toUserId: string;
  readonly toRoomId: string;
  readonly expiresAt: number;
  readonly timer: TimerHandle;
  /** A PK battle of this many seconds, or null for an open-ended PK. */
  readonly durationSec: number | null;
}

export interface PkEntry {
  readonly pkId: string;
  readonly sides: readonly [{ userId: string; roomId: string }, { userId: string; roomId: string }];
  /** The battle of a PK battle (null for an open-ended PK); behaviour in pk-battles.ts. */
  battle: BattleEntry | null;
}

/**
 * A PK battle's state: plain data (JSON-serialisable), so it is stored and restored with its PK.
 * Its timers are not part of it: `PkBattles.arm(pk)` schedules them again from `endsAt` /
 * `resultEndsAt` (after a restore, a due phase change runs at once).
 */
export interface BattleEntry {
  round: number;
  readonly durationSec: number;
  phase: 'battle' | 'result';
  startedAt: number;
  endsAt: number;
  resultEndsAt: number;
  /** Scores in the order of `PkEntry.sides` (the inviter first). */
  scores: [number, number];
  /** Set in the result phase: the winning side's index, or null for a draw. */
  winner: 0 | 1 | null;
  /** User ids of the hosts who asked for a rematch in this result phase. */
  rematch: string[];
}
