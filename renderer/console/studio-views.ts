// Small readings of the state snapshot that several screens share.
import { isHardwareEncoderName } from '../../common/encoder-kinds';
import type { LiveStatus, ServerState, StudioState } from '../../common/studio-api';

export function isOnAir(status: LiveStatus): boolean {
  return status === 'live' || status === 'reconnecting' || status === 'starting';
}

export function isBusy(status: LiveStatus): boolean {
  return status === 'starting' || status === 'stopping';
}

export function isHardwareEncoder(state: StudioState, name: string): boolean {
  const known = state.encoder.available?.find((e) => e.name === name);
  return known ? known.hardware : isHardwareEncoderName(name);
}

/** Why the encoder in use is the one it is (null while not pushing). */
export type EncoderReason = 'hardware' | 'software' | 'fallback' | 'named';

export function encoderReason(state: StudioState): EncoderReason | null {
  const name = state.live.encoder;
  if (!name) return null;
  const preference = state.encoder.preference;
  if (preference === 'software') return 'software';
  if (preference !== 'auto') return name === preference ? 'named' : 'fallback';
  return isHardwareEncoder(state, name) ? 'hardware' : 'fallback';
}

/** Seconds left until `expiresAt` (Unix ms), never negative. */
export function secondsLeft(expiresAt: number | null, now: number): number {
  return expiresAt === null ? 0 : Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

/**
 * The server we were signed in to went away (the signal client is retrying), as opposed to a
 * connection the streamer just asked for. A failed first connection is `status: 'error'`.
 */
export function serverLost(server: ServerState): boolean {
  if (server.signal === 'connected') return false;
  if (server.status === 'running') return true;
  return server.status === 'error' && (server.lastError?.code === 'SERVER_UNREACHABLE' || server.lastError?.code === 'CONNECT_FAILED' || server.lastError?.code === 'DISCONNECTED');
}
