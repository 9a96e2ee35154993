// The link-mic policy as pure decisions (no sockets).
import { describe, expect, it } from 'vitest';
import { MIX_TEMPLATE_IDS, sign, signPlay } from '../../common';
import { OriginPolicy, type IssuedSession, type PolicyState } from '../origin/origin-policy';

const KEY = 'e12c46f2612d5106e2034781ab261ca3';
const NOW = 1_700_000_000;

function query(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

/** A push signature (Tencent's formula). */
function signed(code: string, extra: Record<string, string> = {}, expiresAt = NOW + 600): Map<string, string> {
  const { txSecret, txTime } = sign(KEY, code, expiresAt);
  return query({ ...extra, txSecret, txTime });
}

/** A play signature: a link's under `sessionId`, or an audience play's. */
function playSigned(code: string, sessionId: number | undefined, extra: Record<string, string> = {}): Map<string, string> {
  const { txSecret, txTime } = signPlay(KEY, code, sessionId, NOW + 600);
  return query({ ...extra, txSecret, txTime });
}

const policy = new OriginPolicy({ key: KEY, linkQuota: 3, requirePlaySign: false }, () => NOW);

function state(options: { live?: boolean; links?: number; issued?: Record<number, IssuedSession> } = {}): PolicyState {
  return {
    isLive: () => options.live ?? false,
    linkCount: () => options.links ?? 0,
    issuedSession: (sessionId) => options.issued?.[sessionId],
  };
}

function refusalCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'ACCEPTED';
}

const publish = (streamCode: string, q: Map<string, string>, s: PolicyState = state()) => policy.decide('publish', { app: 'live', streamCode, query: q }, s);
const play = (streamCode: string, q: Map<string, string>, s: PolicyState = state(), p: OriginPolicy = policy) => p.decide('play', { app: 'live', streamCode, query: q }, s);

describe('publish policy', () => {
  it('accepts a signed push and reports its mix', () => {
    const grant = publish('big', signed('big', { mix: 'layer%3Ab%3Bsession_id%3A1234%3Bt_id%3A1' }));
    expect(grant).toMatchObject({ streamCode: 'big', sessionId: 1234, layer: 'b', templateId: 1 });
  });

  it('refuses forged, expired, missing and malformed signatures with their reason codes', () => {
    const check = (q: Map<string, string>): string => refusalCode(() => publish('c', q));
    expect(check(query({}))).toBe('SIGNATURE_MISSING');
    expect(check(query({ txTime: 'ABC' }))).toBe('SIGNATURE_MISSING');
    expect(check(query({ txSecret: 'zz', txTime: 'ABC' }))).toBe('SIGNATURE_MALFORMED');
    expect(check(query({ txSecret: 'a'.repeat(32), txTime: 'not-hex' }))).toBe('SIGNATURE_MALFORMED');
    expect(check(query({ txSecret: 'a'.repeat(32), txTime: sign(KEY, 'c', NOW + 60).txTime }))).toBe('SIGNATURE_INVALID');
    expect(check(signed('other'))).toBe('SIGNATURE_INVALID');
    expect(check(signed('c', {}, NOW - 1))).toBe('SIGNATURE_EXPIRED');
    expect(check(signed('c'))).toBe('ACCEPTED');
  });

  it('refuses a play signature (link or audience) as a publish credential', () => {
    expect(refusalCode(() => publish('c', playSigned('c', 42)))).toBe('SIGNATURE_INVALID');
    expect(refusalCode(() => publish('c', playSigned('c', undefined)))).toBe('SIGNATURE_INVALID');
    expect(refusalCode(() => publish('c', playSigned('c', 42, { mix: 'layer:b;session_id:42' })))).toBe('SIGNATURE_INVALID');
  });

  it('refuses a live stream code, a bad mix, an unknown template and a bad layer', () => {
    expect(refusalCode(() => publish('c', signed('c'), state({ live: true })))).toBe('STREAM_CODE_TAKEN');
    const withMix = (mix: string): string => refusalCode(() => publish('c', signed('c', { mix })));
    expect(withMix('session_id:12;t_id:4')).toBe('INVALID_TEMPLATE');
    expect(withMix('layer:q')).toBe('INVALID_MIX_PARAM');
    expect(withMix('session_id:99999999999')).toBe('INVALID_SESSION_ID');
    expect(withMix('')).toBe('INVALID_MIX_PARAM');
    for (const templateId of MIX_TEMPLATE_IDS) expect(withMix(`t_id:${templateId}`)).toBe('ACCEPTED');
  });

  it('accepts a session_id signalling allocated only from the stream codes it issued, with the issued layer and t_id', () => {
    const issued = state({
      issued: {
        77: {
          publishers: new Map([
            ['host', { layer: 'b' as const, templateId: 1 }],
            ['guest', { layer: 's' as const, templateId: 1 }],
          ]),
        },
      },
    });
    const push = (code: string, mix: string): string => refusalCode(() => publish(code, signed(code, { mix }), issued));
    expect(push('host', 'layer:b;session_id:77;t_id:1')).toBe('ACCEPTED');
    expect(push('guest', 'layer:s;session_id:77;t_id:1')).toBe('ACCEPTED');
    expect(push('stranger', 'layer:s;session_id:77;t_id:1')).toBe('NOT_ALLOWED');
    expect(push('guest', 'layer:b;session_id:77;t_id:1')).toBe('NOT_ALLOWED');
    expect(push('guest', 'layer:s;session_id:77')).toBe('NOT_ALLOWED');
    expect(push('guest', 'layer:s;session_id:77;t_id:2')).toBe('NOT_ALLOWED');
    // A session_id signalling never allocated stays the publisher's own business.
    expect(push('stranger', 'layer:s;session_id:78;t_id:1')).toBe('ACCEPTED');
  });

  it('accepts anything well-formed when no key is configured', () => {
    const open = new OriginPolicy({ linkQuota: 3, requirePlaySign: false }, () => NOW);
    expect(open.decide('publish', { app: 'live', streamCode: 'c', query: query({}) }, state())).toEqual({ streamCode: 'c' });
    expect(refusalCode(() => open.decide('publish', { app: 'other', streamCode: 'c', query: query({}) }, state()))).toBe('INVALID_URL');
  });
});

