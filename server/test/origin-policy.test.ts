// The link-mic policy as pure decisions (no sockets).
import { describe, expect, it } from 'vitest';
import { MIX_TEMPLATE_IDS, sign } from '../../common';
import { OriginPolicy } from '../origin/origin-policy';

const KEY = 'e12c46f2612d5106e2034781ab261ca3';
const NOW = 1_700_000_000;

function query(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

function signed(code: string, extra: Record<string, string> = {}, expiresAt = NOW + 600): Map<string, string> {
  const { txSecret, txTime } = sign(KEY, code, expiresAt);
  return query({ ...extra, txSecret, txTime });
}

const policy = new OriginPolicy({ key: KEY, linkQuota: 3, requirePlaySign: false }, () => NOW);
const notLive = (): boolean => false;

function refusalCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'ACCEPTED';
}

describe('publish policy', () => {
  it('accepts a signed push and reports its mix', () => {
    const grant = policy.checkPublish({ app: 'live', streamCode: 'big', query: signed('big', { mix: 'layer%3Ab%3Bsession_id%3A1234%3Bt_id%3A1' }), isLive: notLive });
    expect(grant).toMatchObject({ streamCode: 'big', sessionId: 1234, layer: 'b', templateId: 1 });
  });

  it('refuses forged, expired, missing and malformed signatures with their reason codes', () => {
    const check = (q: Map<string, string>): string => refusalCode(() => policy.checkPublish({ app: 'live', streamCode: 'c', query: q, isLive: notLive }));
    expect(check(query({}))).toBe('SIGNATURE_MISSING');
    expect(check(query({ txTime: 'ABC' }))).toBe('SIGNATURE_MISSING');
    expect(check(query({ txSecret: 'zz', txTime: 'ABC' }))).toBe('SIGNATURE_MALFORMED');
    expect(check(query({ txSecret: 'a'.repeat(32), txTime: 'not-hex' }))).toBe('SIGNATURE_MALFORMED');
    expect(check(query({ txSecret: 'a'.repeat(32), txTime: sign(KEY, 'c', NOW + 60).txTime }))).toBe('SIGNATURE_INVALID');
    expect(check(signed('other'))).toBe('SIGNATURE_INVALID');
    expect(check(signed('c', {}, NOW - 1))).toBe('SIGNATURE_EXPIRED');
    expect(check(signed('c'))).toBe('ACCEPTED');
  });

  it('refuses a live stream code, a bad mix, an unknown template and a bad layer', () => {
    expect(refusalCode(() => policy.checkPublish({ app: 'live', streamCode: 'c', query: signed('c'), isLive: () => true }))).toBe('STREAM_CODE_TAKEN');
    const withMix = (mix: string): string => refusalCode(() => policy.checkPublish({ app: 'live', streamCode: 'c', query: signed('c', { mix }), isLive: notLive }));
    expect(withMix('session_id:12;t_id:4')).toBe('INVALID_TEMPLATE');
    expect(withMix('layer:q')).toBe('INVALID_MIX_PARAM');
    expect(withMix('session_id:99999999999')).toBe('INVALID_SESSION_ID');
    expect(withMix('')).toBe('INVALID_MIX_PARAM');
    for (const templateId of MIX_TEMPLATE_IDS) expect(withMix(`t_id:${templateId}`)).toBe('ACCEPTED');
  });

  it('accepts anything well-formed when no key is configured', () => {
    const open = new OriginPolicy({ linkQuota: 3, requirePlaySign: false }, () => NOW);
    expect(open.checkPublish({ app: 'live', streamCode: 'c', query: query({}), isLive: notLive })).toEqual({ streamCode: 'c' });
    expect(refusalCode(() => open.checkPublish({ app: 'other', streamCode: 'c', query: query({}), isLive: notLive }))).toBe('INVALID_URL');
  });
});

describe('play policy', () => {
  it('treats a play with session_id as a signed link counted against the quota', () => {
    const play = (q: Map<string, string>, links = 0): string =>
      refusalCode(() => policy.checkPlay({ app: 'live', streamCode: 'peer', query: q, linkCount: () => links }));
    expect(play(query({ session_id: '42' }))).toBe('SIGNATURE_MISSING');
    expect(play(signed('peer', { session_id: '42' }), 2)).toBe('ACCEPTED');
    expect(play(signed('peer', { session_id: '42' }), 3)).toBe('LINK_QUOTA_EXCEEDED');
    expect(play(signed('peer', { session_id: '0' }))).toBe('INVALID_SESSION_ID');
    expect(policy.checkPlay({ app: 'live', streamCode: 'peer', query: signed('peer', { session_id: '42' }), linkCount: () => 0 })).toEqual({
      streamCode: 'peer',
      sessionId: 42,
    });
  });

  it('names the quota when refusing a link', () => {
    expect(() => policy.checkPlay({ app: 'live', streamCode: 'peer', query: signed('peer', { session_id: '42' }), linkCount: () => 3 })).toThrow(/quota 3/);
  });

  it('serves audience plays unsigned unless signed plays are required', () => {
    expect(policy.checkPlay({ app: 'live', streamCode: 'peer', query: query({}), linkCount: () => 0 })).toEqual({ streamCode: 'peer' });
    const strict = new OriginPolicy({ key: KEY, linkQuota: 3, requirePlaySign: true }, () => NOW);
    expect(refusalCode(() => strict.checkPlay({ app: 'live', streamCode: 'peer', query: query({}), linkCount: () => 0 }))).toBe('SIGNATURE_MISSING');
    expect(strict.checkPlay({ app: 'live', streamCode: 'peer', query: signed('peer'), linkCount: () => 0 })).toEqual({ streamCode: 'peer' });
  });
});
