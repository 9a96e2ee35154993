// Anti-leech signature, Tencent Cloud's scheme (spec §4), so real cloud URLs work too:
//   txTime   = expiry as Unix seconds in hexadecimal (e.g. 5C271099), hashed as written
//   txSecret = lowercase hex MD5(KEY + streamCode + txTime)
import { LinkMicError, ValidationError } from './errors';
import { md5Hex } from './md5';

export interface Signature {
  readonly txSecret: string;
  readonly txTime: string;
}

const TX_TIME_PATTERN = /^[0-9A-Fa-f]{1,16}$/;
const TX_SECRET_PATTERN = /^[0-9A-Fa-f]{32}$/;

export function formatTxTime(expiresAtUnixSec: number): string {
  if (!Number.isInteger(expiresAtUnixSec) || expiresAtUnixSec < 0) {
    throw new ValidationError('INVALID_ARGUMENT', 'expiresAt', 'expiry must be a whole number of Unix seconds');
  }
  return expiresAtUnixSec.toString(16).toUpperCase();
}

export function computeTxSecret(key: string, streamCode: string, txTime: string): string {
  return md5Hex(key + streamCode + txTime);
}

/** Signs a stream code valid until `expiresAtUnixSec`. */
export function sign(key: string, streamCode: string, expiresAtUnixSec: number): Signature {
  const txTime = formatTxTime(expiresAtUnixSec);
  return { txSecret: computeTxSecret(key, streamCode, txTime), txTime };
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * Verifies a signature; throws a LinkMicError whose code says why it is refused
 * (SIGNATURE_MISSING, SIGNATURE_MALFORMED, SIGNATURE_EXPIRED, SIGNATURE_INVALID).
 */
export function verifySignature(
  key: string,
  streamCode: string,
  params: { txSecret?: string | undefined; txTime?: string | undefined },
  nowUnixSec: number,
): void {
  const { txSecret, txTime } = params;
  if (txSecret === undefined || txSecret === '') throw new LinkMicError('SIGNATURE_MISSING', 'txSecret is missing', { field: 'txSecret' });
  if (txTime === undefined || txTime === '') throw new LinkMicError('SIGNATURE_MISSING', 'txTime is missing', { field: 'txTime' });
  if (!TX_TIME_PATTERN.test(txTime)) throw new LinkMicError('SIGNATURE_MALFORMED', 'txTime must be hexadecimal Unix seconds', { field: 'txTime' });
  if (!TX_SECRET_PATTERN.test(txSecret)) throw new LinkMicError('SIGNATURE_MALFORMED', 'txSecret must be 32 hexadecimal digits', { field: 'txSecret' });
  const expected = computeTxSecret(key, streamCode, txTime);
  if (!constantTimeEqual(expected, txSecret.toLowerCase())) {
    throw new LinkMicError('SIGNATURE_INVALID', 'txSecret does not match', { field: 'txSecret' });
  }
  const expiresAt = parseInt(txTime, 16);
  if (!(expiresAt > nowUnixSec)) throw new LinkMicError('SIGNATURE_EXPIRED', `txTime ${txTime} has passed`, { field: 'txTime' });
}

// ---- play signatures ----------------------------------------------------------------------------
// A push signature (above) is Tencent's, so real cloud push URLs work. Play URLs are signed with the
// same formula under keys derived from KEY (Tencent, too, keeps a playback key apart from the push
// key), so a play credential never publishes and a link credential is bound to its session_id:
//   audience play:           txSecret = MD5(audiencePlayKey(KEY) + streamCode + txTime)
//   low-latency link play:   txSecret = MD5(linkPlayKey(KEY, session_id) + streamCode + txTime)
//   audiencePlayKey(KEY)     = lowercase hex MD5("linkmic-play-v1\n" + KEY + "\n")
//   linkPlayKey(KEY, N)      = lowercase hex MD5("linkmic-play-v1\n" + KEY + "\n" + N)   (N in decimal)

const PLAY_KEY_CONTEXT = 'linkmic-play-v1';

/** The signing key of audience plays (no session_id). */
export function audiencePlayKey(key: string): string {
  return md5Hex(`${PLAY_KEY_CONTEXT}\n${key}\n`);
}

/** The signing key of low-latency link plays under `sessionId`. */
export function linkPlayKey(key: string, sessionId: number): string {
  if (!Number.isInteger(sessionId) || sessionId < 1 || sessionId > 0xffff_ffff) {
    throw new ValidationError('INVALID_SESSION_ID', 'session_id', `session_id must be an integer from 1 to 4294967295, got ${String(sessionId)}`);
  }
  return md5Hex(`${PLAY_KEY_CONTEXT}\n${key}\n${sessionId}`);
}

/** The key a play is signed with: a link's (bound to its session_id) or the audience's. */
export function playSigningKey(key: string, sessionId: number | undefined): string {
  return sessionId === undefined ? audiencePlayKey(key) : linkPlayKey(key, sessionId);
}

/** Signs a play of `streamCode` (a link play when `sessionId` is given) valid until `expiresAtUnixSec`. */
export function signPlay(key: string, streamCode: string, sessionId: number | undefined, expiresAtUnixSec: number): Signature {
  return sign(playSigningKey(key, sessionId), streamCode, expiresAtUnixSec);
}
