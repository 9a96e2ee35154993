// Adapts a LinkMicServer to what the mixer needs: origin events and listings, the internal URLs
// (loopback, the server's internal token, signed like any client's so signing policies hold) and
// the signalling service's PK pairs.
import { hostPort } from '../../node/listen';
import { localAddressOf } from '../../node/loopback';
import type { LinkMicServer } from '../link-mic-server';
import type { MixerHost } from './server-mixer';

/** The internal token plus a push signature (`push`) or an audience play signature (a pull). */
function internalQuery(server: LinkMicServer, streamCode: string, action: 'push' | 'pull'): string {
  const signature = action === 'push' ? server.urls.signature(streamCode) : server.urls.playSignature(streamCode);
  return `internal=${server.internalToken}&txSecret=${signature.txSecret}&txTime=${signature.txTime}`;
}

export function mixerHostOf(server: LinkMicServer): MixerHost {
  return {
    get log() {
      return server.log;
    },
    get running() {
      return server.running;
    },
    on: ((event: 'publish' | 'unpublish' | 'ready', listener: (payload: never) => void) => server.on(event, listener as never)) as MixerHost['on'],
    onClose: (hook) => server.onClose(hook),
    listStreams: () => server.listStreams(),
    listPlays: () => server.listPlays(),
    closePlay: (playId) => server.closePlay(playId, 'kicked'),
    internalPullUrl: (code) => `http://${hostPort(localAddressOf(server.config.host), server.httpPort)}/live/${code}.flv?${internalQuery(server, code, 'pull')}`,
    internalPushUrl: (code) => `rtmp://${hostPort(localAddressOf(server.config.host), server.rtmpPort)}/live/${code}?${internalQuery(server, code, 'push')}`,
    pkPeerOf: (code) => server.signal.service?.hub.pkPeerStreamCode(code),
    battleOf: (code) => {
      const found = server.signal.service?.hub.battleOfStream(code);
      if (!found) return undefined;
      const { battle } = found;
      const winnerRoomId = battle.result?.winnerRoomId;
      const winner = battle.phase !== 'result' ? null : winnerRoomId === null || winnerRoomId === undefined ? 'draw' : winnerRoomId === code ? 'own' : 'peer';
      return { own: found.own, peer: found.peer, phase: battle.phase, endsAt: battle.endsAt, winner, serverTime: found.serverTime };
    },
    onBattleChange: (listener) => server.signal.onBattleChange(listener),
  };
}
