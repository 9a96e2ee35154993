// The room mirror: the studio's copy of what the link-mic server holds for this user — the room it
// hosts (and that room's push URL), the rooms it joined, its links and link requests, its PK and PK
// invites, the layout, and the streamer's per co-host audio choices. It follows the signalling
// events, emits the contract's events for them, and tells its owner when a guest link starts or
// ends (the guest's push follows its link). It never sends a request itself (link-mic-actions.ts does).
import type { LinkStarted, PkStarted, RoomSnapshot, UserState } from '../../common/signal/messages';
import type { CoHostAudio, LinkRequestView, LinkView, PkInviteView, PkView, RoomView, StudioEvents, StudioState } from '../../common/studio-api';
import type { Layout } from '../../common/layout';
import { DisposableStore, type TypedEmitter } from '../../common/typed-emitter';
import type { SignalPort } from './ports';
import { DEFAULT_CO_HOST_AUDIO, linkView, pkView, roomView } from './signal-views';
import { PkBattleMirror } from './pk-battle-mirror';

export interface RoomMirrorOptions {
  /** The studio's event stream (the mirror emits the link, PK and layout events on it). */
  readonly events: TypedEmitter<StudioEvents>;
  /** Marks the studio state changed. */
  readonly changed: () => void;
  /** A link on which we are the guest started: our push becomes the small-host push on its URL. */
  readonly onGuestLinkStarted: (link: LinkStarted) => void;
  /** A link on which we were the guest is gone. */
  readonly onGuestLinkEnded: (link: LinkStarted) => Promise<void>;
}

export type MirrorState = Pick<StudioState, 'room' | 'joinedRooms' | 'links' | 'linkRequests' | 'pk' | 'pkInvites' | 'watchedBattles' | 'layout'>;

export class RoomMirror {
  private hostedRoom: RoomView | null = null;
  private roomPushUrl: string | null = null;
  private readonly joinedRooms = new Set<string>();
  private readonly links = new Map<string, LinkStarted>();
  private readonly linkRequests = new Map<string, LinkRequestView>();
  private currentPk: PkStarted | null = null;
  private readonly pkInvites = new Map<string, PkInviteView>();
  private currentLayout: Layout | null = null;
  private readonly coHostAudio = new Map<string, CoHostAudio>();
  /** Our PK's battle and the battles of rooms joined as a viewer (pk-battle-mirror.ts). */
  readonly battles = new PkBattleMirror();

  constructor(private readonly options: RoomMirrorOptions) {}

  // ------------------------------------------------------------------ reading

  get room(): RoomView | null {
    return this.hostedRoom;
  }

  /** The push URL signalling issued for our room (null before room.open). */
  get pushUrl(): string | null {
    return this.roomPushUrl;
  }

  hasJoined(roomId: string): boolean {
    return this.joinedRooms.has(roomId);
  }

  /** True when the user is linked with us or is our PK opponent. */
  isCoHost(userId: string): boolean {
    return [...this.links.values()].some((l) => l.peer.userId === userId) || this.currentPk?.peer.userId === userId;
  }

  audioOf(userId: string): CoHostAudio {
    return this.coHostAudio.get(userId) ?? DEFAULT_CO_HOST_AUDIO;
  }

  linkViewOf(link: LinkStarted): LinkView {
    return linkView(link, this.audioOf(link.peer.userId));
  }

  pkViewOf(pk: PkStarted): PkView {
    return pkView(pk, this.audioOf(pk.peer.userId), this.battles.viewOf(pk));
  }

  snapshot(): MirrorState {
    return {
      room: this.hostedRoom,
      joinedRooms: [...this.joinedRooms],
      links: [...this.links.values()].map((l) => this.linkViewOf(l)),
      linkRequests: [...this.linkRequests.values()],
      pk: this.currentPk ? this.pkViewOf(this.currentPk) : null,
      pkInvites: [...this.pkInvites.values()],
      watchedBattles: this.battles.watched(this.joinedRooms, this.currentPk?.pkId ?? null),
      layout: this.currentLayout,
    };
  }

  // ------------------------------------------------------------------ what our own requests changed

  setRoom(room: RoomView, pushUrl?: string): void {
    this.hostedRoom = room;
    if (pushUrl !== undefined) this.roomPushUrl = pushUrl;
    if (room.layout) this.currentLayout = room.layout;
    this.options.changed();
  }

