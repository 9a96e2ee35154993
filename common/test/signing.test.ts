import { describe, expect, it } from 'vitest';
import { audiencePlayKey, computeTxSecret, constantTimeEqual, formatTxTime, linkPlayKey, sign, signPlay, verifySignature } from '../signing';
import { LinkMicError } from '../errors';
import { md5Hex } from '../md5';
import { createHash } from 'node:crypto';

const KEY = 'e12c46f2612d5106e2034781ab261ca3';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof LinkMicError ? error.code : 'not a LinkMicError';
  }
  return undefined;
}

describe('txSecret / txTime signing (spec §4)', () => {
  it('reproduces the spec test vector', () => {
    expect(computeTxSecret(KEY, 'test', '5C271099')).toBe('f85a2ab363fe4deaffef9754d79da6fe');
  });

  it('formats txTime as upper-case hexadecimal Unix seconds', () => {
    expect(formatTxTime(0x5c271099)).toBe('5C271099');
    expect(sign(KEY, 'test', 0x5c271099)).toEqual({ txSecret: 'f85a2ab363fe4deaffef9754d79da6fe', txTime: '5C271099' });
  });

  it('accepts the test vector before its expiry', () => {
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'f85a2ab363fe4deaffef9754d79da6fe', txTime: '5C271099' }, 0x5c271099 - 1))).toBeUndefined();
  });

  it('hashes txTime exactly as written, so a lower-case txTime needs its own signature', () => {
    const lower = computeTxSecret(KEY, 'test', '5c271099');
    expect(lower).not.toBe('f85a2ab363fe4deaffef9754d79da6fe');
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'f85a2ab363fe4deaffef9754d79da6fe', txTime: '5c271099' }, 0))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: lower, txTime: '5c271099' }, 0))).toBeUndefined();
  });

  it('refuses an expired txTime', () => {
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'f85a2ab363fe4deaffef9754d79da6fe', txTime: '5C271099' }, 0x5c271099))).toBe('SIGNATURE_EXPIRED');
  });

  it('refuses a forged txSecret, a signature for another stream code and another key', () => {
    const now = 1_700_000_000;
    const good = sign(KEY, 'roomA', now + 60);
    expect(codeOf(() => verifySignature(KEY, 'roomA', { ...good, txSecret: '0'.repeat(32) }, now))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifySignature(KEY, 'roomB', good, now))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifySignature('other-key', 'roomA', good, now))).toBe('SIGNATURE_INVALID');
  });

  it('refuses missing and malformed parameters with distinct codes', () => {
    expect(codeOf(() => verifySignature(KEY, 'test', { txTime: '5C271099' }, 0))).toBe('SIGNATURE_MISSING');
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'f85a2ab363fe4deaffef9754d79da6fe' }, 0))).toBe('SIGNATURE_MISSING');
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'xyz', txTime: '5C271099' }, 0))).toBe('SIGNATURE_MALFORMED');
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'f85a2ab363fe4deaffef9754d79da6fe', txTime: 'later' }, 0))).toBe('SIGNATURE_MALFORMED');
  });

  it('accepts an upper-case txSecret (hex case of the digest does not matter)', () => {
    expect(codeOf(() => verifySignature(KEY, 'test', { txSecret: 'F85A2AB363FE4DEAFFEF9754D79DA6FE', txTime: '5C271099' }, 0))).toBeUndefined();
  });

  it('compares in constant time and still tells equal from unequal', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('play signatures', () => {
  it('derive their keys from KEY as docs/security.md writes them (test vector)', () => {
    expect(audiencePlayKey(KEY)).toBe(createHash('md5').update(`linkmic-play-v1\n${KEY}\n`).digest('hex'));
    expect(linkPlayKey(KEY, 1234)).toBe('28affb33f4c0874f3ab9e3caec6e8c56');
    expect(signPlay(KEY, 'test', undefined, 0x5c271099)).toEqual({ txSecret: '513466cbb5eb3a99afea54698e333c23', txTime: '5C271099' });
    expect(signPlay(KEY, 'test', 1234, 0x5c271099)).toEqual({ txSecret: 'eb13dc127a00830e007c5e6c02647fcc', txTime: '5C271099' });
  });

  it('never verify as the push signature of the same stream code, nor under another session_id', () => {
    const push = sign(KEY, 'test', 0x5c271099).txSecret;
    expect(new Set([push, signPlay(KEY, 'test', undefined, 0x5c271099).txSecret, signPlay(KEY, 'test', 1, 0x5c271099).txSecret, signPlay(KEY, 'test', 2, 0x5c271099).txSecret]).size).toBe(4);
    expect(codeOf(() => verifySignature(KEY, 'test', signPlay(KEY, 'test', 1, 0x5c271099), 0))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifySignature(linkPlayKey(KEY, 2), 'test', signPlay(KEY, 'test', 1, 0x5c271099), 0))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifySignature(linkPlayKey(KEY, 1), 'test', signPlay(KEY, 'test', 1, 0x5c271099), 0))).toBeUndefined();
  });
});

describe('pure MD5', () => {
  it('matches Node crypto on the RFC 1321 suite, padding edges and UTF-8', () => {
    const inputs = ['', 'a', 'abc', 'message digest', 'abcdefghijklmnopqrstuvwxyz', '1234567890'.repeat(8), 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), '连麦 PK 🎤'];
    for (const input of inputs) expect(md5Hex(input)).toBe(createHash('md5').update(input, 'utf8').digest('hex'));
  });
});
