// Signalling protocol: every message on the `/signal` WebSocket, as zod schemas (the one source of
// truth: the server validates with them, the client types come from them, docs/schemas/*.json are
// generated from them). See docs/protocol.md.
//
// Client → server: a request `{ id, type, ...params }`. Server → client: exactly one `result`
// `{ type: 'result', id, result }` or `error` `{ type: 'error', id, error }` per request, plus events
// `{ type: '<event>', ... }` at any time.
import { z } from 'zod';
import { guestLimitSchema } from '../link-quota';
import { mixTemplateIdSchema } from '../mix-templates';
import { layoutSchema, streamCodeSchema, userIdSchema } from '../layout';
import { errorPayloadSchema } from '../studio-api/error-schema';
import { battleSchema, battleVoteKindSchema } from './pk-battle';

export const SIGNAL_PATH = '/signal';
export const DEV_LOGIN_PATH = '/api/dev-login';
/** Largest text frame the server reads; bigger ones get MESSAGE_TOO_LARGE. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Close code for a connection refused at `hello` (bad, forged or expired token). */
export const CLOSE_AUTH_FAILED = 4401;
/** Close code when the server shuts down. */
export const CLOSE_SERVER_SHUTDOWN = 4500;

const requestId = z.string().min(1).max(64);
const sessionIdSchema = z.number().int().min(1).max(0xffff_ffff);
const roomId = streamCodeSchema.describe('a room id is its host stream code');
const entityId = z.string().min(1).max(64);
const reasonText = z.string().max(200);
const unixMs = z.number().int().nonnegative();
const battleDurationSchema = z.number().int().min(1).max(600).describe('seconds: 60, 180, 300 or 600 (a server may add one test-only duration)');

export const playUrlsSchema = z.object({
  rtmp: z.string(),
  httpFlv: z.string(),
  wsFlv: z.string(),
});
export type PlayUrls = z.infer<typeof playUrlsSchema>;


// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

const templateIdSchema = mixTemplateIdSchema;

/**
 * How the room's audience sees the co-hosts (spec §7). `null` = client-side mix (the default): push
 * URLs carry no `t_id`, viewers lay out the streams following the host's layout. `{ templateId }` =
 * server-side mix: push URLs carry `t_id:T` and the server composites one stream (uses server CPU).
 */
export const serverMixSchema = z.object({ templateId: templateIdSchema }).strict().nullable();
export type ServerMix = z.infer<typeof serverMixSchema>;

export const roomSettingsSchema = z.object({
  allowLinkRequests: z.boolean(),
  guestLimit: guestLimitSchema,
});

export const roomSnapshotSchema = z.object({
  roomId,
  hostUserId: userIdSchema,
  streamCode: streamCodeSchema,
  sessionId: sessionIdSchema,
  /** Server-side mix with its template (`t_id` in the room's push URLs), or null = client-side mix. */
  serverMix: serverMixSchema,
  settings: roomSettingsSchema,
  guests: z.array(z.object({ userId: userIdSchema, streamCode: streamCodeSchema, linkId: entityId })),
  /** The PK this room is in; `battle` when it is a PK battle (the viewers' countdown and score bar). */
  pk: z.object({ pkId: entityId, peerUserId: userIdSchema, peerRoomId: roomId, peerStreamCode: streamCodeSchema, battle: battleSchema.nullable() }).nullable(),
  layout: layoutSchema.nullable(),
  /** Audience (CDN / ordinary FLV) URL per stream code in the room, for client-side mixing. */
  audienceUrls: z.record(z.string(), z.string()),
  viewerCount: z.number().int().nonnegative(),
});
export type RoomSnapshot = z.infer<typeof roomSnapshotSchema>;

const linkRole = z.enum(['host', 'guest']);

export const linkStartedSchema = z.object({
  linkId: entityId,
  roomId,
  role: linkRole,
  /** The room's session_id: the guest pushes with it, both play with it. */
  sessionId: sessionIdSchema,
  peer: z.object({ userId: userIdSchema, streamCode: streamCodeSchema }),
  /** Low-latency URLs of the other party's stream, signed, carrying session_id. */
  playUrls: playUrlsSchema,
  /** The guest's small-host push URL (`mix=layer:s;session_id:N`, plus `;t_id:T` when the room uses a server mix); guest only. */
  pushUrl: z.string().optional(),
});
export type LinkStarted = z.infer<typeof linkStartedSchema>;

