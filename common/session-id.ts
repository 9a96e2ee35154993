// session_id: the "meeting room number" of a link-mic session (spec §3). An unsigned 32-bit
// integer, never 0; two live rooms never share one (the server allocates and checks).
import { ValidationError } from './errors';
import { md5 } from './md5';

export const SESSION_ID_MIN = 1;
export const SESSION_ID_MAX = 0xffff_ffff;

export type SessionId = number;

export function isValidSessionId(value: unknown): value is SessionId {
  return typeof value === 'number' && Number.isInteger(value) && value >= SESSION_ID_MIN && value <= SESSION_ID_MAX;
}

/** Parses a session_id from text (decimal digits only, no sign, no exponent, no leading zeros). */
export function parseSessionId(text: string, field = 'session_id'): SessionId {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) {
    throw new ValidationError('INVALID_SESSION_ID', field, `${field} must be an integer from 1 to 4294967295, got "${text}"`);
  }
  const value = Number(text);
  if (!isValidSessionId(value)) {
    throw new ValidationError('INVALID_SESSION_ID', field, `${field} must be an integer from 1 to 4294967295, got "${text}"`);
  }
  return value;
}

export function assertSessionId(value: unknown, field = 'session_id'): SessionId {
  if (!isValidSessionId(value)) {
    throw new ValidationError('INVALID_SESSION_ID', field, `${field} must be an integer from 1 to 4294967295, got ${String(value)}`);
  }
  return value;
}

/**
 * Allocates a session_id not in `inUse`. `random` returns a uniform 32-bit unsigned integer
 * (the server passes a CSPRNG). Gives up with an error after a bounded number of draws, which in
 * practice only happens when the space is nearly full.
 */
export function allocateSessionId(inUse: ReadonlySet<SessionId> | { has(id: SessionId): boolean }, random: () => number, maxAttempts = 64): SessionId {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const candidate = random() >>> 0;
    if (isValidSessionId(candidate) && !inUse.has(candidate)) return candidate;
  }
  throw new ValidationError('SESSION_ID_TAKEN', 'session_id', 'could not allocate a free session_id');
}

/**
 * Cross-room PK: each host's session_id derives from its stream code. A decimal code that fits in
 * 1..2^32-1 is used as is; any other code is hashed (first 4 bytes of MD5, big-endian, 0 mapped to
 * 1). The caller checks collisions against the live rooms.
 */
export function deriveSessionIdFromStreamCode(streamCode: string): SessionId {
  if (/^[1-9][0-9]{0,9}$/.test(streamCode)) {
    const value = Number(streamCode);
    if (isValidSessionId(value)) return value;
  }
  const digest = md5(streamCode);
  const value = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  return value === 0 ? 1 : value;
}