  /** Our room is closed: it, its links, requests, PK and layout are gone. */
  forgetRoom(roomId: string): void {
    this.hostedRoom = null;
    this.roomPushUrl = null;
    for (const [id, link] of this.links) if (link.roomId === roomId) this.links.delete(id);
    for (const [id, request] of this.linkRequests) if (request.roomId === roomId) this.linkRequests.delete(id);
    if (this.currentPk?.roomId === roomId) this.currentPk = null;
    this.currentLayout = null;
    this.options.changed();
  }

  joined(roomId: string, layout: Layout | null): void {
    this.joinedRooms.add(roomId);
    if (layout) this.currentLayout = layout;
    this.options.changed();
  }

  left(roomId: string): void {
    this.joinedRooms.delete(roomId);
    this.options.changed();
  }

  addLinkRequest(view: LinkRequestView): void {
    this.linkRequests.set(view.requestId, view);
    this.options.events.emit('linkRequest', view);
    this.options.changed();
  }

  dropLinkRequest(requestId: string): void {
    this.linkRequests.delete(requestId);
    this.options.changed();
  }

  addPkInvite(view: PkInviteView): void {
    this.pkInvites.set(view.pkId, view);
    this.options.events.emit('pkInvite', view);
    this.options.changed();
  }

  dropPkInvite(pkId: string): void {
    this.pkInvites.delete(pkId);
    this.options.changed();
  }

  addLink(link: LinkStarted): void {
    const isNew = !this.links.has(link.linkId);
    this.links.set(link.linkId, link);
    if (isNew) this.options.events.emit('linkStarted', this.linkViewOf(link));
    this.options.changed();
    // A guest pushes as small host (layer:s) with the host's session_id, on the URL the server issued.
    if (isNew && link.role === 'guest' && link.pushUrl) this.options.onGuestLinkStarted(link);
  }

  async removeLink(linkId: string): Promise<void> {
    const link = this.links.get(linkId);
    if (!link) return;
    this.links.delete(linkId);
    this.options.changed();
    if (link.role === 'guest') await this.options.onGuestLinkEnded(link);
  }

  setPk(pk: PkStarted): void {
    const isNew = this.currentPk?.pkId !== pk.pkId;
    this.currentPk = pk;
    if (isNew) this.options.events.emit('pkStarted', this.pkViewOf(pk));
    this.options.changed();
  }

  endPk(pkId: string): void {
    if (this.currentPk?.pkId === pkId) this.currentPk = null;
    this.options.changed();
  }

  setLayout(layout: Layout): void {
    this.currentLayout = layout;
    if (this.hostedRoom) this.hostedRoom = { ...this.hostedRoom, layout };
    this.options.changed();
  }

  setCoHostAudio(userId: string, audio: CoHostAudio): void {
    this.coHostAudio.set(userId, audio);
    this.options.changed();
  }

  // ------------------------------------------------------------------ the server's view

  /** What `hello` said the server still holds for us (after a reconnect or restart). */
  applyUserState(state: UserState): void {
    if (state.hostedRoom) this.hostedRoom = roomView(state.hostedRoom);
    for (const roomId of state.joinedRooms) this.joinedRooms.add(roomId);
    for (const link of state.links) this.links.set(link.linkId, link);
    this.currentPk = state.pk;
    this.currentLayout = state.hostedRoom?.layout ?? null;
  }

  /**
   * A reconnect's `hello` (resumed or not): adopt what the server holds now, so what changed while
   * we were away (a link or PK that started, the battle's scores, phase, result or rematch, the
   * layout) shows. What ended is left to the `link.ended` / `pk.ended` the SignalClient reports
   * right after (its reconcile or re-announce), so their studio events and the guest push's stop
   * still follow.
   */
  refreshUserState(state: UserState, resumed: boolean, serverTime: number): void {
    if (state.hostedRoom) {
      this.hostedRoom = roomView(state.hostedRoom);
      if (state.hostedRoom.layout) this.currentLayout = state.hostedRoom.layout;
    }
    if (resumed) this.joinedRooms.clear();
    for (const roomId of state.joinedRooms) this.joinedRooms.add(roomId);
    for (const link of state.links) this.addLink(link);
    if (state.pk) {
      if (state.pk.battle) {
        const view = this.battles.refresh(state.pk.pkId, state.pk.battle, serverTime);
        if (this.currentPk?.pkId === state.pk.pkId) this.options.events.emit('pkBattle', view);
      }
      this.setPk(state.pk);
    }
    this.options.changed();
  }