export const pkStartedSchema = z.object({
  pkId: entityId,
  roomId,
  /** This host's own session_id (unchanged by the PK). */
  sessionId: sessionIdSchema,
  peer: z.object({ userId: userIdSchema, roomId, streamCode: streamCodeSchema, sessionId: sessionIdSchema }),
  /** Low-latency URLs of the other host's stream, signed with the other host's session_id. */
  playUrls: playUrlsSchema,
  /** The battle (clock, scores, result) when the PK is a PK battle; null for an open-ended PK. */
  battle: battleSchema.nullable(),
});
export type PkStarted = z.infer<typeof pkStartedSchema>;

export const userStateSchema = z.object({
  hostedRoom: roomSnapshotSchema.nullable(),
  joinedRooms: z.array(roomId),
  links: z.array(linkStartedSchema),
  pk: pkStartedSchema.nullable(),
  pendingLinkRequests: z.array(z.object({ requestId: entityId, roomId, direction: z.enum(['outgoing', 'incoming']) })),
  pendingPkInvites: z.array(z.object({ pkId: entityId, direction: z.enum(['outgoing', 'incoming']) })),
});
export type UserState = z.infer<typeof userStateSchema>;

// ---------------------------------------------------------------------------------------------
// Requests (client → server): params and result per type
// ---------------------------------------------------------------------------------------------

const empty = z.object({});

/** Each request type: its params (besides `id` and `type`) and its result. */
export const REQUESTS = {
  hello: {
    params: z.object({ userId: userIdSchema, token: z.string().min(1).max(512) }),
    result: z.object({
      userId: userIdSchema,
      /** True when the server still held this user's state (reconnected within the grace period). */
      resumed: z.boolean(),
      graceMs: z.number().int().nonnegative(),
      serverTime: unixMs,
      state: userStateSchema,
      /** The PK battle lengths this server accepts, seconds: 60/180/300/600, plus a test-only one when configured (absent from older servers). */
      battleDurationsSec: z.array(battleDurationSchema).max(8).optional(),
    }),
    doc: 'Authenticate; must be the first message. A token error closes the connection with 4401.',
  },
  ping: { params: empty, result: z.object({ serverTime: unixMs }), doc: 'Liveness check.' },
  'c2c.send': {
    params: z.object({ to: userIdSchema, body: z.unknown() }),
    result: z.object({ delivered: z.number().int().positive() }),
    doc: 'Direct message to every connection of a user; USER_OFFLINE when it has none.',
  },
  'room.open': {
    params: z.object({
      streamCode: streamCodeSchema,
      /** Re-announce after a server restart: the previous session_id, re-granted when free. */
      sessionId: sessionIdSchema.optional(),
      allowLinkRequests: z.boolean().optional(),
      guestLimit: guestLimitSchema.optional(),
      /** Server-side mix (`{ templateId }`) or client-side (null). Omitted: client-side for a new room, unchanged on a re-open. */
      serverMix: serverMixSchema.optional(),
      /** Deprecated: same as `serverMix: { templateId }` (used only when `serverMix` is omitted). */
      templateId: templateIdSchema.optional(),
    }),
    result: z.object({ room: roomSnapshotSchema, pushUrl: z.string() }),
    doc: 'Open (or re-open) the caller’s room bound to its stream code; returns the signed big-host push URL (with `t_id` only when the room uses a server-side mix).',
  },
  'room.update': {
    params: z.object({
      roomId,
      allowLinkRequests: z.boolean().optional(),
      guestLimit: guestLimitSchema.optional(),
      /** Switch between server-side (`{ templateId }`) and client-side (null) mix. Refused with INVALID_STATE while guests are linked. */
      serverMix: serverMixSchema.optional(),
    }),
    result: z.object({ room: roomSnapshotSchema, pushUrl: z.string() }),
    doc: 'Host changes the room settings; returns the host’s push URL, which changes with `serverMix` (a live host re-pushes with it).',
  },
  'room.close': { params: z.object({ roomId }), result: empty, doc: 'Host closes the room; its links and PK end.' },
  'room.join': { params: z.object({ roomId }), result: z.object({ room: roomSnapshotSchema }), doc: 'Join a room as a viewer.' },
  'room.leave': { params: z.object({ roomId }), result: empty, doc: 'Leave a joined room.' },
  'link.request': {
    params: z.object({ roomId, streamCode: streamCodeSchema.describe('the guest’s own stream code') }),
    result: z.object({ requestId: entityId, expiresAt: unixMs }),
    doc: 'Ask the room’s host to link (连麦).',
  },
  'link.cancel': { params: z.object({ requestId: entityId }), result: empty, doc: 'The requester withdraws a pending request.' },
  'link.accept': { params: z.object({ requestId: entityId }), result: linkStartedSchema, doc: 'The host accepts; the result is the host’s view of the link.' },
  'link.reject': { params: z.object({ requestId: entityId, reason: reasonText.optional() }), result: empty, doc: 'The host rejects.' },
  'link.hangup': { params: z.object({ linkId: entityId }), result: empty, doc: 'Either side ends a link.' },
  'link.kick': { params: z.object({ linkId: entityId }), result: empty, doc: 'The host ends a guest’s link.' },
  'pk.invite': {
    params: z.object({
      roomId: roomId.describe('the other host’s room'),
      /** A PK battle of this many seconds (60, 180, 300 or 600); omitted: an open-ended PK without a clock or scores. */
      durationSec: battleDurationSchema.optional(),
    }),
    result: z.object({ pkId: entityId, expiresAt: unixMs }),
    doc: 'A host invites the host of another live room to a cross-room PK.',
  },
  'pk.cancel': { params: z.object({ pkId: entityId }), result: empty, doc: 'The inviter withdraws the invite.' },
  'pk.accept': { params: z.object({ pkId: entityId }), result: pkStartedSchema, doc: 'The invitee accepts; the result is its view of the PK.' },
  'pk.reject': { params: z.object({ pkId: entityId, reason: reasonText.optional() }), result: empty, doc: 'The invitee rejects.' },
  'pk.end': { params: z.object({ pkId: entityId }), result: empty, doc: 'Either host ends the PK.' },
  'pk.vote': {
    params: z.object({ pkId: entityId, roomId: roomId.describe('the side supported'), kind: battleVoteKindSchema }),
    result: z.object({ points: z.number().int().positive() }),
    doc: 'A viewer of either room (or a linked guest) sends a like or a gift to one side of a PK battle; counted per side with a per-viewer rate limit (RATE_LIMITED).',
  },
  'pk.rematch': {
    params: z.object({ pkId: entityId }),
    result: z.object({ rematch: z.array(userIdSchema) }),
    doc: 'A host asks for a rematch during the result phase; when both have asked, a new round starts with the same duration.',
  },
  'layout.set': {
    params: z.object({ roomId, layout: layoutSchema }),
    result: z.object({ layout: layoutSchema }),
    doc: 'The host publishes the room layout; broadcast to everyone in the room.',
  },
} as const;

