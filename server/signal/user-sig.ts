// Signal login tokens, in the spirit of an IM "UserSig": an expiring HMAC over the user id.
//
//   token = "v1." + expiresAt + "." + hex(HMAC-SHA256(key, "v1\n" + userId + "\n" + expiresAt))
//
// expiresAt is Unix seconds in decimal. An operator who disables dev login mints tokens in its own
// backend with this formula and the server's signal key (docs/protocol.md has a test vector).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LinkMicError } from '../../common/errors';

export const TOKEN_VERSION = 'v1';
const TOKEN_PATTERN = /^v1\.([1-9][0-9]{0,11})\.([0-9a-f]{64})$/;

function mac(key: string, userId: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`${TOKEN_VERSION}\n${userId}\n${expiresAt}`).digest('hex');
}

export function mintUserToken(key: string, userId: string, expiresAtUnixSec: number): string {
  if (!Number.isInteger(expiresAtUnixSec) || expiresAtUnixSec <= 0) {
    throw new LinkMicError('INVALID_ARGUMENT', 'token expiry must be positive whole Unix seconds', { field: 'expiresAt' });
  }
  return `${TOKEN_VERSION}.${expiresAtUnixSec}.${mac(key, userId, expiresAtUnixSec)}`;
}

/** Throws TOKEN_MISSING, TOKEN_INVALID (malformed or forged) or TOKEN_EXPIRED; returns the expiry. */
export function verifyUserToken(key: string, userId: string, token: string | undefined, nowMs: number): number {
  if (token === undefined || token === '') throw new LinkMicError('TOKEN_MISSING', 'a token is required', { field: 'token' });
  const match = TOKEN_PATTERN.exec(token);
  if (!match) throw new LinkMicError('TOKEN_INVALID', 'token is malformed', { field: 'token' });
  const expiresAt = Number(match[1]);
  const expected = Buffer.from(mac(key, userId, expiresAt), 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new LinkMicError('TOKEN_INVALID', 'token signature does not match this user', { field: 'token' });
  }
  if (expiresAt * 1000 <= nowMs) throw new LinkMicError('TOKEN_EXPIRED', 'token has expired', { field: 'token' });
  return expiresAt;
}
