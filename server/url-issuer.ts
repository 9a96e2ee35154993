// Issues the signed URLs of spec §4 (the server assembles URLs, clients never sign): push URLs,
// low-latency link play URLs (RTMP, HTTP-FLV, WS-FLV) and audience URLs. Built on common/urls.ts
// and common/signing.ts. Without a key the URLs still carry txSecret/txTime (signed with an empty
// key) so their shape never changes; an origin without a key does not check them.
import {
  assertMixTemplateId,
  assertSessionId,
  buildAudienceUrl,
  buildLinkPlayUrl,
  buildPushUrl,
  sign,
  signPlay,
  ValidationError,
  type Endpoint,
  type MixParam,
  type PlayProtocol,
  type SessionId,
  type Signature,
} from '../common';

export const DEFAULT_URL_VALIDITY_SEC = 24 * 3600;

export type MixInput = Omit<MixParam, 'extra'> & { extra?: MixParam['extra'] };

export interface UrlIssuerOptions {
  /** Signing key (the origin's). */
  readonly key?: string | undefined;
  /** Where the origin is reached; a function so a server's ephemeral ports are read when issuing. */
  readonly endpoint: Endpoint | (() => Endpoint);
  /** [hooks] Per-purpose endpoints of an origin profile (server/media-profile.ts); default `endpoint`. */
  readonly pushEndpoint?: Endpoint;
  readonly linkEndpoint?: Endpoint;
  readonly audienceEndpoint?: Endpoint;
  /** [hooks] Key of play URLs (Tencent CSS play anti-leech key); default `key`. */
  readonly playKey?: string | undefined;
  /** Default validity of issued URLs, seconds (24 h). */
  readonly validitySec?: number;
  /** Audience URLs carry a signature (the origin runs with requirePlaySign). */
  readonly signAudience?: boolean;
  /** Current time in Unix seconds (tests). */
  readonly now?: () => number;
}

export interface IssueOptions {
  /** Overrides the default validity, seconds. */
  readonly validitySec?: number;
}

export interface LinkPlayUrls {
  readonly rtmp: string;
  readonly httpFlv: string;
  readonly wsFlv: string;
  /** Unix seconds after which the URLs are refused. */
  readonly expiresAt: number;
}

export class UrlIssuer {
  private readonly validitySec: number;

  constructor(private readonly options: UrlIssuerOptions) {
    this.validitySec = checkValidity(options.validitySec ?? DEFAULT_URL_VALIDITY_SEC);
  }

  get endpoint(): Endpoint {
    return typeof this.options.endpoint === 'function' ? this.options.endpoint() : this.options.endpoint;
  }

  /** The push (publish) txSecret/txTime of `streamCode` (Tencent's formula), valid for the default or given validity. */
  signature(streamCode: string, options: IssueOptions = {}): Signature & { expiresAt: number } {
    const expiresAt = this.expiresAt(options);
    return { ...sign(this.options.key ?? '', streamCode, expiresAt), expiresAt };
  }

  /**
   * The play txSecret/txTime of `streamCode`: a low-latency link's (bound to `sessionId`) or, without
   * one, an audience play's. Neither publishes (common/signing.ts, docs/security.md). With a play key
   * (Tencent CSS profile) plays are signed as that CDN expects: md5(playKey + code + txTime).
   */
  playSignature(streamCode: string, sessionId?: SessionId, options: IssueOptions = {}): Signature & { expiresAt: number } {
    const expiresAt = this.expiresAt(options);
    if (this.options.playKey !== undefined) return { ...sign(this.options.playKey, streamCode, expiresAt), expiresAt };
    return { ...signPlay(this.options.key ?? '', streamCode, sessionId, expiresAt), expiresAt };
  }

  private get linkEndpoint(): Endpoint {
    return this.options.linkEndpoint ?? this.endpoint;
  }

  private get audienceEndpoint(): Endpoint {
    return this.options.audienceEndpoint ?? this.endpoint;
  }

  /** `rtmp://host/live/{code}?mix=…&txSecret=…&txTime=…`; `mix.t_id` must be a known template. */
  pushUrl(streamCode: string, mix?: MixInput, options: IssueOptions = {}): string {
    if (mix?.templateId !== undefined) assertMixTemplateId(mix.templateId);
    const base = { rtmpHost: (this.options.pushEndpoint ?? this.endpoint).rtmpHost, streamCode, signature: this.signature(streamCode, options) };
    return buildPushUrl(mix ? { ...base, mix } : base);
  }

  /** One low-latency play URL of `streamCode` under the other party's `sessionId`. */
  linkPlayUrl(protocol: PlayProtocol, streamCode: string, sessionId: SessionId, options: IssueOptions = {}): string {
    assertSessionId(sessionId);
    return buildLinkPlayUrl({ protocol, endpoint: this.linkEndpoint, streamCode, sessionId, signature: this.playSignature(streamCode, sessionId, options) });
  }

  /** The low-latency play URLs of `streamCode` in every protocol, with one expiry. */
  linkPlayUrls(streamCode: string, sessionId: SessionId, options: IssueOptions = {}): LinkPlayUrls {
    assertSessionId(sessionId);
    const signature = this.playSignature(streamCode, sessionId, options);
    const endpoint = this.linkEndpoint;
    const build = (protocol: PlayProtocol): string => buildLinkPlayUrl({ protocol, endpoint, streamCode, sessionId, signature });
    return { rtmp: build('rtmp'), httpFlv: build('http-flv'), wsFlv: build('ws-flv'), expiresAt: signature.expiresAt };
  }

  /** The audience URL (HTTP-FLV by default), signed only when the origin requires signed plays. */
  audienceUrl(streamCode: string, protocol: PlayProtocol = 'http-flv', options: IssueOptions = {}): string {
    const base = { protocol, endpoint: this.audienceEndpoint, streamCode };
    return buildAudienceUrl(this.options.signAudience ? { ...base, signature: this.playSignature(streamCode, undefined, options) } : base);
  }

  private expiresAt(options: IssueOptions): number {
    const validity = options.validitySec === undefined ? this.validitySec : checkValidity(options.validitySec);
    const now = this.options.now ? this.options.now() : Math.floor(Date.now() / 1000);
    return now + validity;
  }
}

function checkValidity(validitySec: number): number {
  if (!Number.isInteger(validitySec) || validitySec <= 0) {
    throw new ValidationError('INVALID_ARGUMENT', 'validitySec', 'URL validity must be a positive whole number of seconds');
  }
  return validitySec;
}
