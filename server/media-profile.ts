// Where issued URLs point, per origin profile (docs/deploy.md):
//   embedded     this server's own RTMP and HTTP ports, for every URL;
//   cluster      push to the origin, low-latency plays origin-direct (RTMP on the origin, FLV on
//                `linkFlvUrl` or the audience FLV base), audience plays on the edge / CDN;
//   tencent-css  push to the CSS push domain, every play on the play domain (its RTMP is the
//                low-latency path), play URLs signed with the play key when one is given.
import type { Endpoint } from '../common';
import type { ServerConfig } from './config';

export interface MediaEndpoints {
  /** Where hosts push (only `rtmpHost` is used). */
  readonly push: Endpoint;
  /** Origin-direct low-latency plays between hosts. */
  readonly link: Endpoint;
  /** Audience plays. */
  readonly audience: Endpoint;
}

type ProfileConfig = Pick<ServerConfig, 'mediaProfile' | 'pushUrl' | 'linkRtmpUrl' | 'linkFlvUrl' | 'playRtmpUrl' | 'playFlvUrl'>;

/** The endpoints of a non-embedded profile (undefined for `embedded`: the server's own ports). */
export function mediaEndpointsOf(config: ProfileConfig): MediaEndpoints | undefined {
  if (config.mediaProfile === 'embedded') return undefined;
  const pushRtmp = hostOf(config.pushUrl!);
  const playFlv = config.playFlvUrl!;
  const audienceRtmp = config.playRtmpUrl !== undefined ? hostOf(config.playRtmpUrl) : config.mediaProfile === 'cluster' ? pushRtmp : bareHostOf(playFlv);
  const audience: Endpoint = { rtmpHost: audienceRtmp, httpHost: hostOf(playFlv), secure: playFlv.startsWith('https:') };
  const linkFlv = config.linkFlvUrl ?? playFlv;
  const linkRtmp = config.linkRtmpUrl !== undefined ? hostOf(config.linkRtmpUrl) : config.mediaProfile === 'cluster' ? pushRtmp : audienceRtmp;
  return {
    push: { rtmpHost: pushRtmp, httpHost: audience.httpHost },
    link: { rtmpHost: linkRtmp, httpHost: hostOf(linkFlv), secure: linkFlv.startsWith('https:') },
    audience,
  };
}

/** `scheme://host[:port][/]` → `host[:port]`. */
function hostOf(base: string): string {
  return base.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '');
}

/** `scheme://host[:port]` → `host` (the RTMP default port on the same domain). */
function bareHostOf(base: string): string {
  const host = hostOf(base);
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}
