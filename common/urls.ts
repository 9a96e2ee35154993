// URL builders and parsers (spec §4): push, low-latency play (RTMP, HTTP-FLV, WS-FLV), audience.
import { ValidationError } from './errors';
import { formatMixParam, parseMixParam, type MixParam } from './mix-param';
import { parseSessionId, type SessionId } from './session-id';
import type { Signature } from './signing';
import { APP_NAME, assertStreamCode } from './stream-code';

export type PlayProtocol = 'rtmp' | 'http-flv' | 'ws-flv';

export interface Endpoint {
  /** host[:port] of the RTMP listener. */
  readonly rtmpHost: string;
  /** host[:port] of the HTTP listener (HTTP-FLV, WS-FLV, API). */
  readonly httpHost: string;
  /** Use https/wss for the HTTP listener. */
  readonly secure?: boolean;
}

function query(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  const parts = pairs
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    // `mix` keeps ':' and ';' readable as the guide writes it; everything else is encoded.
    .map(([key, value]) => `${key}=${key === 'mix' ? value.replace(/[^A-Za-z0-9:;_.-]/g, encodeURIComponent) : encodeURIComponent(value)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function assertHost(host: string, field: string): string {
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(host)) throw new ValidationError('INVALID_URL', field, `${field} "${host}" is not a host[:port]`);
  return host;
}

/** `rtmp://{host}/live/{streamCode}?mix=…&txSecret=…&txTime=…` */
export function buildPushUrl(options: {
  rtmpHost: string;
  streamCode: string;
  mix?: Omit<MixParam, 'extra'> & { extra?: MixParam['extra'] };
  signature?: Signature;
}): string {
  const code = assertStreamCode(options.streamCode);
  const host = assertHost(options.rtmpHost, 'rtmpHost');
  return `rtmp://${host}/${APP_NAME}/${code}${query([
    ['mix', options.mix ? formatMixParam(options.mix) : undefined],
    ['txSecret', options.signature?.txSecret],
    ['txTime', options.signature?.txTime],
  ])}`;
}

function playPath(protocol: PlayProtocol, endpoint: Endpoint, code: string): string {
  switch (protocol) {
    case 'rtmp':
      return `rtmp://${assertHost(endpoint.rtmpHost, 'rtmpHost')}/${APP_NAME}/${code}`;
    case 'http-flv':
      return `${endpoint.secure ? 'https' : 'http'}://${assertHost(endpoint.httpHost, 'httpHost')}/${APP_NAME}/${code}.flv`;
    case 'ws-flv':
      return `${endpoint.secure ? 'wss' : 'ws'}://${assertHost(endpoint.httpHost, 'httpHost')}/${APP_NAME}/${code}.flv`;
  }
}

/**
 * Low-latency (acceleration) play URL between hosts, origin-direct:
 * `…/live/{otherStreamCode}?session_id={other party's N}&txSecret=…&txTime=…`.
 */
export function buildLinkPlayUrl(options: {
  protocol: PlayProtocol;
  endpoint: Endpoint;
  streamCode: string;
  sessionId: SessionId;
  signature: Signature;
}): string {
  const code = assertStreamCode(options.streamCode);
  return `${playPath(options.protocol, options.endpoint, code)}${query([
    ['session_id', String(options.sessionId)],
    ['txSecret', options.signature.txSecret],
    ['txTime', options.signature.txTime],
  ])}`;
}

/** Audience URL: the ordinary FLV of a stream (signed only when the server requires it). */
export function buildAudienceUrl(options: { protocol?: PlayProtocol; endpoint: Endpoint; streamCode: string; signature?: Signature }): string {
  const code = assertStreamCode(options.streamCode);
  return `${playPath(options.protocol ?? 'http-flv', options.endpoint, code)}${query([
    ['txSecret', options.signature?.txSecret],
    ['txTime', options.signature?.txTime],
  ])}`;
}

export interface ParsedStreamUrl {
  readonly protocol: PlayProtocol;
  readonly host: string;
  readonly app: string;
  readonly streamCode: string;
  readonly mix?: MixParam;
  readonly sessionId?: SessionId;
  readonly txSecret?: string;
  readonly txTime?: string;
}

/** Parses any push or play URL this product issues (and Tencent-style cloud URLs of the same shape). */
export function parseStreamUrl(url: string): ParsedStreamUrl {
  const match = /^(rtmp|https?|wss?):\/\/([^/?#]+)\/([^/?#]+)\/([^/?#]+?)(\.flv)?(\?[^#]*)?$/.exec(url.trim());
  if (!match) throw new ValidationError('INVALID_URL', 'url', `not a stream URL: ${url}`);
  const [, scheme, host, app, name, flv, search] = match as unknown as [string, string, string, string, string, string | undefined, string | undefined];
  let protocol: PlayProtocol;
  if (scheme === 'rtmp') {
    if (flv) throw new ValidationError('INVALID_URL', 'url', 'an RTMP URL has no .flv suffix');
    protocol = 'rtmp';
  } else {
    if (!flv) throw new ValidationError('INVALID_URL', 'url', 'an HTTP/WS stream URL ends in .flv');
    protocol = scheme.startsWith('ws') ? 'ws-flv' : 'http-flv';
  }
  const streamCode = assertStreamCode(name, 'url.streamCode');
  const params = parseQuery(search ?? '');
  const result: {
    protocol: PlayProtocol;
    host: string;
    app: string;
    streamCode: string;
    mix?: MixParam;
    sessionId?: SessionId;
    txSecret?: string;
    txTime?: string;
  } = { protocol, host, app, streamCode };
  const mix = params.get('mix');
  if (mix !== undefined) result.mix = parseMixParam(mix);
  const sessionId = params.get('session_id');
  if (sessionId !== undefined) result.sessionId = parseSessionId(sessionId);
  const txSecret = params.get('txSecret');
  if (txSecret !== undefined) result.txSecret = txSecret;
  const txTime = params.get('txTime');
  if (txTime !== undefined) result.txTime = txTime;
  return result;
}

/**
 * Parses a query string, keeping `mix` as written (the mix parser decodes it), decoding others.
 * Repeated keys: the first wins.
 */
export function parseQuery(search: string): Map<string, string> {
  const result = new Map<string, string>();
  const text = search.startsWith('?') ? search.slice(1) : search;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = key === 'mix' ? rawValue : decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new ValidationError('INVALID_URL', rawKey, `query parameter ${rawKey} is not valid percent-encoding`);
    }
    if (!result.has(key)) result.set(key, value);
  }
  return result;
}
