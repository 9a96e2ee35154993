// The signal service's behaviour, independent of the transport: C2C routing, rooms, the same-room
// link-mic and cross-room PK state machines, layouts, media awareness and the reconnect grace.
// Every operation either changes state and notifies the parties, or throws a LinkMicError with a
// stable code (the transport turns it into an `error` answer to the request).
import { DEFAULT_LINK_QUOTA } from '../../common/link-quota';
import { LinkMicError, ValidationError } from '../../common/errors';
import type { Layout } from '../../common/layout';
import { allocateSessionId, type SessionId } from '../../common/session-id';
import type {
  EventPayload,
  EventType,
  LinkStarted,
  PkStarted,
  RequestParams,
  RequestResult,
  RoomSnapshot,
  ServerMix,
  UserState,
} from '../../common/signal/messages';
import { TypedEmitter, type Disposable } from '../../common/typed-emitter';
import type { Clock, TimerHandle } from './clock';
import type { SignalLogger, UrlIssuerLike } from './deps';
import { SNAPSHOT_VERSION, type HubSnapshot, type PeerRef } from './signal-snapshot';
import { PkBattles, type PkBattlesConfig } from './pk-battles';
import { FirstPublishDeadlines } from './first-publish-deadlines';
import type { LinkEntry, LinkRequestEntry, Peer, PkEntry, PkInviteEntry, RoomEntry, UserEntry } from './signal-state';

export interface SignalHubConfig {
  readonly requestTimeoutMs: number;
  readonly graceMs: number;
  readonly mediaLossMs: number;
  /** An accepted guest's time to start publishing before its link ends (`no-media`); null = off (no origin events). */
  readonly linkPublishDeadlineMs: number | null;
  readonly linkQuota: number;
  /** Mix of a room that does not choose one (null = client-side). */
  readonly defaultServerMix: ServerMix;
  /** PK battles: result phase, test-only duration, vote rate limit (pk-battles.ts). */
  readonly battles: PkBattlesConfig;
  /** Stream code claims (issue #17.4): how many one user may hold, and how long one not in use is kept. */
  readonly streamCodeClaims?: StreamCodeClaimLimits;
}

export interface StreamCodeClaimLimits {
  /** Claims one user may hold at once (its codes in use count too); beyond it STREAM_CODE_LIMIT_REACHED. */
  readonly maxPerUser: number;
  /** A claim whose code has not been in use (no live room, link or pending request) for this long expires. */
  readonly idleExpiryMs: number;
}

export const DEFAULT_STREAM_CODE_CLAIMS: StreamCodeClaimLimits = { maxPerUser: 16, idleExpiryMs: 30 * 24 * 3600 * 1000 };

/** Expired claims are swept from memory at most this often (they are ignored as soon as they expire). */
const CLAIM_SWEEP_MS = 3600 * 1000;

/** A user's claim of a stream code, and when the code was last in use (claimed, or its room/link/request ended). */
interface CodeClaim {
  readonly userId: string;
  lastUsedAt: number;
}

/** What the hub issued one publisher under a session_id (the origin checks pushes against it). */
export interface IssuedPublisherView {
  readonly layer: 'b' | 's';
  readonly templateId: number | undefined;
}


export class SignalHub {
  private readonly users = new Map<string, UserEntry>();
  private readonly rooms = new Map<string, RoomEntry>();
  private readonly sessionIds = new Set<SessionId>();
  private readonly requests = new Map<string, LinkRequestEntry>();
  private readonly links = new Map<string, LinkEntry>();
  private readonly invites = new Map<string, PkInviteEntry>();
  private readonly pks = new Map<string, PkEntry>();
  private readonly mediaLossTimers = new Map<string, TimerHandle>();
  /** When each media-loss timer fires, kept for snapshots. */
  private readonly mediaLossDue = new Map<string, number>();
  /** Stream code → the user it belongs to: the first user who opened a room or linked with it (issue #17.4). */
  private readonly codeOwners = new Map<string, CodeClaim>();
  /** User → the stream codes it claims (the per-user cap counts these). */
  private readonly claimsByUser = new Map<string, Set<string>>();
  private readonly claimLimits: StreamCodeClaimLimits;
  private claimsSweptAt = 0;
  private sequence = 0;
  readonly battles: PkBattles;
  /** [mixer] Told the rooms of a PK whose battle changed (scores, phase, rematch) or ended. */
  private readonly battleChanges = new TypedEmitter<{ change: readonly string[] }>((error) =>
    this.logger.warn('signal: battle listener threw', { error: String(error) }),
  );
  private readonly publishDeadlines: FirstPublishDeadlines;

