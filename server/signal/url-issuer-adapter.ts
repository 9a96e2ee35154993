// Adapts the server's UrlIssuer (server/url-issuer.ts) to the signal service's UrlIssuerLike.
// Typed structurally so the signal service does not depend on the issuer's module.
import type { Layer } from '../../common/mix-param';
import type { UrlIssuerLike } from './deps';

export interface ServerUrlIssuer {
  pushUrl(streamCode: string, mix?: { sessionId?: number; layer?: Layer; templateId?: number }): string;
  linkPlayUrls(streamCode: string, sessionId: number): { rtmp: string; httpFlv: string; wsFlv: string };
  audienceUrl(streamCode: string): string;
}

export function adaptUrlIssuer(issuer: ServerUrlIssuer): UrlIssuerLike {
  return {
    pushUrl: ({ streamCode, sessionId, layer, templateId }) =>
      issuer.pushUrl(streamCode, templateId === undefined ? { sessionId, layer } : { sessionId, layer, templateId }),
    linkPlayUrls: ({ streamCode, sessionId }) => {
      const urls = issuer.linkPlayUrls(streamCode, sessionId);
      return { rtmp: urls.rtmp, httpFlv: urls.httpFlv, wsFlv: urls.wsFlv };
    },
    audienceUrl: (streamCode) => issuer.audienceUrl(streamCode),
  };
}
