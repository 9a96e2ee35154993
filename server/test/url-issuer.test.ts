// Signed URLs issued by the server verify against the origin's own checks.
import { describe, expect, it } from 'vitest';
import { audiencePlayKey, linkPlayKey, parseStreamUrl, verifySignature } from '../../common';
import { UrlIssuer } from '../url-issuer';

const KEY = 'e12c46f2612d5106e2034781ab261ca3';
const NOW = 1_700_000_000;
const endpoint = { rtmpHost: '127.0.0.1:1935', httpHost: '127.0.0.1:8000' };

describe('UrlIssuer', () => {
  const issuer = new UrlIssuer({ key: KEY, endpoint, now: () => NOW });

  it('issues a push URL with mix and a signature valid for 24 h by default', () => {
    const url = issuer.pushUrl('big', { sessionId: 1234, layer: 'b', templateId: 1 });
    expect(url).toMatch(/^rtmp:\/\/127\.0\.0\.1:1935\/live\/big\?mix=layer:b;session_id:1234;t_id:1&txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$/);
    const parsed = parseStreamUrl(url);
    expect(parseInt(parsed.txTime!, 16)).toBe(NOW + 24 * 3600);
    expect(() => verifySignature(KEY, 'big', parsed, NOW)).not.toThrow();
    expect(() => verifySignature(KEY, 'big', parsed, NOW + 24 * 3600)).toThrow(expect.objectContaining({ code: 'SIGNATURE_EXPIRED' }));
  });

  it('issues link play URLs in every protocol for the other party session_id, with a configurable validity', () => {
    const links = issuer.linkPlayUrls('peer', 99, { validitySec: 60 });
    expect(links.expiresAt).toBe(NOW + 60);
    expect(links.rtmp).toMatch(/^rtmp:\/\/127\.0\.0\.1:1935\/live\/peer\?session_id=99&txSecret=/);
    expect(links.httpFlv).toMatch(/^http:\/\/127\.0\.0\.1:8000\/live\/peer\.flv\?session_id=99&txSecret=/);
    expect(links.wsFlv).toMatch(/^ws:\/\/127\.0\.0\.1:8000\/live\/peer\.flv\?session_id=99&txSecret=/);
    for (const url of [links.rtmp, links.httpFlv, links.wsFlv]) {
      const parsed = parseStreamUrl(url);
      expect(parsed.sessionId).toBe(99);
      expect(() => verifySignature(linkPlayKey(KEY, 99), 'peer', parsed, NOW)).not.toThrow();
      // A play URL is no push credential, and is bound to its session_id.
      expect(() => verifySignature(KEY, 'peer', parsed, NOW)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
      expect(() => verifySignature(linkPlayKey(KEY, 98), 'peer', parsed, NOW)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    }
    expect(issuer.linkPlayUrl('ws-flv', 'peer', 99, { validitySec: 60 })).toBe(links.wsFlv);
  });

  it('signs audience URLs only when the origin requires signed plays', () => {
    expect(issuer.audienceUrl('big')).toBe('http://127.0.0.1:8000/live/big.flv');
    const strict = new UrlIssuer({ key: KEY, endpoint, now: () => NOW, signAudience: true });
    const audience = parseStreamUrl(strict.audienceUrl('big', 'ws-flv'));
    expect(() => verifySignature(audiencePlayKey(KEY), 'big', audience, NOW)).not.toThrow();
    expect(() => verifySignature(KEY, 'big', audience, NOW)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
  });

  it('refuses to issue what the origin would refuse', () => {
    expect(() => issuer.pushUrl('big', { sessionId: 1, templateId: 7 })).toThrow(expect.objectContaining({ code: 'INVALID_TEMPLATE' }));
    expect(() => issuer.linkPlayUrls('peer', 0)).toThrow(expect.objectContaining({ code: 'INVALID_SESSION_ID' }));
    expect(() => issuer.pushUrl('bad/code')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new UrlIssuer({ endpoint, validitySec: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