describe('play policy', () => {
  it('treats a play with session_id as a link signed for that session_id and counted against the quota', () => {
    const check = (q: Map<string, string>, links = 0): string => refusalCode(() => play('peer', q, state({ links })));
    expect(check(query({ session_id: '42' }))).toBe('SIGNATURE_MISSING');
    expect(check(playSigned('peer', 42, { session_id: '42' }), 2)).toBe('ACCEPTED');
    expect(check(playSigned('peer', 42, { session_id: '42' }), 3)).toBe('LINK_QUOTA_EXCEEDED');
    expect(check(playSigned('peer', 42, { session_id: '0' }))).toBe('INVALID_SESSION_ID');
    expect(play('peer', playSigned('peer', 42, { session_id: '42' }))).toEqual({ streamCode: 'peer', sessionId: 42 });
  });

  it('refuses a link signature under another session_id, an audience or push signature as a link credential', () => {
    const check = (q: Map<string, string>): string => refusalCode(() => play('peer', q));
    expect(check(playSigned('peer', 42, { session_id: '43' }))).toBe('SIGNATURE_INVALID');
    expect(check(playSigned('peer', undefined, { session_id: '42' }))).toBe('SIGNATURE_INVALID');
    expect(check(signed('peer', { session_id: '42' }))).toBe('SIGNATURE_INVALID');
    expect(check(playSigned('other', 42, { session_id: '42' }))).toBe('SIGNATURE_INVALID');
  });

  it('names the quota when refusing a link', () => {
    expect(() => play('peer', playSigned('peer', 42, { session_id: '42' }), state({ links: 3 }))).toThrow(/quota 3/);
  });

  it('serves audience plays unsigned unless signed plays are required, then only with an audience signature', () => {
    expect(play('peer', query({}))).toEqual({ streamCode: 'peer' });
    const strict = new OriginPolicy({ key: KEY, linkQuota: 3, requirePlaySign: true }, () => NOW);
    expect(refusalCode(() => play('peer', query({}), state(), strict))).toBe('SIGNATURE_MISSING');
    expect(play('peer', playSigned('peer', undefined), state(), strict)).toEqual({ streamCode: 'peer' });
    // A link URL with its session_id removed is not an audience credential, nor is a push signature.
    expect(refusalCode(() => play('peer', playSigned('peer', 42), state(), strict))).toBe('SIGNATURE_INVALID');
    expect(refusalCode(() => play('peer', signed('peer'), state(), strict))).toBe('SIGNATURE_INVALID');
  });
});
