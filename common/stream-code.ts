// Stream codes ("live codes", 直播码) are RTMP stream names. The origin accepts [A-Za-z0-9_-].
import { ValidationError } from './errors';

export const STREAM_CODE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const APP_NAME = 'live';

export function isValidStreamCode(value: unknown): value is string {
  return typeof value === 'string' && STREAM_CODE_PATTERN.test(value);
}

export function assertStreamCode(value: unknown, field = 'streamCode'): string {
  if (!isValidStreamCode(value)) {
    throw new ValidationError('INVALID_ARGUMENT', field, `${field} must be 1-128 characters of A-Z, a-z, 0-9, _ or -`);
  }
  return value;
}
