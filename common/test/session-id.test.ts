import { describe, expect, it } from 'vitest';
import { allocateSessionId, deriveSessionIdFromStreamCode, isValidSessionId, parseSessionId } from '../session-id';
import { ValidationError } from '../errors';

describe('session_id (spec §3)', () => {
  it('accepts 1..2^32-1 and nothing else', () => {
    expect(isValidSessionId(1)).toBe(true);
    expect(isValidSessionId(0xffffffff)).toBe(true);
    for (const bad of [0, -1, 0x1_0000_0000, 1.5, Number.NaN, '5', null]) expect(isValidSessionId(bad)).toBe(false);
  });

  it('parses decimal text strictly and names the field when it refuses', () => {
    expect(parseSessionId('1234')).toBe(1234);
    expect(parseSessionId('4294967295')).toBe(4294967295);
    for (const bad of ['0', '4294967296', '-5', '1e3', '01', ' 12', 'abc', '']) {
      expect(() => parseSessionId(bad, 'mix.session_id')).toThrow(ValidationError);
    }
    try {
      parseSessionId('x', 'mix.session_id');
    } catch (error) {
      expect((error as ValidationError).field).toBe('mix.session_id');
      expect((error as ValidationError).code).toBe('INVALID_SESSION_ID');
    }
  });

  it('allocates an id that is never 0 and not already live', () => {
    const draws = [0, 7, 7, 9];
    const inUse = new Set([7]);
    expect(allocateSessionId(inUse, () => draws.shift()!)).toBe(9);
  });

  it('gives up with SESSION_ID_TAKEN when every draw collides', () => {
    expect(() => allocateSessionId(new Set([5]), () => 5, 10)).toThrow(/could not allocate/);
  });

  it('derives a cross-room id: numeric codes as is, others by a stable hash', () => {
    expect(deriveSessionIdFromStreamCode('1234')).toBe(1234);
    expect(deriveSessionIdFromStreamCode('4294967295')).toBe(4294967295);
    const hashed = deriveSessionIdFromStreamCode('host_a');
    expect(isValidSessionId(hashed)).toBe(true);
    expect(deriveSessionIdFromStreamCode('host_a')).toBe(hashed);
    expect(deriveSessionIdFromStreamCode('host_b')).not.toBe(hashed);
    // too large, zero or zero-padded numbers are hashed rather than misread
    for (const code of ['4294967296', '0', '0123']) expect(isValidSessionId(deriveSessionIdFromStreamCode(code))).toBe(true);
    expect(deriveSessionIdFromStreamCode('0123')).not.toBe(123);
  });
});
