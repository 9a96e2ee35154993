// The link-mic policy, enforced on every publish and play before NMS sees it (spec §4, §5):
//  - publish: app `live`, a valid stream code, a valid signature when a key is configured, a
//    parsable `mix` with a known template, and one publisher per stream code;
//  - play: a play with session_id is a low-latency link: signed (over the played stream code) and
//    counted against that session_id's quota; other plays are audience plays, free unless
//    `requirePlaySign`.
// Pure decisions: the caller supplies the query, the live codes and the current link counts.
import {
  APP_NAME,
  LinkMicError,
  assertMixTemplateId,
  assertStreamCode,
  parseMixParam,
  parseSessionId,
  verifySignature,
  type Layer,
  type MixParam,
  type SessionId,
} from '../../common';

export const DEFAULT_LINK_QUOTA = 3;
export const MAX_LINK_QUOTA = 8;

export interface PolicyOptions {
  /** Signing key; without it nothing is signed or checked (development only). */
  readonly key?: string | undefined;
  readonly linkQuota: number;
  readonly requirePlaySign: boolean;
}

export interface PublishGrant {
  readonly streamCode: string;
  readonly mix?: MixParam;
  readonly sessionId?: SessionId;
  readonly layer?: Layer;
  readonly templateId?: number;
}

export interface PlayGrant {
  readonly streamCode: string;
  /** Present for a low-latency link. */
  readonly sessionId?: SessionId;
}

export interface PublishRequest {
  readonly app: string;
  readonly streamCode: string;
  readonly query: ReadonlyMap<string, string>;
  readonly isLive: (streamCode: string) => boolean;
}

export interface PlayRequest {
  readonly app: string;
  readonly streamCode: string;
  readonly query: ReadonlyMap<string, string>;
  readonly linkCount: (sessionId: SessionId) => number;
}

export class OriginPolicy {
  constructor(
    readonly options: PolicyOptions,
    private readonly nowUnixSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Throws a LinkMicError naming the reason, or returns what the push declared. */
  checkPublish(request: PublishRequest): PublishGrant {
    const streamCode = this.checkPath(request.app, request.streamCode);
    this.checkSignature(streamCode, request.query);
    let mix: MixParam | undefined;
    const rawMix = request.query.get('mix');
    if (rawMix !== undefined) {
      mix = parseMixParam(rawMix);
      if (mix.templateId !== undefined) assertMixTemplateId(mix.templateId);
    }
    if (request.isLive(streamCode)) {
      throw new LinkMicError('STREAM_CODE_TAKEN', `stream code ${streamCode} is already being published`, { field: 'streamCode' });
    }
    const grant: { streamCode: string; mix?: MixParam; sessionId?: SessionId; layer?: Layer; templateId?: number } = { streamCode };
    if (mix) {
      grant.mix = mix;
      if (mix.sessionId !== undefined) grant.sessionId = mix.sessionId;
      if (mix.layer !== undefined) grant.layer = mix.layer;
      if (mix.templateId !== undefined) grant.templateId = mix.templateId;
    }
    return grant;
  }

  /** Throws a LinkMicError naming the reason, or returns the kind of play granted. */
  checkPlay(request: PlayRequest): PlayGrant {
    const streamCode = this.checkPath(request.app, request.streamCode);
    const rawSessionId = request.query.get('session_id');
    if (rawSessionId === undefined) {
      if (this.options.requirePlaySign) this.checkSignature(streamCode, request.query);
      return { streamCode };
    }
    const sessionId = parseSessionId(rawSessionId);
    this.checkSignature(streamCode, request.query);
    const quota = this.options.linkQuota;
    if (request.linkCount(sessionId) >= quota) {
      throw new LinkMicError('LINK_QUOTA_EXCEEDED', `session_id ${sessionId} already has ${quota} low-latency links open (quota ${quota})`, {
        field: 'session_id',
      });
    }
    return { streamCode, sessionId };
  }

  private checkPath(app: string, streamCode: string): string {
    if (app !== APP_NAME) throw new LinkMicError('INVALID_URL', `unknown application "${app}", expected "${APP_NAME}"`, { field: 'app' });
    return assertStreamCode(streamCode);
  }

  private checkSignature(streamCode: string, query: ReadonlyMap<string, string>): void {
    const key = this.options.key;
    if (key === undefined) return;
    verifySignature(key, streamCode, { txSecret: query.get('txSecret'), txTime: query.get('txTime') }, this.nowUnixSec());
  }
}