export type RequestType = keyof typeof REQUESTS;
export const REQUEST_TYPES = Object.keys(REQUESTS) as RequestType[];
export type RequestParams<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['params']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['result']>;

function requestSchema<T extends RequestType>(type: T) {
  return REQUESTS[type].params.extend({ id: requestId, type: z.literal(type) });
}

/** Any client → server message. Unknown keys (such as a client-supplied `from`) are stripped. */
export const clientMessageSchema = z.discriminatedUnion(
  'type',
  REQUEST_TYPES.map((type) => requestSchema(type)) as unknown as [ReturnType<typeof requestSchema<'hello'>>, ...ReturnType<typeof requestSchema<RequestType>>[]],
);
export type ClientMessage = { [T in RequestType]: RequestParams<T> & { id: string; type: T } }[RequestType];

/** The envelope every request shares, to answer with the right id even when the rest is invalid. */
export const requestEnvelopeSchema = z.object({ id: requestId, type: z.string().max(64) });

// ---------------------------------------------------------------------------------------------
// Events (server → client)
// ---------------------------------------------------------------------------------------------

export const LINK_REQUEST_OUTCOMES = ['rejected', 'cancelled', 'timeout', 'room-closed', 'disconnected'] as const;
export const LINK_END_REASONS = ['hangup', 'kicked', 'media-lost', 'no-media', 'disconnected', 'room-closed'] as const;
export const PK_INVITE_OUTCOMES = ['rejected', 'cancelled', 'timeout', 'room-closed', 'disconnected'] as const;
export const PK_END_REASONS = ['ended', 'finished', 'media-lost', 'disconnected', 'room-closed'] as const;

