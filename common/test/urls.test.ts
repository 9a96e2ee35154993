import { describe, expect, it } from 'vitest';
import { buildAudienceUrl, buildLinkPlayUrl, buildPushUrl, parseQuery, parseStreamUrl } from '../urls';
import { sign } from '../signing';
import { ValidationError } from '../errors';

const KEY = 'e12c46f2612d5106e2034781ab261ca3';
const endpoint = { rtmpHost: '127.0.0.1:1935', httpHost: '127.0.0.1:8000' };

describe('stream URLs (spec §4)', () => {
  it('builds the push URL in the guide format with mix unencoded', () => {
    const signature = sign(KEY, 'hostA', 0x5c271099);
    const url = buildPushUrl({ rtmpHost: endpoint.rtmpHost, streamCode: 'hostA', mix: { layer: 'b', sessionId: 1234, templateId: 1 }, signature });
    expect(url).toBe(`rtmp://127.0.0.1:1935/live/hostA?mix=layer:b;session_id:1234;t_id:1&txSecret=${signature.txSecret}&txTime=5C271099`);
    expect(parseStreamUrl(url)).toEqual({
      protocol: 'rtmp',
      host: '127.0.0.1:1935',
      app: 'live',
      streamCode: 'hostA',
      mix: { layer: 'b', sessionId: 1234, templateId: 1, extra: [] },
      txSecret: signature.txSecret,
      txTime: '5C271099',
    });
  });

  it('builds low-latency play URLs for RTMP, HTTP-FLV and WS-FLV with the other party session_id', () => {
    const signature = sign(KEY, 'guestB', 0x5c271099);
    const options = { endpoint, streamCode: 'guestB', sessionId: 99, signature };
    expect(buildLinkPlayUrl({ ...options, protocol: 'rtmp' })).toBe(`rtmp://127.0.0.1:1935/live/guestB?session_id=99&txSecret=${signature.txSecret}&txTime=5C271099`);
    expect(buildLinkPlayUrl({ ...options, protocol: 'http-flv' })).toMatch(/^http:\/\/127\.0\.0\.1:8000\/live\/guestB\.flv\?session_id=99&/);
    expect(buildLinkPlayUrl({ ...options, protocol: 'ws-flv' })).toMatch(/^ws:\/\/127\.0\.0\.1:8000\/live\/guestB\.flv\?session_id=99&/);
    const parsed = parseStreamUrl(buildLinkPlayUrl({ ...options, protocol: 'ws-flv' }));
    expect(parsed).toMatchObject({ protocol: 'ws-flv', streamCode: 'guestB', sessionId: 99, txTime: '5C271099' });
    expect(buildLinkPlayUrl({ ...options, protocol: 'http-flv', endpoint: { ...endpoint, secure: true } })).toMatch(/^https:/);
  });

  it('builds the audience URL without a session_id', () => {
    expect(buildAudienceUrl({ endpoint, streamCode: 'hostA' })).toBe('http://127.0.0.1:8000/live/hostA.flv');
    expect(parseStreamUrl(buildAudienceUrl({ endpoint, streamCode: 'hostA' })).sessionId).toBeUndefined();
  });

  it('parses Tencent-style cloud URLs with a percent-encoded mix', () => {
    const parsed = parseStreamUrl('rtmp://push.example.com/live/8888_abc?mix=session_id%3A1234%3Blayer%3As&txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099');
    expect(parsed.mix).toEqual({ sessionId: 1234, layer: 's', extra: [] });
  });

  it('refuses stream codes the origin cannot carry and malformed URLs', () => {
    expect(() => buildPushUrl({ rtmpHost: endpoint.rtmpHost, streamCode: 'a b' })).toThrow(ValidationError);
    expect(() => buildPushUrl({ rtmpHost: 'evil/path', streamCode: 'ok' })).toThrow(ValidationError);
    for (const bad of ['http://h/live/x', 'rtmp://h/live/x.flv', 'ftp://h/live/x', 'rtmp://h/live', 'rtmp://h/live/x?session_id=0']) {
      expect(() => parseStreamUrl(bad), bad).toThrow(ValidationError);
    }
  });

  it('keeps mix raw in the query parser and decodes the rest', () => {
    const query = parseQuery('?mix=a%3Ab&txSecret=%61bc&flag&txSecret=second');
    expect(query.get('mix')).toBe('a%3Ab');
    expect(query.get('txSecret')).toBe('abc');
    expect(query.get('flag')).toBe('');
  });
});
