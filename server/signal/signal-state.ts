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
}

export interface PkEntry {
  readonly pkId: string;
  readonly sides: readonly [{ userId: string; roomId: string }, { userId: string; roomId: string }];
}