export const EVENTS = {
  'c2c.message': {
    schema: z.object({ from: userIdSchema, body: z.unknown(), sentAt: unixMs }),
    doc: 'A direct message; `from` is set by the server.',
  },
  'room.updated': { schema: z.object({ room: roomSnapshotSchema }), doc: 'Room settings or participants changed (to everyone in the room).' },
  'room.closed': { schema: z.object({ roomId, reason: z.enum(['closed', 'host-left']) }), doc: 'The room closed (to viewers and guests).' },
  'link.requested': {
    schema: z.object({ requestId: entityId, roomId, from: userIdSchema, streamCode: streamCodeSchema, expiresAt: unixMs }),
    doc: 'To the host: a viewer asks to link.',
  },
  'link.requestEnded': {
    schema: z.object({ requestId: entityId, roomId, outcome: z.enum(LINK_REQUEST_OUTCOMES), reason: reasonText.optional() }),
    doc: 'To both sides: a pending request ended without a link.',
  },
  'link.started': { schema: linkStartedSchema, doc: 'To both sides (each its own view): the link is up.' },
  'link.ended': {
    schema: z.object({ linkId: entityId, roomId, reason: z.enum(LINK_END_REASONS), by: userIdSchema.optional(), streamCode: streamCodeSchema.optional() }),
    doc: 'To both sides: the link ended, and why.',
  },
  'pk.invited': {
    schema: z.object({ pkId: entityId, from: userIdSchema, fromRoomId: roomId, toRoomId: roomId, expiresAt: unixMs, durationSec: battleDurationSchema.nullable() }),
    doc: 'To the invited host.',
  },
  'pk.inviteEnded': {
    schema: z.object({ pkId: entityId, outcome: z.enum(PK_INVITE_OUTCOMES), reason: reasonText.optional() }),
    doc: 'To both hosts: a pending invite ended without a PK.',
  },
  'pk.started': { schema: pkStartedSchema, doc: 'To both hosts (each its own view).' },
  'pk.ended': {
    schema: z.object({ pkId: entityId, reason: z.enum(PK_END_REASONS), by: userIdSchema.optional(), streamCode: streamCodeSchema.optional() }),
    doc: 'To both hosts: the PK ended, and why.',
  },
  'pk.battle': {
    schema: z.object({ pkId: entityId, battle: battleSchema, serverTime: unixMs }),
    doc: 'To both hosts, their guests and both rooms’ viewers: a PK battle started, its scores changed (at most every 250 ms), it entered the result phase, or a host asked for a rematch. `serverTime` lets a client show the server’s countdown.',
  },
  'layout.changed': {
    schema: z.object({ roomId, layout: layoutSchema, audienceUrls: z.record(z.string(), z.string()) }),
    doc: 'To everyone in the room, viewers included.',
  },
} as const;

export type EventType = keyof typeof EVENTS;
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];
export type EventPayload<T extends EventType> = z.infer<(typeof EVENTS)[T]['schema']>;
export type SignalEvent = { [T in EventType]: EventPayload<T> & { type: T } }[EventType];

export const resultMessageSchema = z.object({ type: z.literal('result'), id: requestId, result: z.unknown() });
export const errorMessageSchema = z.object({ type: z.literal('error'), id: requestId.nullable(), error: errorPayloadSchema });

function eventSchema<T extends EventType>(type: T) {
  return EVENTS[type].schema.extend({ type: z.literal(type) });
}

/** Any server → client message. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  resultMessageSchema,
  errorMessageSchema,
  ...(EVENT_TYPES.map((type) => eventSchema(type)) as unknown as ReturnType<typeof eventSchema<EventType>>[]),
]);
export type ResultMessage = z.infer<typeof resultMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type ServerMessage = ResultMessage | ErrorMessage | SignalEvent;

// ---------------------------------------------------------------------------------------------
// Dev login (HTTP POST /api/dev-login)
// ---------------------------------------------------------------------------------------------

export const devLoginRequestSchema = z.object({ userId: userIdSchema, ttlSec: z.number().int().min(60).max(7 * 86400).optional() });
export const devLoginResponseSchema = z.object({ userId: userIdSchema, token: z.string(), expiresAt: z.number().int() });
export type DevLoginResponse = z.infer<typeof devLoginResponseSchema>;
