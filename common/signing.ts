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
