// The link-mic policy, enforced on every publish and play before the media server sees it
// (spec §4, §5, docs/security.md). One decision path: `decide(action, request, state)` is a pure
// function of the action, the stream and its query, and the server state the caller supplies, so
// the RTMP origin and any other origin (HTTP hooks of an external one) share it.
//  - publish: app `live`, a valid stream code, a valid *push* signature (Tencent's formula) when a
//    key is configured, a parsable `mix` with a known template, one publisher per stream code, and
//    a `mix` session_id that signalling issued to this stream code (the room's host as layer b,
//    its accepted guests as layer s) whenever signalling allocated that session_id;
//  - play: a play with session_id is a low-latency link: signed with the link key of that very
//    session_id and counted against its quota; other plays are audience plays, free unless
//    `requirePlaySign`, then signed with the audience key. No play signature publishes.
import {
  APP_NAME,
  LinkMicError,
  assertMixTemplateId,
  assertStreamCode,
  parseMixParam,
  parseSessionId,
  playSigningKey,
  verifySignature,
  type Layer,
  type MixParam,
  type SessionId,
} from '../../common';

export { DEFAULT_LINK_QUOTA, MAX_LINK_QUOTA } from '../../common/link-quota';

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

/** A publish or play as it arrives: the application, the stream code and the decoded query. */
export interface StreamRequest {
  readonly app: string;
  readonly streamCode: string;
  readonly query: ReadonlyMap<string, string>;
}

/** What signalling issued one publisher under a session_id. */
export interface IssuedPublisher {
  readonly layer: Layer;
  /** `t_id` of the push URL signalling issued (undefined: client-side mix, no t_id). */
  readonly templateId?: number | undefined;
}

/** The publishers signalling issued push URLs to under one session_id (its room's host and guests). */
export interface IssuedSession {
  readonly publishers: ReadonlyMap<string, IssuedPublisher>;
}

/** The server state a decision reads. */
export interface PolicyState {
  /** The stream code is being published now. */
  isLive(streamCode: string): boolean;
  /** Open low-latency links under `sessionId`. */
  linkCount(sessionId: SessionId): number;
  /** What signalling issued under `sessionId`; undefined when signalling did not allocate it. */
  issuedSession?(sessionId: SessionId): IssuedSession | undefined;
}

export type PolicyAction = 'publish' | 'play';
export type PolicyGrant<A extends PolicyAction> = A extends 'publish' ? PublishGrant : PlayGrant;

export class OriginPolicy {
  constructor(
    readonly options: PolicyOptions,
    private readonly nowUnixSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** The one decision: throws a LinkMicError naming the reason, or returns what is granted. */
  decide<A extends PolicyAction>(action: A, request: StreamRequest, state: PolicyState): PolicyGrant<A> {
    return (action === 'publish' ? this.checkPublish(request, state) : this.checkPlay(request, state)) as PolicyGrant<A>;
  }

  /** Throws a LinkMicError naming the reason, or returns what the push declared. */
  checkPublish(request: StreamRequest, state: PolicyState): PublishGrant {
    const streamCode = this.checkPath(request.app, request.streamCode);
    this.checkSignature(this.options.key, streamCode, request.query);
    let mix: MixParam | undefined;
    const rawMix = request.query.get('mix');
    if (rawMix !== undefined) {
      mix = parseMixParam(rawMix);
      if (mix.templateId !== undefined) assertMixTemplateId(mix.templateId);
      if (mix.sessionId !== undefined) checkIssued(streamCode, mix, state.issuedSession?.(mix.sessionId));
    }
    if (state.isLive(streamCode)) {
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
  checkPlay(request: StreamRequest, state: PolicyState): PlayGrant {
    const streamCode = this.checkPath(request.app, request.streamCode);
    const key = this.options.key;
    const rawSessionId = request.query.get('session_id');
    if (rawSessionId === undefined) {
      if (this.options.requirePlaySign) this.checkSignature(key === undefined ? undefined : playSigningKey(key, undefined), streamCode, request.query);
      return { streamCode };
    }
    const sessionId = parseSessionId(rawSessionId);
    this.checkSignature(key === undefined ? undefined : playSigningKey(key, sessionId), streamCode, request.query);
    const quota = this.options.linkQuota;
    if (state.linkCount(sessionId) >= quota) {
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

  private checkSignature(key: string | undefined, streamCode: string, query: ReadonlyMap<string, string>): void {
    if (key === undefined) return;
    verifySignature(key, streamCode, { txSecret: query.get('txSecret'), txTime: query.get('txTime') }, this.nowUnixSec());
  }
}

/**
 * A `mix` naming a session_id signalling allocated must be what signalling issued to this stream
 * code: a stranger cannot join a victim's session (and its server mix) by naming its session_id.
 */
function checkIssued(streamCode: string, mix: MixParam, issued: IssuedSession | undefined): void {
  if (issued === undefined) return;
  const publisher = issued.publishers.get(streamCode);
  if (publisher === undefined) {
    throw new LinkMicError('NOT_ALLOWED', `session_id ${mix.sessionId} was not issued to stream code ${streamCode}: only its room's host and accepted guests push under it`, {
      field: 'mix',
    });
  }
  if (mix.layer !== publisher.layer || mix.templateId !== publisher.templateId) {
    const issuedMix = `layer:${publisher.layer}${publisher.templateId === undefined ? '' : `;t_id:${publisher.templateId}`}`;
    throw new LinkMicError('NOT_ALLOWED', `stream code ${streamCode} was issued ${issuedMix} under session_id ${mix.sessionId}, not this mix`, { field: 'mix' });
  }
}
