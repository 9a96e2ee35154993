// The origin for player tests and benches: the project's LinkMicServer (node-media-server 4.4.3
// behind its adapter) on ephemeral 127.0.0.1 ports, unsigned.
import { LinkMicServer } from '../../server/link-mic-server';

export interface TestOrigin {
  readonly server: LinkMicServer;
  readonly rtmpPort: number;
  readonly httpPort: number;
  pushUrl(code: string): string;
  close(): Promise<void>;
}

export async function startOrigin(): Promise<TestOrigin> {
  const server = new LinkMicServer({ host: '127.0.0.1', rtmpPort: 0, httpPort: 0, linkQuota: 8, logLevel: 'warn' });
  await server.start();
  return {
    server,
    rtmpPort: server.rtmpPort,
    httpPort: server.httpPort,
    pushUrl: (code) => server.urls.pushUrl(code, { sessionId: 4242, layer: 'b' }),
    close: () => server.close(),
  };
}

/**
 * HTTP-FLV and WS-FLV play URLs of `code` through host:port (the origin, or a proxy in front): a
 * low-latency link play (with the session_id) or an audience play.
 */
export function playUrls(port: number, code: string, kind: 'link' | 'audience' = 'link'): { http: string; ws: string } {
  const path = `/live/${code}.flv${kind === 'link' ? '?session_id=4242' : ''}`;
  return { http: `http://127.0.0.1:${port}${path}`, ws: `ws://127.0.0.1:${port}${path}` };
}