  constructor(
    private readonly config: SignalHubConfig,
    private readonly issuer: UrlIssuerLike,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly logger: SignalLogger,
  ) {
    this.claimLimits = config.streamCodeClaims ?? DEFAULT_STREAM_CODE_CLAIMS;
    this.publishDeadlines = new FirstPublishDeadlines(clock, (due) => {
      this.logger.warn('signal: accepted guest never published, link ended', { linkId: due.linkId, streamCode: due.streamCode });
      this.endLink(due.linkId, 'no-media', undefined, due.streamCode);
    });
    this.battles = new PkBattles(
      config.battles,
      {
        pk: (pkId) => this.pks.get(pkId),
        broadcastBattle: (pk, payload) => {
          this.broadcastToPk(pk, 'pk.battle', payload);
          this.notifyBattle(pk);
        },
        isAudience: (pk, userId) => this.isPkAudience(pk, userId),
        finish: (pkId) => this.endPk(pkId, 'finished'),
      },
      clock,
      logger,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Connections and the reconnect grace
  // -------------------------------------------------------------------------------------------

  /** Registers an authenticated connection; `resumed` when the server still held this user's state. */
  attach(peer: Peer): { resumed: boolean; state: UserState } {
    let user = this.users.get(peer.userId);
    const resumed = user !== undefined;
    if (!user) {
      user = {
        userId: peer.userId,
        connections: new Set(),
        graceTimer: undefined,
        graceUntil: undefined,
        hostedRoomId: undefined,
        joinedRooms: new Set(),
        guestLinkId: undefined,
        outgoingRequests: new Set(),
        pkId: undefined,
        pkInvites: new Set(),
      };
      this.users.set(peer.userId, user);
    }
    user.graceTimer?.cancel();
    user.graceTimer = undefined;
    user.graceUntil = undefined;
    user.connections.add(peer);
    return { resumed, state: this.userState(user) };
  }

  /** A connection went away; when it was the user's last, its state is kept for the grace period. */
  detach(peer: Peer): void {
    const user = this.users.get(peer.userId);
    if (!user || !user.connections.delete(peer) || user.connections.size > 0) return;
    this.startGrace(user, this.clock.now() + this.config.graceMs);
  }

  private startGrace(user: UserEntry, until: number): void {
    user.graceUntil = until;
    user.graceTimer = this.clock.setTimeout(() => this.expireUser(user.userId), until - this.clock.now());
  }

  private expireUser(userId: string): void {
    const user = this.users.get(userId);
    if (!user || user.connections.size > 0) return;
    user.graceTimer = undefined;
    user.graceUntil = undefined;
    this.logger.info('signal: grace expired', { userId });
    for (const requestId of [...user.outgoingRequests]) this.endRequest(requestId, 'disconnected');
    if (user.guestLinkId !== undefined) this.endLink(user.guestLinkId, 'disconnected', userId);
    for (const pkId of [...user.pkInvites]) this.endInvite(pkId, 'disconnected');
    if (user.pkId !== undefined) this.endPk(user.pkId, 'disconnected', userId);
    if (user.hostedRoomId !== undefined) this.closeRoom(user.hostedRoomId, 'host-left');
    for (const roomId of user.joinedRooms) this.rooms.get(roomId)?.viewers.delete(userId);
    this.users.delete(userId);
  }

  isOnline(userId: string): boolean {
    return (this.users.get(userId)?.connections.size ?? 0) > 0;
  }

  get connectionCount(): number {
    let total = 0;
    for (const user of this.users.values()) total += user.connections.size;
    return total;
  }

  // -------------------------------------------------------------------------------------------
  // C2C
  // -------------------------------------------------------------------------------------------

  sendC2C(from: string, params: RequestParams<'c2c.send'>): RequestResult<'c2c.send'> {
    const delivered = this.sendEvent(params.to, 'c2c.message', { from, body: params.body, sentAt: this.clock.now() });
    if (delivered === 0) throw new LinkMicError('USER_OFFLINE', `user ${params.to} is offline`, { field: 'to' });
    return { delivered };
  }

  // -------------------------------------------------------------------------------------------
  // Rooms
  // -------------------------------------------------------------------------------------------

  openRoom(userId: string, params: RequestParams<'room.open'>): RequestResult<'room.open'> {
    const user = this.user(userId);
    const guestLimit = this.checkGuestLimit(params.guestLimit ?? Math.min(DEFAULT_LINK_QUOTA, this.config.linkQuota));
    if (user.hostedRoomId !== undefined) {
      const existing = this.rooms.get(user.hostedRoomId)!;
      if (existing.streamCode !== params.streamCode) {
        throw new LinkMicError('NOT_ALLOWED', `you already host room ${existing.roomId}; close it first`, { field: 'streamCode' });
      }
      // Idempotent re-open (a client re-announcing after a reconnect within the grace).
      const serverMix = requestedServerMix(params);
      if (serverMix !== undefined) this.setServerMix(existing, serverMix);
      if (params.allowLinkRequests !== undefined) existing.allowLinkRequests = params.allowLinkRequests;
      if (params.guestLimit !== undefined) existing.guestLimit = guestLimit;
      return { room: this.snapshot(existing), pushUrl: this.hostPushUrl(existing) };
    }
    this.assertStreamCodeFree(params.streamCode, 'streamCode');
    this.assertStreamCodeOwn(userId, params.streamCode, 'streamCode');
    const sessionId =
      params.sessionId !== undefined && !this.sessionIds.has(params.sessionId)
        ? params.sessionId
        : allocateSessionId(this.sessionIds, this.random);
    const room: RoomEntry = {
      roomId: params.streamCode,
      hostUserId: userId,
      streamCode: params.streamCode,
      sessionId,
      allowLinkRequests: params.allowLinkRequests ?? true,
      guestLimit,
      serverMix: requestedServerMix(params) ?? this.config.defaultServerMix,
      viewers: new Set(),
      links: new Map(),
      pendingRequests: new Map(),
      layout: null,
      pkId: undefined,
    };
    this.rooms.set(room.roomId, room);
    this.sessionIds.add(sessionId);
    this.claimStreamCode(room.streamCode, userId);
    user.hostedRoomId = room.roomId;
    this.logger.info('signal: room opened', { roomId: room.roomId, userId, sessionId });
    return { room: this.snapshot(room), pushUrl: this.hostPushUrl(room) };
  }

  updateRoom(userId: string, params: RequestParams<'room.update'>): RequestResult<'room.update'> {
    const room = this.hostedRoom(userId, params.roomId);
    if (params.guestLimit !== undefined) room.guestLimit = this.checkGuestLimit(params.guestLimit);
    if (params.allowLinkRequests !== undefined) room.allowLinkRequests = params.allowLinkRequests;
    if (params.serverMix !== undefined) this.setServerMix(room, params.serverMix);
    this.broadcastRoomUpdated(room);
    return { room: this.snapshot(room), pushUrl: this.hostPushUrl(room) };
  }

  /**
   * Switches the room between client-side and server-side mix. The push URLs change (`t_id`), so
   * the host re-pushes; linked guests would keep pushing with their old URL, hence refused while
   * any is linked.
   */
  private setServerMix(room: RoomEntry, serverMix: ServerMix): void {
    if (sameServerMix(room.serverMix, serverMix)) return;
    if (room.links.size > 0) {
      throw new LinkMicError('INVALID_STATE', `room ${room.roomId} has ${room.links.size} linked guest(s): end their links before switching between client-side and server-side mix`, { field: 'serverMix' });
    }
    room.serverMix = serverMix === null ? null : { templateId: serverMix.templateId };
    this.logger.info('signal: room mix changed', { roomId: room.roomId, serverMix: room.serverMix });
  }

  closeRoomByHost(userId: string, params: RequestParams<'room.close'>): void {
    this.hostedRoom(userId, params.roomId);
    this.closeRoom(params.roomId, 'closed');
  }

  joinRoom(userId: string, params: RequestParams<'room.join'>): RequestResult<'room.join'> {
    const room = this.room(params.roomId);
    room.viewers.add(userId);
    this.user(userId).joinedRooms.add(room.roomId);
    return { room: this.snapshot(room) };
  }

  leaveRoom(userId: string, params: RequestParams<'room.leave'>): void {
    const user = this.user(userId);
    if (!user.joinedRooms.delete(params.roomId)) throw new LinkMicError('INVALID_STATE', `you have not joined room ${params.roomId}`, { field: 'roomId' });
    this.rooms.get(params.roomId)?.viewers.delete(userId);
  }

  private closeRoom(roomId: string, reason: 'closed' | 'host-left'): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const requestId of [...room.pendingRequests.keys()]) this.endRequest(requestId, 'room-closed');
    for (const linkId of [...room.links.keys()]) this.endLink(linkId, 'room-closed');
    for (const invite of [...this.invites.values()]) {
      if (invite.fromRoomId === roomId || invite.toRoomId === roomId) this.endInvite(invite.pkId, 'room-closed');
    }
    if (room.pkId !== undefined) this.endPk(room.pkId, 'room-closed');
    const audience = [...room.viewers];
    this.rooms.delete(roomId);
    this.touchClaim(room.streamCode);
    this.sessionIds.delete(room.sessionId);
    const host = this.users.get(room.hostUserId);
    if (host) host.hostedRoomId = undefined;
    for (const viewer of audience) {
      this.users.get(viewer)?.joinedRooms.delete(roomId);
      this.sendEvent(viewer, 'room.closed', { roomId, reason });
    }
    this.logger.info('signal: room closed', { roomId, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Same-room link-mic: request → accept | reject | cancel | timeout → linked → hang up | kick
  // -------------------------------------------------------------------------------------------

  requestLink(userId: string, params: RequestParams<'link.request'>): RequestResult<'link.request'> {
    const user = this.user(userId);
    const room = this.room(params.roomId);
    if (room.hostUserId === userId) throw new LinkMicError('NOT_ALLOWED', 'a host cannot request a link to its own room', { field: 'roomId' });
    if (user.guestLinkId !== undefined) {
      throw new LinkMicError('ALREADY_LINKED', `you are already linked (link ${user.guestLinkId}); hang up first`);
    }
    for (const requestId of user.outgoingRequests) {
      if (this.requests.get(requestId)?.roomId === room.roomId) {
        throw new LinkMicError('ALREADY_PENDING', `your request ${requestId} to this room is still pending`);
      }
    }
    if (!room.allowLinkRequests) throw new LinkMicError('LINK_REQUESTS_DISABLED', `room ${room.roomId} does not take link requests now`);
    this.assertGuestSlot(room);
    this.assertStreamCodeFree(params.streamCode, 'streamCode');
    this.assertStreamCodeOwn(userId, params.streamCode, 'streamCode');
    const requestId = this.nextId('r');
    const expiresAt = this.clock.now() + this.config.requestTimeoutMs;
    const timer = this.clock.setTimeout(() => this.endRequest(requestId, 'timeout'), this.config.requestTimeoutMs);
    const request: LinkRequestEntry = { requestId, roomId: room.roomId, guestUserId: userId, streamCode: params.streamCode, expiresAt, timer };
    this.requests.set(requestId, request);
    this.claimStreamCode(request.streamCode, userId);
    room.pendingRequests.set(requestId, request);
    user.outgoingRequests.add(requestId);
    this.sendEvent(room.hostUserId, 'link.requested', { requestId, roomId: room.roomId, from: userId, streamCode: params.streamCode, expiresAt });
    return { requestId, expiresAt };
  }

  cancelLinkRequest(userId: string, params: RequestParams<'link.cancel'>): void {
    const request = this.pendingRequest(params.requestId);
    if (request.guestUserId !== userId) throw new LinkMicError('NOT_ALLOWED', 'only the requester can cancel a request', { field: 'requestId' });
    this.endRequest(request.requestId, 'cancelled');
  }

  rejectLinkRequest(userId: string, params: RequestParams<'link.reject'>): void {
    const request = this.pendingRequest(params.requestId);
    this.hostedRoom(userId, request.roomId);
    this.endRequest(request.requestId, 'rejected', params.reason);
  }

  acceptLinkRequest(userId: string, params: RequestParams<'link.accept'>): LinkStarted {
    const request = this.pendingRequest(params.requestId);
    const room = this.hostedRoom(userId, request.roomId);
    this.assertGuestSlot(room);
    const guest = this.user(request.guestUserId);
    if (guest.guestLinkId !== undefined) throw new LinkMicError('ALREADY_LINKED', `${guest.userId} is already linked elsewhere`);
    // The request is consumed before anyone is told, so a racing second accept finds it gone.
    request.timer.cancel();
    this.requests.delete(request.requestId);
    room.pendingRequests.delete(request.requestId);
    guest.outgoingRequests.delete(request.requestId);
    const link: LinkEntry = { linkId: this.nextId('l'), roomId: room.roomId, guestUserId: guest.userId, guestStreamCode: request.streamCode };
    this.links.set(link.linkId, link);
    room.links.set(link.linkId, link);
    guest.guestLinkId = link.linkId;
    const hostView = this.hostLinkView(room, link);
    if (this.config.linkPublishDeadlineMs !== null) {
      this.publishDeadlines.arm({ linkId: link.linkId, streamCode: link.guestStreamCode, at: this.clock.now() + this.config.linkPublishDeadlineMs });
    }
    this.sendEvent(guest.userId, 'link.started', this.guestLinkView(room, link));
    this.sendEvent(room.hostUserId, 'link.started', hostView);
    this.broadcastRoomUpdated(room);
    this.logger.info('signal: link started', { linkId: link.linkId, roomId: room.roomId, guest: guest.userId });
    return hostView;
  }

  hangUp(userId: string, params: RequestParams<'link.hangup'>): void {
    const link = this.link(params.linkId);
    const room = this.rooms.get(link.roomId);
    if (link.guestUserId !== userId && room?.hostUserId !== userId) throw new LinkMicError('NOT_ALLOWED', 'only the host or the guest can hang up', { field: 'linkId' });
    this.endLink(link.linkId, 'hangup', userId);
  }

  kick(userId: string, params: RequestParams<'link.kick'>): void {
    const link = this.link(params.linkId);
    this.hostedRoom(userId, link.roomId);
    this.endLink(link.linkId, 'kicked', userId);
  }

  private endRequest(requestId: string, outcome: EventPayload<'link.requestEnded'>['outcome'], reason?: string): void {
    const request = this.requests.get(requestId);
    if (!request) return;
    request.timer.cancel();
    this.requests.delete(requestId);
    this.touchClaim(request.streamCode);
    this.users.get(request.guestUserId)?.outgoingRequests.delete(requestId);
    const room = this.rooms.get(request.roomId);
    room?.pendingRequests.delete(requestId);
    const payload: EventPayload<'link.requestEnded'> = { requestId, roomId: request.roomId, outcome };
    if (reason !== undefined) payload.reason = reason;
    this.sendEvent(request.guestUserId, 'link.requestEnded', payload);
    if (room) this.sendEvent(room.hostUserId, 'link.requestEnded', payload);
  }

  private endLink(linkId: string, reason: EventPayload<'link.ended'>['reason'], by?: string, streamCode?: string): void {
    const link = this.links.get(linkId);
    if (!link) return;
    this.links.delete(linkId);
    this.touchClaim(link.guestStreamCode);
    const guest = this.users.get(link.guestUserId);
    if (guest?.guestLinkId === linkId) guest.guestLinkId = undefined;
    const room = this.rooms.get(link.roomId);
    room?.links.delete(linkId);
    this.publishDeadlines.cancel(linkId);
    this.clearMediaWatchIfUnused(link.guestStreamCode);
    this.clearMediaWatchIfUnused(link.roomId);
    const payload: EventPayload<'link.ended'> = { linkId, roomId: link.roomId, reason };
    if (by !== undefined) payload.by = by;
    if (streamCode !== undefined) payload.streamCode = streamCode;
    this.sendEvent(link.guestUserId, 'link.ended', payload);
    if (room) {
      this.sendEvent(room.hostUserId, 'link.ended', payload);
      this.pruneLayout(room, link.guestUserId);
      if (reason !== 'room-closed') this.broadcastRoomUpdated(room);
    }
    this.logger.info('signal: link ended', { linkId, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Cross-room PK: invite → accept | reject | cancel | timeout → linked → end
  // -------------------------------------------------------------------------------------------

  invitePk(userId: string, params: RequestParams<'pk.invite'>): RequestResult<'pk.invite'> {
    const user = this.user(userId);
    if (user.hostedRoomId === undefined) throw new LinkMicError('NOT_ALLOWED', 'only the host of a live room can invite to a PK');
    const target = this.room(params.roomId);
    if (target.roomId === user.hostedRoomId) throw new ValidationError('INVALID_ARGUMENT', 'roomId', 'a host cannot invite its own room to a PK');
    const invitee = this.user(target.hostUserId);
    this.assertPkFree(user, 'you are');
    this.assertPkFree(invitee, `${invitee.userId} is`);
    const durationSec = this.battles.checkDuration(params.durationSec);
    const pkId = this.nextId('p');
    const expiresAt = this.clock.now() + this.config.requestTimeoutMs;
    const timer = this.clock.setTimeout(() => this.endInvite(pkId, 'timeout'), this.config.requestTimeoutMs);
    const invite: PkInviteEntry = { pkId, fromUserId: userId, fromRoomId: user.hostedRoomId, toUserId: invitee.userId, toRoomId: target.roomId, expiresAt, timer, durationSec };
    this.invites.set(pkId, invite);
    user.pkInvites.add(pkId);
    invitee.pkInvites.add(pkId);
    this.sendEvent(invitee.userId, 'pk.invited', { pkId, from: userId, fromRoomId: invite.fromRoomId, toRoomId: invite.toRoomId, expiresAt, durationSec });
    return { pkId, expiresAt };
  }

  cancelPkInvite(userId: string, params: RequestParams<'pk.cancel'>): void {
    const invite = this.pendingInvite(params.pkId);
    if (invite.fromUserId !== userId) throw new LinkMicError('NOT_ALLOWED', 'only the inviter can cancel an invite', { field: 'pkId' });
    this.endInvite(invite.pkId, 'cancelled');
  }

  rejectPkInvite(userId: string, params: RequestParams<'pk.reject'>): void {
    const invite = this.pendingInvite(params.pkId);
    if (invite.toUserId !== userId) throw new LinkMicError('NOT_ALLOWED', 'only the invited host can reject', { field: 'pkId' });
    this.endInvite(invite.pkId, 'rejected', params.reason);
  }

  acceptPkInvite(userId: string, params: RequestParams<'pk.accept'>): PkStarted {
    const invite = this.pendingInvite(params.pkId);
    if (invite.toUserId !== userId) throw new LinkMicError('NOT_ALLOWED', 'only the invited host can accept', { field: 'pkId' });
    const fromRoom = this.room(invite.fromRoomId);
    const toRoom = this.room(invite.toRoomId);
    invite.timer.cancel();
    this.invites.delete(invite.pkId);
    this.users.get(invite.fromUserId)?.pkInvites.delete(invite.pkId);
    this.users.get(invite.toUserId)?.pkInvites.delete(invite.pkId);
    const pk: PkEntry = {
      pkId: invite.pkId,
      sides: [
        { userId: invite.fromUserId, roomId: fromRoom.roomId },
        { userId: invite.toUserId, roomId: toRoom.roomId },
      ],
      battle: null,
    };
    this.pks.set(pk.pkId, pk);
    fromRoom.pkId = pk.pkId;
    toRoom.pkId = pk.pkId;
    this.user(invite.fromUserId).pkId = pk.pkId;
    this.user(invite.toUserId).pkId = pk.pkId;
    if (invite.durationSec !== null) this.battles.start(pk, invite.durationSec);
    const inviteeView = this.pkView(pk, toRoom, fromRoom);
    this.sendEvent(invite.fromUserId, 'pk.started', this.pkView(pk, fromRoom, toRoom));
    this.sendEvent(invite.toUserId, 'pk.started', inviteeView);
    this.broadcastRoomUpdated(fromRoom);
    this.broadcastRoomUpdated(toRoom);
    if (pk.battle) this.battles.announce(pk);
    this.logger.info('signal: pk started', { pkId: pk.pkId, rooms: [fromRoom.roomId, toRoom.roomId] });
    return inviteeView;
  }

  endPkByHost(userId: string, params: RequestParams<'pk.end'>): void {
    const pk = this.pks.get(params.pkId);
    if (!pk) throw new LinkMicError('INVALID_STATE', `no active PK ${params.pkId}`, { field: 'pkId' });
    if (!pk.sides.some((side) => side.userId === userId)) throw new LinkMicError('NOT_ALLOWED', 'only a host in the PK can end it', { field: 'pkId' });
    this.endPk(pk.pkId, 'ended', userId);
  }

  private endInvite(pkId: string, outcome: EventPayload<'pk.inviteEnded'>['outcome'], reason?: string): void {
    const invite = this.invites.get(pkId);
    if (!invite) return;
    invite.timer.cancel();
    this.invites.delete(pkId);
    this.users.get(invite.fromUserId)?.pkInvites.delete(pkId);
    this.users.get(invite.toUserId)?.pkInvites.delete(pkId);
    const payload: EventPayload<'pk.inviteEnded'> = { pkId, outcome };
    if (reason !== undefined) payload.reason = reason;
    this.sendEvent(invite.fromUserId, 'pk.inviteEnded', payload);
    this.sendEvent(invite.toUserId, 'pk.inviteEnded', payload);
  }

  private endPk(pkId: string, reason: EventPayload<'pk.ended'>['reason'], by?: string, streamCode?: string): void {
    const pk = this.pks.get(pkId);
    if (!pk) return;
    this.pks.delete(pkId);
    this.battles.stop(pkId);
    if (pk.battle) this.notifyBattle(pk);
    const payload: EventPayload<'pk.ended'> = { pkId, reason };
    if (by !== undefined) payload.by = by;
    if (streamCode !== undefined) payload.streamCode = streamCode;
    for (const side of pk.sides) {
      const user = this.users.get(side.userId);
      if (user?.pkId === pkId) user.pkId = undefined;
      const room = this.rooms.get(side.roomId);
      if (room?.pkId === pkId) room.pkId = undefined;
      this.clearMediaWatchIfUnused(side.roomId);
      this.sendEvent(side.userId, 'pk.ended', payload);
      const other = pk.sides.find((s) => s !== side)!;
      if (room) {
        this.pruneLayout(room, other.userId);
        if (reason !== 'room-closed') this.broadcastRoomUpdated(room);
      }
    }
    this.logger.info('signal: pk ended', { pkId, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Layout
  // -------------------------------------------------------------------------------------------

  setLayout(userId: string, params: RequestParams<'layout.set'>): RequestResult<'layout.set'> {
    const room = this.hostedRoom(userId, params.roomId);
    const allowed = this.layoutCandidates(room);
    params.layout.participants.forEach((participant, index) => {
      const streamCode = allowed.get(participant.userId);
      if (streamCode === undefined) {
        throw new ValidationError('INVALID_ARGUMENT', `layout.participants.${index}.userId`, `${participant.userId} is neither this room's host, a linked guest nor the PK peer`);
      }
      if (streamCode !== participant.streamCode) {
        throw new ValidationError('INVALID_ARGUMENT', `layout.participants.${index}.streamCode`, `${participant.userId} streams as ${streamCode}, not ${participant.streamCode}`);
      }
    });
    room.layout = params.layout;
    this.broadcastLayout(room);
    return { layout: params.layout };
  }

  /** userId → stream code of everyone a layout of this room may show. */
  private layoutCandidates(room: RoomEntry): Map<string, string> {
    const result = new Map<string, string>([[room.hostUserId, room.streamCode]]);
    for (const link of room.links.values()) result.set(link.guestUserId, link.guestStreamCode);
    const peer = this.pkPeerRoom(room);
    if (peer) result.set(peer.hostUserId, peer.streamCode);
    return result;
  }

  private pruneLayout(room: RoomEntry, userId: string): void {
    if (!room.layout?.participants.some((p) => p.userId === userId)) return;
    const participants = room.layout.participants.filter((p) => p.userId !== userId);
    room.layout = participants.length === 0 ? null : { templateId: room.layout.templateId, participants };
    if (room.layout) this.broadcastLayout(room);
  }

  private broadcastLayout(room: RoomEntry): void {
    const layout: Layout = room.layout!;
    const audienceUrls: Record<string, string> = {};
    for (const p of layout.participants) audienceUrls[p.streamCode] = this.issuer.audienceUrl(p.streamCode);
    this.broadcast(room, 'layout.changed', { roomId: room.roomId, layout, audienceUrls });
  }

  // -------------------------------------------------------------------------------------------
  // Media awareness: a linked party's stream gone from the origin for mediaLossMs ends its links
  // -------------------------------------------------------------------------------------------

  onStreamUnpublished(streamCode: string): void {
    if (this.mediaLossTimers.has(streamCode) || !this.isLinkedStream(streamCode)) return;
    this.watchMediaLoss(streamCode, this.clock.now() + this.config.mediaLossMs);
  }

  private watchMediaLoss(streamCode: string, at: number): void {
    this.mediaLossDue.set(streamCode, at);
    this.mediaLossTimers.set(
      streamCode,
      this.clock.setTimeout(() => {
        this.mediaLossTimers.delete(streamCode);
        this.mediaLossDue.delete(streamCode);
        this.endLinksOfStream(streamCode);
      }, at - this.clock.now()),
    );
  }

  onStreamPublished(streamCode: string): void {
    this.publishDeadlines.published(streamCode);
    this.mediaLossTimers.get(streamCode)?.cancel();
    this.mediaLossTimers.delete(streamCode);
    this.mediaLossDue.delete(streamCode);
  }

  private isLinkedStream(streamCode: string): boolean {
    for (const link of this.links.values()) {
      if (link.guestStreamCode === streamCode || link.roomId === streamCode) return true;
    }
    const room = this.rooms.get(streamCode);
    return room?.pkId !== undefined;
  }

  private endLinksOfStream(streamCode: string): void {
    this.logger.warn('signal: linked stream lost at the origin', { streamCode });
    for (const link of [...this.links.values()]) {
      if (link.guestStreamCode === streamCode || link.roomId === streamCode) this.endLink(link.linkId, 'media-lost', undefined, streamCode);
    }
    const room = this.rooms.get(streamCode);
    if (room?.pkId !== undefined) this.endPk(room.pkId, 'media-lost', undefined, streamCode);
  }

  private clearMediaWatchIfUnused(streamCode: string): void {
    if (this.mediaLossTimers.has(streamCode) && !this.isLinkedStream(streamCode)) this.onStreamPublished(streamCode);
  }

  // -------------------------------------------------------------------------------------------
  // What was issued (the origin's publish check, docs/security.md)
  // -------------------------------------------------------------------------------------------

  /**
   * The publishers this hub issued push URLs to under `sessionId` (its room's host as layer b,
   * the accepted guests as layer s, with the room's t_id), or undefined when no room has it.
   */
  issuedSession(sessionId: SessionId): { publishers: ReadonlyMap<string, IssuedPublisherView> } | undefined {
    for (const room of this.rooms.values()) {
      if (room.sessionId !== sessionId) continue;
      const templateId = room.serverMix ? room.serverMix.templateId : undefined;
      const publishers = new Map<string, IssuedPublisherView>([[room.streamCode, { layer: 'b', templateId }]]);
      for (const link of room.links.values()) publishers.set(link.guestStreamCode, { layer: 's', templateId });
      return { publishers };
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Views
  // -------------------------------------------------------------------------------------------

  private hostPushUrl(room: RoomEntry): string {
    return this.pushUrlOf(room, room.streamCode, 'b');
  }

  /** `mix=layer:{layer};session_id:N`, plus `;t_id:T` only when the room uses a server-side mix. */
  private pushUrlOf(room: RoomEntry, streamCode: string, layer: 'b' | 's'): string {
    const base = { streamCode, sessionId: room.sessionId, layer };
    return this.issuer.pushUrl(room.serverMix ? { ...base, templateId: room.serverMix.templateId } : base);
  }

  private guestLinkView(room: RoomEntry, link: LinkEntry): LinkStarted {
    return {
      linkId: link.linkId,
      roomId: room.roomId,
      role: 'guest',
      sessionId: room.sessionId,
      peer: { userId: room.hostUserId, streamCode: room.streamCode },
      playUrls: this.issuer.linkPlayUrls({ streamCode: room.streamCode, sessionId: room.sessionId }),
      pushUrl: this.pushUrlOf(room, link.guestStreamCode, 's'),
    };
  }

  private hostLinkView(room: RoomEntry, link: LinkEntry): LinkStarted {
    return {
      linkId: link.linkId,
      roomId: room.roomId,
      role: 'host',
      sessionId: room.sessionId,
      peer: { userId: link.guestUserId, streamCode: link.guestStreamCode },
      playUrls: this.issuer.linkPlayUrls({ streamCode: link.guestStreamCode, sessionId: room.sessionId }),
    };
  }

  /** `own`'s view of the PK: the other host's stream, signed with the other host's session_id. */
  private pkView(pk: PkEntry, own: RoomEntry, other: RoomEntry): PkStarted {
    return {
      pkId: pk.pkId,
      roomId: own.roomId,
      sessionId: own.sessionId,
      peer: { userId: other.hostUserId, roomId: other.roomId, streamCode: other.streamCode, sessionId: other.sessionId },
      playUrls: this.issuer.linkPlayUrls({ streamCode: other.streamCode, sessionId: other.sessionId }),
      battle: this.battles.view(pk),
    };
  }

  /** [mixer] The PK battle of the PK `streamCode`'s room is in, with that room's side first, and the server time it was read at. */
  battleOfStream(streamCode: string): { own: number; peer: number; battle: NonNullable<ReturnType<PkBattles['view']>>; serverTime: number } | undefined {
    const room = this.rooms.get(streamCode);
    const pk = room?.pkId !== undefined ? this.pks.get(room.pkId) : undefined;
    const battle = pk ? this.battles.view(pk) : null;
    if (!pk || !battle) return undefined;
    const ownIndex = pk.sides[0].roomId === streamCode ? 0 : 1;
    return { own: battle.sides[ownIndex].score, peer: battle.sides[1 - ownIndex]!.score, battle, serverTime: this.clock.now() };
  }

  /** [mixer] Calls `listener` with the two rooms of a PK whenever its battle changes or ends. */
  onBattleChange(listener: (roomIds: readonly string[]) => void): Disposable {
    return this.battleChanges.on('change', listener);
  }

  private notifyBattle(pk: PkEntry): void {
    this.battleChanges.emit('change', pk.sides.map((side) => side.roomId));
  }

  /** A viewer or linked guest of either room of the PK, and not one of its hosts. */
  private isPkAudience(pk: PkEntry, userId: string): boolean {
    if (pk.sides.some((side) => side.userId === userId)) return false;
    return pk.sides.some((side) => {
      const room = this.rooms.get(side.roomId);
      if (!room) return false;
      if (room.viewers.has(userId)) return true;
      for (const link of room.links.values()) if (link.guestUserId === userId) return true;
      return false;
    });
  }

  /** Sends an event to everyone in both rooms of a PK (hosts, guests, viewers), each user once. */
  private broadcastToPk<T extends EventType>(pk: PkEntry, type: T, payload: EventPayload<T>): void {
    const recipients = new Set<string>();
    for (const side of pk.sides) {
      recipients.add(side.userId);
      const room = this.rooms.get(side.roomId);
      if (!room) continue;
      for (const viewer of room.viewers) recipients.add(viewer);
      for (const link of room.links.values()) recipients.add(link.guestUserId);
    }
    const text = JSON.stringify({ type, ...payload });
    for (const userId of recipients) {
      const user = this.users.get(userId);
      if (user) for (const peer of user.connections) peer.sendRaw(text);
    }
  }

  /** [mixer] The stream code of the other host when `streamCode`'s room is in an accepted PK. */
  pkPeerStreamCode(streamCode: string): string | undefined {
    for (const room of this.rooms.values()) if (room.streamCode === streamCode) return this.pkPeerRoom(room)?.streamCode;
    return undefined;
  }

  private battleView(pkId: string) {
    const pk = this.pks.get(pkId);
    return pk ? this.battles.view(pk) : null;
  }

  private pkPeerRoom(room: RoomEntry): RoomEntry | undefined {
    if (room.pkId === undefined) return undefined;
    const pk = this.pks.get(room.pkId);
    const other = pk?.sides.find((side) => side.roomId !== room.roomId);
    return other ? this.rooms.get(other.roomId) : undefined;
  }

  snapshot(room: RoomEntry): RoomSnapshot {
    const peer = this.pkPeerRoom(room);
    const audienceUrls: Record<string, string> = { [room.streamCode]: this.issuer.audienceUrl(room.streamCode) };
    for (const link of room.links.values()) audienceUrls[link.guestStreamCode] = this.issuer.audienceUrl(link.guestStreamCode);
    if (peer) audienceUrls[peer.streamCode] = this.issuer.audienceUrl(peer.streamCode);
    return {
      roomId: room.roomId,
      hostUserId: room.hostUserId,
      streamCode: room.streamCode,
      sessionId: room.sessionId,
      serverMix: room.serverMix ? { templateId: room.serverMix.templateId } : null,
      settings: { allowLinkRequests: room.allowLinkRequests, guestLimit: room.guestLimit },
      guests: [...room.links.values()].map((link) => ({ userId: link.guestUserId, streamCode: link.guestStreamCode, linkId: link.linkId })),
      pk: peer && room.pkId !== undefined ? { pkId: room.pkId, peerUserId: peer.hostUserId, peerRoomId: peer.roomId, peerStreamCode: peer.streamCode, battle: this.battleView(room.pkId) } : null,
      layout: room.layout,
      audienceUrls,
      viewerCount: room.viewers.size,
    };
  }

  private userState(user: UserEntry): UserState {
    const hosted = user.hostedRoomId !== undefined ? this.rooms.get(user.hostedRoomId) : undefined;
    const links: LinkStarted[] = [];
    if (hosted) for (const link of hosted.links.values()) links.push(this.hostLinkView(hosted, link));
    const guestLink = user.guestLinkId !== undefined ? this.links.get(user.guestLinkId) : undefined;
    const guestRoom = guestLink ? this.rooms.get(guestLink.roomId) : undefined;
    if (guestLink && guestRoom) links.push(this.guestLinkView(guestRoom, guestLink));
    let pk: PkStarted | null = null;
    const pkEntry = user.pkId !== undefined ? this.pks.get(user.pkId) : undefined;
    if (pkEntry) {
      const own = pkEntry.sides.find((s) => s.userId === user.userId)!;
      const other = pkEntry.sides.find((s) => s.userId !== user.userId)!;
      const ownRoom = this.rooms.get(own.roomId);
      const otherRoom = this.rooms.get(other.roomId);
      if (ownRoom && otherRoom) pk = this.pkView(pkEntry, ownRoom, otherRoom);
    }
    const pendingLinkRequests: UserState['pendingLinkRequests'] = [...user.outgoingRequests].map((requestId) => ({
      requestId,
      roomId: this.requests.get(requestId)!.roomId,
      direction: 'outgoing' as const,
    }));
    if (hosted) for (const requestId of hosted.pendingRequests.keys()) pendingLinkRequests.push({ requestId, roomId: hosted.roomId, direction: 'incoming' });
    return {
      hostedRoom: hosted ? this.snapshot(hosted) : null,
      joinedRooms: [...user.joinedRooms],
      links,
      pk,
      pendingLinkRequests,
      pendingPkInvites: [...user.pkInvites].map((pkId) => ({ pkId, direction: this.invites.get(pkId)!.fromUserId === user.userId ? ('outgoing' as const) : ('incoming' as const) })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Delivery and lookups
  // -------------------------------------------------------------------------------------------

  /** Sends an event to every connection of a user; returns how many connections got it. */
  sendEvent<T extends EventType>(userId: string, type: T, payload: EventPayload<T>): number {
    const user = this.users.get(userId);
    if (!user || user.connections.size === 0) return 0;
    const text = JSON.stringify({ type, ...payload });
    for (const peer of user.connections) peer.sendRaw(text);
    return user.connections.size;
  }

  /** Sends an event to the host, linked guests and viewers of a room, each user once. */
  private broadcast<T extends EventType>(room: RoomEntry, type: T, payload: EventPayload<T>): void {
    const recipients = new Set<string>([room.hostUserId, ...room.viewers]);
    for (const link of room.links.values()) recipients.add(link.guestUserId);
    const text = JSON.stringify({ type, ...payload });
    for (const userId of recipients) {
      const user = this.users.get(userId);
      if (user) for (const peer of user.connections) peer.sendRaw(text);
    }
  }

  private broadcastRoomUpdated(room: RoomEntry): void {
    this.broadcast(room, 'room.updated', { room: this.snapshot(room) });
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${this.sequence.toString(36)}-${(this.random() >>> 0).toString(36)}`;
  }

  private user(userId: string): UserEntry {
    const user = this.users.get(userId);
    if (!user) throw new LinkMicError('USER_OFFLINE', `user ${userId} is offline`);
    return user;
  }

  private room(roomId: string): RoomEntry {
    const room = this.rooms.get(roomId);
    if (!room) throw new LinkMicError('ROOM_NOT_FOUND', `no live room ${roomId}`, { field: 'roomId' });
    return room;
  }

  private hostedRoom(userId: string, roomId: string): RoomEntry {
    const room = this.room(roomId);
    if (room.hostUserId !== userId) throw new LinkMicError('NOT_ALLOWED', `only the host of room ${roomId} can do this`, { field: 'roomId' });
    return room;
  }

  private pendingRequest(requestId: string): LinkRequestEntry {
    const request = this.requests.get(requestId);
    if (!request) throw new LinkMicError('REQUEST_NOT_PENDING', `link request ${requestId} is not pending (accepted, rejected, cancelled, timed out or unknown)`, { field: 'requestId' });
    return request;
  }

  private pendingInvite(pkId: string): PkInviteEntry {
    const invite = this.invites.get(pkId);
    if (!invite) throw new LinkMicError('REQUEST_NOT_PENDING', `PK invite ${pkId} is not pending (accepted, rejected, cancelled, timed out or unknown)`, { field: 'pkId' });
    return invite;
  }

  private link(linkId: string): LinkEntry {
    const link = this.links.get(linkId);
    if (!link) throw new LinkMicError('INVALID_STATE', `no active link ${linkId}`, { field: 'linkId' });
    return link;
  }

  private checkGuestLimit(limit: number): number {
    if (limit > this.config.linkQuota) {
      throw new LinkMicError('LINK_QUOTA_EXCEEDED', `guest limit ${limit} is above the link quota of ${this.config.linkQuota} per session_id`, { field: 'guestLimit' });
    }
    return limit;
  }

  private assertGuestSlot(room: RoomEntry): void {
    if (room.links.size >= room.guestLimit) {
      throw new LinkMicError('GUEST_LIMIT_REACHED', `room ${room.roomId} already has ${room.links.size} of ${room.guestLimit} guests (link quota ${this.config.linkQuota})`);
    }
  }

  private assertPkFree(user: UserEntry, who: string): void {
    if (user.pkId !== undefined || user.pkInvites.size > 0) throw new LinkMicError('PK_BUSY', `${who} already in a PK or a pending PK invite`);
  }

  /**
   * A stream code another user opened a room or linked with is theirs (squatting, issue #17.4),
   * unless that claim expired; a code new to the user must fit under its claim cap.
   */
  private assertStreamCodeOwn(userId: string, streamCode: string, field: string): void {
    const now = this.clock.now();
    const claim = this.codeOwners.get(streamCode);
    if (claim !== undefined && !this.claimExpired(streamCode, claim, now)) {
      if (claim.userId !== userId) throw new LinkMicError('STREAM_CODE_NOT_YOURS', `stream code ${streamCode} belongs to another user`, { field });
      return;
    }
    let held = 0;
    for (const code of this.claimsByUser.get(userId) ?? []) {
      const own = this.codeOwners.get(code);
      if (own !== undefined && !this.claimExpired(code, own, now)) held += 1;
    }
    if (held >= this.claimLimits.maxPerUser) {
      throw new LinkMicError('STREAM_CODE_LIMIT_REACHED', `you already hold ${held} stream codes (at most ${this.claimLimits.maxPerUser}); use one of them`, { field });
    }
  }

  /** Binds `streamCode` to `userId` (or refreshes the binding); an expired claim of another user is replaced. */
  private claimStreamCode(streamCode: string, userId: string, lastUsedAt = this.clock.now()): void {
    const previous = this.codeOwners.get(streamCode);
    if (previous !== undefined && previous.userId !== userId) this.dropClaim(streamCode);
    this.codeOwners.set(streamCode, { userId, lastUsedAt });
    let codes = this.claimsByUser.get(userId);
    if (!codes) this.claimsByUser.set(userId, (codes = new Set()));
    codes.add(streamCode);
    this.sweepClaims();
  }

  /** The code was in use until now (its room, link or request ended): its idle time starts again. */
  private touchClaim(streamCode: string): void {
    const claim = this.codeOwners.get(streamCode);
    if (claim) claim.lastUsedAt = Math.max(claim.lastUsedAt, this.clock.now());
  }

  private dropClaim(streamCode: string): void {
    const claim = this.codeOwners.get(streamCode);
    if (!claim) return;
    this.codeOwners.delete(streamCode);
    const codes = this.claimsByUser.get(claim.userId);
    codes?.delete(streamCode);
    if (codes?.size === 0) this.claimsByUser.delete(claim.userId);
  }

  /** A claim expires once its code has been out of use for the idle expiry; a code in use never does. */
  private claimExpired(streamCode: string, claim: CodeClaim, now: number): boolean {
    return now - claim.lastUsedAt >= this.claimLimits.idleExpiryMs && !this.streamCodeInUse(streamCode);
  }

  /** Forgets expired claims (memory and the saved state stay bounded); at most once an hour of hub time. */
  private sweepClaims(): void {
    const now = this.clock.now();
    if (now - this.claimsSweptAt < CLAIM_SWEEP_MS) return;
    this.claimsSweptAt = now;
    for (const [streamCode, claim] of [...this.codeOwners]) {
      if (this.claimExpired(streamCode, claim, now)) {
        this.dropClaim(streamCode);
        this.logger.info('signal: stream code claim expired', { streamCode, userId: claim.userId });
      }
    }
  }

  /** A live room, link or pending request uses the code. */
  private streamCodeInUse(streamCode: string): boolean {
    if (this.rooms.has(streamCode)) return true;
    for (const link of this.links.values()) if (link.guestStreamCode === streamCode) return true;
    for (const request of this.requests.values()) if (request.streamCode === streamCode) return true;
    return false;
  }

  private assertStreamCodeFree(streamCode: string, field: string): void {
    if (this.streamCodeInUse(streamCode)) throw new LinkMicError('STREAM_CODE_TAKEN', `stream code ${streamCode} is already in use by a live room or link`, { field });
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots: the state as plain JSON (a restart, or another node joining; signal-snapshot.ts)
  // -------------------------------------------------------------------------------------------

  /** The whole state; `refOf` names a connection (undefined = not kept: a restart drops sockets). */
  exportSnapshot(refOf: (peer: Peer) => PeerRef | undefined): HubSnapshot {
    const optional = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
    return {
      version: SNAPSHOT_VERSION,
      takenAt: this.clock.now(),
      sequence: this.sequence,
      users: [...this.users.values()].map((user) => ({
        userId: user.userId,
        connections: [...user.connections].flatMap((peer) => refOf(peer) ?? []),
        graceUntil: optional(user.graceUntil),
        hostedRoomId: optional(user.hostedRoomId),
        joinedRooms: [...user.joinedRooms],
        guestLinkId: optional(user.guestLinkId),
        outgoingRequests: [...user.outgoingRequests],
        pkId: optional(user.pkId),
        pkInvites: [...user.pkInvites],
      })),
      rooms: [...this.rooms.values()].map((room) => ({
        roomId: room.roomId,
        hostUserId: room.hostUserId,
        streamCode: room.streamCode,
        sessionId: room.sessionId,
        allowLinkRequests: room.allowLinkRequests,
        guestLimit: room.guestLimit,
        serverMix: room.serverMix,
        viewers: [...room.viewers],
        links: [...room.links.keys()],
        pendingRequests: [...room.pendingRequests.keys()],
        layout: room.layout,
        pkId: optional(room.pkId),
      })),
      requests: [...this.requests.values()].map(({ timer: _timer, ...request }) => request),
      links: [...this.links.values()].map((link) => ({ ...link })),
      invites: [...this.invites.values()].map(({ timer: _timer, ...invite }) => invite),
      pks: [...this.pks.values()].map((pk) => structuredClone(pk) as HubSnapshot['pks'][number]),
      mediaLoss: [...this.mediaLossDue].map(([streamCode, at]) => ({ streamCode, at })),
      publishDue: this.publishDeadlines.entries(),
      // Expired claims are left out: they bind nobody.
      codeOwners: [...this.codeOwners]
        .filter(([streamCode, claim]) => !this.claimExpired(streamCode, claim, this.clock.now()))
        .map(([streamCode, { userId, lastUsedAt }]) => ({ streamCode, userId, lastUsedAt })),
    };
  }

  /**
   * Loads a snapshot into this (empty) hub and re-arms its timers from their due times. A user left
   * without connections (`peerOf` returned none: the restart dropped them) gets its reconnect grace
   * from now, so clients that come back within it continue where they were.
   */
  restoreSnapshot(snapshot: HubSnapshot, peerOf: (ref: PeerRef, userId: string) => Peer | undefined): void {
    if (this.users.size > 0 || this.rooms.size > 0) throw new LinkMicError('INVALID_STATE', 'a snapshot is restored into an empty hub only');
    const now = this.clock.now();
    this.sequence = Math.max(this.sequence, snapshot.sequence);
    for (const link of snapshot.links) this.links.set(link.linkId, { ...link });
    for (const entry of snapshot.requests) {
      const timer = this.clock.setTimeout(() => this.endRequest(entry.requestId, 'timeout'), entry.expiresAt - now);
      this.requests.set(entry.requestId, { ...entry, timer });
    }
    for (const entry of snapshot.invites) {
      const timer = this.clock.setTimeout(() => this.endInvite(entry.pkId, 'timeout'), entry.expiresAt - now);
      this.invites.set(entry.pkId, { ...entry, timer });
    }
    for (const pk of snapshot.pks) this.pks.set(pk.pkId, structuredClone(pk) as PkEntry);
    for (const pk of this.pks.values()) if (pk.battle) this.battles.arm(pk);
    for (const saved of snapshot.rooms) {
      const links = new Map<string, LinkEntry>();
      for (const linkId of saved.links) {
        const link = this.links.get(linkId);
        if (link) links.set(linkId, link);
      }
      const pendingRequests = new Map<string, LinkRequestEntry>();
      for (const requestId of saved.pendingRequests) {
        const request = this.requests.get(requestId);
        if (request) pendingRequests.set(requestId, request);
      }
      const room: RoomEntry = {
        roomId: saved.roomId,
        hostUserId: saved.hostUserId,
        streamCode: saved.streamCode,
        sessionId: saved.sessionId as SessionId,
        allowLinkRequests: saved.allowLinkRequests,
        guestLimit: saved.guestLimit,
        serverMix: saved.serverMix,
        viewers: new Set(saved.viewers),
        links,
        pendingRequests,
        layout: saved.layout,
        pkId: saved.pkId ?? undefined,
      };
      this.rooms.set(room.roomId, room);
      this.sessionIds.add(room.sessionId);
    }
    for (const saved of snapshot.users) {
      const user: UserEntry = {
        userId: saved.userId,
        connections: new Set(saved.connections.flatMap((ref) => peerOf(ref, saved.userId) ?? [])),
        graceTimer: undefined,
        graceUntil: undefined,
        hostedRoomId: saved.hostedRoomId ?? undefined,
        joinedRooms: new Set(saved.joinedRooms),
        guestLinkId: saved.guestLinkId ?? undefined,
        outgoingRequests: new Set(saved.outgoingRequests),
        pkId: saved.pkId ?? undefined,
        pkInvites: new Set(saved.pkInvites),
      };
      this.users.set(user.userId, user);
      if (user.connections.size === 0) this.startGrace(user, saved.connections.length === 0 && saved.graceUntil !== null ? saved.graceUntil : now + this.config.graceMs);
    }
    // A claim saved without its last use (a snapshot from before claims expired) counts as used now.
    this.claimsSweptAt = now;
    for (const { streamCode, userId, lastUsedAt } of snapshot.codeOwners) this.claimStreamCode(streamCode, userId, lastUsedAt ?? now);
    // A snapshot from before ownership: the codes in use belong to who uses them.
    for (const room of this.rooms.values()) if (!this.codeOwners.has(room.streamCode)) this.claimStreamCode(room.streamCode, room.hostUserId);
    for (const link of this.links.values()) if (!this.codeOwners.has(link.guestStreamCode)) this.claimStreamCode(link.guestStreamCode, link.guestUserId);
    for (const request of this.requests.values()) if (!this.codeOwners.has(request.streamCode)) this.claimStreamCode(request.streamCode, request.guestUserId);
    for (const { streamCode, at } of snapshot.mediaLoss) this.watchMediaLoss(streamCode, at);
    for (const due of snapshot.publishDue) if (this.links.has(due.linkId)) this.publishDeadlines.arm(due);
  }

  /** Ends every timer (server shutdown). State is dropped with the hub. */
  dispose(): void {
    for (const user of this.users.values()) user.graceTimer?.cancel();
    for (const request of this.requests.values()) request.timer.cancel();
    for (const invite of this.invites.values()) invite.timer.cancel();
    for (const timer of this.mediaLossTimers.values()) timer.cancel();
    this.publishDeadlines.dispose();
    this.battles.dispose();
    this.users.clear();
    this.rooms.clear();
    this.requests.clear();
    this.invites.clear();
    this.mediaLossTimers.clear();
    this.mediaLossDue.clear();
    this.codeOwners.clear();
    this.claimsByUser.clear();
  }
}

/** room.open's mix choice: `serverMix` when given, else the deprecated `templateId`, else undefined. */
function requestedServerMix(params: RequestParams<'room.open'>): ServerMix | undefined {
  if (params.serverMix !== undefined) return params.serverMix;
  return params.templateId !== undefined ? { templateId: params.templateId } : undefined;
}

function sameServerMix(a: ServerMix, b: ServerMix): boolean {
  return a === null || b === null ? a === b : a.templateId === b.templateId;
}
