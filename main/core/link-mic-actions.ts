// The link-mic half of the StudioApi: rooms, link-mic requests, PK, layout and co-host audio. Each
// method sends the signalling request and records what it changed in the room mirror; the push
// follows where the spec says so (a mix change restarts the big-host push with the new URL; closing
// the room stops it). StudioCore dispatches these methods here (LINK_MIC_METHODS).
import { InvalidStateError, LinkMicError } from '../../common/errors';
import type { Layout } from '../../common/layout';
import type { CoHostAudio, LinkView, PkView, RoomView, StudioMethodName, StudioOutput, StudioParsedInput, StudioSettings } from '../../common/studio-api';
import type { PushController } from '../push/push-controller';
import type { SignalPort } from './ports';
import type { RoomMirror } from './room-mirror';
import { roomView } from './signal-views';

import { LINK_MIC_METHODS, type LinkMicMethodName } from '../../common/studio-api/names';

export type LinkMicHandlers = { [K in LinkMicMethodName]: (input: StudioParsedInput<K>) => Promise<StudioOutput<K>> };

export function isLinkMicMethod(name: StudioMethodName): name is LinkMicMethodName {
  return (LINK_MIC_METHODS as readonly string[]).includes(name);
}

export interface LinkMicActionsOptions {
  readonly mirror: RoomMirror;
  readonly push: PushController;
  readonly signal: () => SignalPort;
  readonly settings: () => StudioSettings;
}

export class LinkMicActions implements LinkMicHandlers {
  private readonly mirror: RoomMirror;

  constructor(private readonly options: LinkMicActionsOptions) {
    this.mirror = options.mirror;
  }

  // ------------------------------------------------------------------ rooms

  async openRoom(input: StudioParsedInput<'openRoom'>): Promise<RoomView> {
    const settings = this.options.settings();
    const streamCode = input?.streamCode ?? settings.streamCode;
    const current = this.mirror.room;
    const result = await this.options.signal().request('room.open', {
      streamCode,
      ...(current?.streamCode === streamCode ? { sessionId: current.sessionId } : {}),
      allowLinkRequests: input?.allowLinkRequests ?? settings.room.allowLinkRequests,
      guestLimit: input?.guestLimit ?? settings.room.guestLimit,
      // Client-side mix unless asked (spec §7): the push URL then carries no t_id.
      serverMix:
        input?.serverMix !== undefined
          ? input.serverMix
          : settings.room.serverMix === true
            ? { templateId: input?.templateId ?? settings.room.templateId }
            : null,
    });
    this.mirror.setRoom(roomView(result.room), result.pushUrl);
    return this.mirror.room!;
  }

  async updateRoom(input: StudioParsedInput<'updateRoom'>): Promise<RoomView> {
    const room = this.requireRoom();
    const result = await this.options.signal().request('room.update', { roomId: room.roomId, ...input });
    const pushUrlChanged = this.mirror.pushUrl !== null && result.pushUrl !== this.mirror.pushUrl;
    this.mirror.setRoom(roomView(result.room), result.pushUrl);
    // A mix change changes the push URL (t_id): a live big-host push restarts with the new one.
    if (pushUrlChanged && input.serverMix !== undefined) await this.options.push.restart(result.pushUrl);
    return this.mirror.room!;
  }

  async closeRoom(): Promise<null> {
    const room = this.requireRoom();
    await this.options.push.stop();
    await this.options.signal().request('room.close', { roomId: room.roomId });
    this.mirror.forgetRoom(room.roomId);
    return null;
  }

  async joinRoom(input: StudioParsedInput<'joinRoom'>): Promise<RoomView> {
    const result = await this.options.signal().request('room.join', { roomId: input.roomId });
    if (result.room.pk?.battle) this.mirror.battles.seed(result.room.pk.pkId, result.room.pk.battle);
    this.mirror.joined(input.roomId, result.room.layout);
    return roomView(result.room);
  }

  async leaveRoom(input: StudioParsedInput<'leaveRoom'>): Promise<null> {
    await this.options.signal().request('room.leave', { roomId: input.roomId });
    this.mirror.left(input.roomId);
    return null;
  }

  // ------------------------------------------------------------------ link-mic

  async requestLinkMic(input: StudioParsedInput<'requestLinkMic'>): Promise<{ requestId: string; expiresAt: number }> {
    const signal = this.options.signal();
    if (!this.mirror.hasJoined(input.roomId)) await this.joinRoom({ roomId: input.roomId });
    const streamCode = this.options.settings().streamCode;
    const result = await signal.request('link.request', { roomId: input.roomId, streamCode });
    this.mirror.addLinkRequest({ requestId: result.requestId, roomId: input.roomId, direction: 'outgoing', from: signal.userId, streamCode, expiresAt: result.expiresAt });
    return result;
  }

