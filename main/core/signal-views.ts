// Signal protocol payloads → the contract's views (what the console renders).
import type { LinkStarted, PkStarted, RoomSnapshot } from '../../common/signal/messages';
import type { CoHostAudio, LinkView, PkBattleView, PkView, RoomView } from '../../common/studio-api';

export const DEFAULT_CO_HOST_AUDIO: CoHostAudio = Object.freeze({ muted: false, volume: 1 });

export function roomView(room: RoomSnapshot): RoomView {
  return {
    roomId: room.roomId,
    streamCode: room.streamCode,
    sessionId: room.sessionId,
    allowLinkRequests: room.settings.allowLinkRequests,
    guestLimit: room.settings.guestLimit,
    serverMix: room.serverMix ? { templateId: room.serverMix.templateId } : null,
    guests: room.guests.map((g) => ({ userId: g.userId, streamCode: g.streamCode, linkId: g.linkId })),
    layout: room.layout,
    audienceUrls: { ...room.audienceUrls },
    viewerCount: room.viewerCount,
  };
}

export function linkView(link: LinkStarted, audio: CoHostAudio): LinkView {
  return {
    linkId: link.linkId,
    roomId: link.roomId,
    role: link.role,
    sessionId: link.sessionId,
    peer: { userId: link.peer.userId, streamCode: link.peer.streamCode },
    playUrls: { rtmp: link.playUrls.rtmp, httpFlv: link.playUrls.httpFlv, wsFlv: link.playUrls.wsFlv },
    audio,
  };
}

export function pkView(pk: PkStarted, audio: CoHostAudio, battle: PkBattleView | null): PkView {
  return {
    pkId: pk.pkId,
    roomId: pk.roomId,
    sessionId: pk.sessionId,
    peer: { userId: pk.peer.userId, roomId: pk.peer.roomId, streamCode: pk.peer.streamCode, sessionId: pk.peer.sessionId },
    playUrls: { rtmp: pk.playUrls.rtmp, httpFlv: pk.playUrls.httpFlv, wsFlv: pk.playUrls.wsFlv },
    audio,
    battle,
  };
}