  /** A watched room read again after a reconnect: its PK battle as the server holds it now. */
  refreshWatchedRoom(room: RoomSnapshot, serverTime: number): void {
    if (!this.joinedRooms.has(room.roomId) || !room.pk?.battle) return;
    this.battles.refresh(room.pk.pkId, room.pk.battle, serverTime);
    this.options.changed();
  }

  /** Disconnected from the server: nothing of its state is known any more. */
  clear(): void {
    this.hostedRoom = null;
    this.roomPushUrl = null;
    this.joinedRooms.clear();
    this.links.clear();
    this.linkRequests.clear();
    this.currentPk = null;
    this.pkInvites.clear();
    this.battles.clear();
    this.currentLayout = null;
    this.options.changed();
  }

  /** Follows the server's events; dispose the result to stop. */
  follow(signal: SignalPort): DisposableStore {
    const store = new DisposableStore();
    const { events, changed } = this.options;
    store.add(
      signal.on('room.updated', ({ room }) => {
        if (this.hostedRoom && room.roomId === this.hostedRoom.roomId) this.setRoom(roomView(room));
      }),
    );
    store.add(signal.on('room.closed', ({ roomId }) => this.left(roomId)));
    store.add(
      signal.on('link.requested', (event) => {
        this.addLinkRequest({ requestId: event.requestId, roomId: event.roomId, direction: 'incoming', from: event.from, streamCode: event.streamCode, expiresAt: event.expiresAt });
      }),
    );
    store.add(
      signal.on('link.requestEnded', (event) => {
        this.linkRequests.delete(event.requestId);
        events.emit('linkRequestEnded', { requestId: event.requestId, roomId: event.roomId, outcome: event.outcome, reason: event.reason ?? null });
        changed();
      }),
    );
    store.add(
      signal.on('link.started', (link) => {
        for (const [id, request] of this.linkRequests) if (request.roomId === link.roomId && request.direction === 'outgoing') this.linkRequests.delete(id);
        this.addLink(link);
      }),
    );
    store.add(
      signal.on('link.ended', (event) => {
        const known = this.links.has(event.linkId);
        void this.removeLink(event.linkId).then(() => {
          if (known) events.emit('linkEnded', { linkId: event.linkId, roomId: event.roomId, reason: event.reason, by: event.by ?? null });
        });
      }),
    );
    store.add(
      signal.on('pk.invited', (event) => {
        this.addPkInvite({ pkId: event.pkId, direction: 'incoming', from: event.from, fromRoomId: event.fromRoomId, toRoomId: event.toRoomId, expiresAt: event.expiresAt });
      }),
    );
    store.add(
      signal.on('pk.inviteEnded', (event) => {
        this.pkInvites.delete(event.pkId);
        events.emit('pkInviteEnded', { pkId: event.pkId, outcome: event.outcome, reason: event.reason ?? null });
        changed();
      }),
    );
    store.add(
      this.battles.attach(signal, (view) => {
        events.emit('pkBattle', view);
        changed();
      }),
    );
    store.add(
      signal.on('pk.started', (pk) => {
        this.pkInvites.delete(pk.pkId);
        this.setPk(pk);
      }),
    );
    store.add(
      signal.on('pk.ended', (event) => {
        if (this.currentPk?.pkId !== event.pkId) return;
        this.currentPk = null;
        events.emit('pkEnded', { pkId: event.pkId, reason: event.reason, by: event.by ?? null });
        changed();
      }),
    );
    store.add(
      signal.on('layout.changed', (event) => {
        this.currentLayout = event.layout;
        if (this.hostedRoom && this.hostedRoom.roomId === event.roomId) this.hostedRoom = { ...this.hostedRoom, layout: event.layout, audienceUrls: { ...event.audienceUrls } };
        events.emit('layout', { roomId: event.roomId, layout: event.layout, audienceUrls: event.audienceUrls });
        changed();
      }),
    );
    return store;
  }
}