  async cancelLinkMic(input: StudioParsedInput<'cancelLinkMic'>): Promise<null> {
    await this.options.signal().request('link.cancel', { requestId: input.requestId });
    this.mirror.dropLinkRequest(input.requestId);
    return null;
  }

  async acceptLinkMic(input: StudioParsedInput<'acceptLinkMic'>): Promise<LinkView> {
    const link = await this.options.signal().request('link.accept', { requestId: input.requestId });
    this.mirror.dropLinkRequest(input.requestId);
    this.mirror.addLink(link);
    return this.mirror.linkViewOf(link);
  }

  async rejectLinkMic(input: StudioParsedInput<'rejectLinkMic'>): Promise<null> {
    await this.options.signal().request('link.reject', { requestId: input.requestId, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    this.mirror.dropLinkRequest(input.requestId);
    return null;
  }

  async kickCoHost(input: StudioParsedInput<'kickCoHost'>): Promise<null> {
    await this.options.signal().request('link.kick', { linkId: input.linkId });
    await this.mirror.removeLink(input.linkId);
    return null;
  }

  async hangUp(input: StudioParsedInput<'hangUp'>): Promise<null> {
    await this.options.signal().request('link.hangup', { linkId: input.linkId });
    await this.mirror.removeLink(input.linkId);
    return null;
  }

  // ------------------------------------------------------------------ PK

  async invitePk(input: StudioParsedInput<'invitePk'>): Promise<{ pkId: string; expiresAt: number }> {
    const room = this.requireRoom();
    const signal = this.options.signal();
    const result = await signal.request('pk.invite', { roomId: input.roomId, ...(input.durationSec === undefined ? {} : { durationSec: input.durationSec }) });
    this.mirror.addPkInvite({ pkId: result.pkId, direction: 'outgoing', from: signal.userId, fromRoomId: room.roomId, toRoomId: input.roomId, expiresAt: result.expiresAt });
    return result;
  }

  async cancelPkInvite(input: StudioParsedInput<'cancelPkInvite'>): Promise<null> {
    await this.options.signal().request('pk.cancel', { pkId: input.pkId });
    this.mirror.dropPkInvite(input.pkId);
    return null;
  }

  async acceptPk(input: StudioParsedInput<'acceptPk'>): Promise<PkView> {
    const pk = await this.options.signal().request('pk.accept', { pkId: input.pkId });
    this.mirror.dropPkInvite(input.pkId);
    this.mirror.setPk(pk);
    return this.mirror.pkViewOf(pk);
  }

  async rejectPk(input: StudioParsedInput<'rejectPk'>): Promise<null> {
    await this.options.signal().request('pk.reject', { pkId: input.pkId, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    this.mirror.dropPkInvite(input.pkId);
    return null;
  }

  async endPk(input: StudioParsedInput<'endPk'>): Promise<null> {
    await this.options.signal().request('pk.end', { pkId: input.pkId });
    this.mirror.endPk(input.pkId);
    return null;
  }

  /** Audience mode: a like or a gift for one side of a joined room's PK battle (the server counts it). */
  async votePk(input: StudioParsedInput<'votePk'>): Promise<{ points: number }> {
    return this.options.signal().request('pk.vote', { pkId: input.pkId, roomId: input.roomId, kind: input.kind });
  }

  async rematchPk(input: StudioParsedInput<'rematchPk'>): Promise<{ rematch: readonly string[] }> {
    return this.options.signal().request('pk.rematch', { pkId: input.pkId });
  }

  // ------------------------------------------------------------------ layout and co-host audio

  async setLayout(input: StudioParsedInput<'setLayout'>): Promise<Layout> {
    const room = this.requireRoom();
    const result = await this.options.signal().request('layout.set', { roomId: room.roomId, layout: input.layout });
    this.mirror.setLayout(result.layout);
    return result.layout;
  }

  async setCoHostAudio(input: StudioParsedInput<'setCoHostAudio'>): Promise<StudioOutput<'setCoHostAudio'>> {
    if (!this.mirror.isCoHost(input.userId)) throw new LinkMicError('INVALID_ARGUMENT', `${input.userId} is not a co-host right now`, { field: 'userId' });
    const current = this.mirror.audioOf(input.userId);
    const next: CoHostAudio = { muted: input.muted ?? current.muted, volume: input.volume ?? current.volume };
    this.mirror.setCoHostAudio(input.userId, next);
    return { userId: input.userId, ...next };
  }

  private requireRoom(): RoomView {
    const room = this.mirror.room;
    if (!room) throw new InvalidStateError('open your room first');
    return room;
  }
}
