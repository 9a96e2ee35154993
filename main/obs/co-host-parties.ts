// Which parties the streamer's OBS shows, read from the studio state: while we push our own room
// (big host), every guest linked into it and the PK opponent, each at its box of the console's
// layout (a party the layout does not place yet gets the PiP template's next tile), with the
// co-host mute / volume the console set.
import { templateGeometry, type Rect } from '../../common/layout';
import type { StudioState } from '../../common/studio-api';
import type { ObsCoHostParty } from './obs-co-host-inputs';

export function coHostParties(state: Pick<StudioState, 'live' | 'links' | 'pk' | 'layout'>): ObsCoHostParty[] {
  if (state.live.role !== 'big' || state.live.status === 'offline' || state.live.status === 'stopping') return [];
  const peers = [
    ...state.links.filter((link) => link.role === 'host').map((link) => ({ userId: link.peer.userId, url: link.playUrls.rtmp, audio: link.audio })),
    ...(state.pk ? [{ userId: state.pk.peer.userId, url: state.pk.playUrls.rtmp, audio: state.pk.audio }] : []),
  ];
  if (peers.length === 0) return [];
  const fallback = templateGeometry(1, Math.min(peers.length + 1, 10)).slice(1);
  return peers.map((peer, index): ObsCoHostParty => {
    const placed = state.layout?.participants.find((participant) => participant.userId === peer.userId)?.rect;
    const rect: Rect = placed ?? fallback[Math.min(index, fallback.length - 1)]!;
    return { userId: peer.userId, url: peer.url, rect, muted: peer.audio.muted, volume: peer.audio.volume };
  });
}
