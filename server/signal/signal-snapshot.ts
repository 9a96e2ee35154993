// The signal hub's state as plain JSON: what a state file (one node) or Redis (several nodes) holds
// so rooms, links and PKs survive a restart. Read back through zod (a file or a Redis value is a
// boundary). Timers are kept as due times (ms since the epoch) and re-armed on restore.
import { z } from 'zod';
import { guestLimitSchema } from '../../common/link-quota';
import { layoutSchema, streamCodeSchema, userIdSchema } from '../../common/layout';
import { serverMixSchema } from '../../common/signal/messages';

export const SNAPSHOT_VERSION = 1;

const id = z.string().min(1).max(64);
const unixMs = z.number().int().nonnegative();

/** One connection of a user, named by the node that holds it (Redis mode; a state file keeps none). */
export const peerRefSchema = z.object({ node: z.string().min(1).max(128), connection: z.string().min(1).max(64) }).strict();
export type PeerRef = z.infer<typeof peerRefSchema>;

const userSchema = z.object({
  userId: userIdSchema,
  connections: z.array(peerRefSchema),
  /** When the reconnect grace of a user without connections ends. */
  graceUntil: unixMs.nullable(),
  hostedRoomId: streamCodeSchema.nullable(),
  joinedRooms: z.array(streamCodeSchema),
  guestLinkId: id.nullable(),
  outgoingRequests: z.array(id),
  pkId: id.nullable(),
  pkInvites: z.array(id),
});

const roomSchema = z.object({
  roomId: streamCodeSchema,
  hostUserId: userIdSchema,
  streamCode: streamCodeSchema,
  sessionId: z.number().int().min(1).max(0xffff_ffff),
  allowLinkRequests: z.boolean(),
  guestLimit: guestLimitSchema,
  serverMix: serverMixSchema,
  viewers: z.array(userIdSchema),
  /** Link ids, in the order they started. */
  links: z.array(id),
  /** Pending link request ids, in the order they came. */
  pendingRequests: z.array(id),
  layout: layoutSchema.nullable(),
  pkId: id.nullable(),
});

const requestSchema = z.object({ requestId: id, roomId: streamCodeSchema, guestUserId: userIdSchema, streamCode: streamCodeSchema, expiresAt: unixMs });
const linkSchema = z.object({ linkId: id, roomId: streamCodeSchema, guestUserId: userIdSchema, guestStreamCode: streamCodeSchema });
const inviteSchema = z.object({ pkId: id, fromUserId: userIdSchema, fromRoomId: streamCodeSchema, toUserId: userIdSchema, toRoomId: streamCodeSchema, expiresAt: unixMs, durationSec: z.number().int().min(1).max(600).nullable().default(null) });
const side = z.object({ userId: userIdSchema, roomId: streamCodeSchema });
/** A PK battle's state (signal-state.ts BattleEntry); its timers are re-armed from endsAt / resultEndsAt. */
const battleSchema = z.object({
  round: z.number().int().min(1),
  durationSec: z.number().int().min(1).max(600),
  phase: z.enum(['battle', 'result']),
  startedAt: unixMs,
  endsAt: unixMs,
  resultEndsAt: unixMs,
  scores: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  winner: z.union([z.literal(0), z.literal(1)]).nullable(),
  rematch: z.array(userIdSchema).max(2),
});
/** Loose: fields other parts of the hub add to a PK are carried as they are. */
const pkSchema = z.looseObject({ pkId: id, sides: z.tuple([side, side]), battle: battleSchema.nullable().default(null) });

export const hubSnapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  /** The hub's clock when the snapshot was taken. */
  takenAt: unixMs,
  /** The hub's id sequence (ids stay unique across a restart). */
  sequence: z.number().int().nonnegative(),
  users: z.array(userSchema),
  rooms: z.array(roomSchema),
  requests: z.array(requestSchema),
  links: z.array(linkSchema),
  invites: z.array(inviteSchema),
  pks: z.array(pkSchema),
  /** Linked streams gone from the origin, with the time their links end unless they return. */
  mediaLoss: z.array(z.object({ streamCode: streamCodeSchema, at: unixMs })),
  /** Accepted guests not yet publishing, with the time their links end unless they do (first-publish-deadlines.ts). */
  publishDue: z.array(z.object({ linkId: id, streamCode: streamCodeSchema, at: unixMs })).default([]),
  /**
   * Stream code ownership: each code belongs to the first user who opened a room or linked with it,
   * with the last time it was in use (the claim expires when idle long enough; absent in older states).
   */
  codeOwners: z.array(z.object({ streamCode: streamCodeSchema, userId: userIdSchema, lastUsedAt: unixMs.optional() })).default([]),
});
export type HubSnapshot = z.infer<typeof hubSnapshotSchema>;

/** Parses a stored snapshot; returns the first problem as text instead of throwing. */
export function parseHubSnapshot(value: unknown): { ok: true; snapshot: HubSnapshot } | { ok: false; problem: string } {
  const parsed = hubSnapshotSchema.safeParse(value);
  if (parsed.success) return { ok: true, snapshot: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue?.path.join('.') || 'snapshot'}: ${issue?.message ?? 'invalid'}` };
}
