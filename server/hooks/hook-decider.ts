// The one decision path of every external origin's hooks (nginx-rtmp, SRS, Tencent CSS): the
// server's own OriginPolicy decides path, signature, expiry and `mix` exactly as for the embedded
// origin, and a HookStateStore shared by every node enforces what one process cannot see:
//  - stream-code ownership: one publisher per stream code across every origin node (a lock held
//    by node + client id, released only by its holder);
//  - the link quota of a session_id, counted across every edge (a slot per low-latency play);
//  - relays (an edge pulling from the origin, the edge's local publish of the pulled stream) are
//    allowed and take neither a lock nor a slot.
// nginx-rtmp's on_update re-runs the checks (txTime expiry drops a running stream) and renews the
// leases; dialects that never renew hold their entries until *_done.
import { LinkMicError, TypedEmitter, parseSessionId, toErrorPayload, type ErrorCode, type SessionId } from '../../common';
import type { Logger } from '../../node/logger';
import type { IssuedSession, OriginPolicy, PolicyState, PlayGrant, PublishGrant } from '../origin/origin-policy';
import type { PlayEvent, PublishEvent, RefusedEvent, StopEvent, UnpublishEvent } from '../origin/origin-types';
import type { HookDecision, HookEvent } from './hook-event';
import type { HookStateStore } from './hook-state-store';

/** Lease of locks and slots renewed by nginx-rtmp's on_update (3 updates at its default 30 s). */
export const DEFAULT_HOOK_LEASE_MS = 90_000;

export interface HookDeciderOptions {
  /** The server's policy (same key, quota and play signing as the embedded origin). */
  readonly policy: OriginPolicy;
  /** What signalling issued under a session_id (publishers must match it), as for the embedded origin. */
  readonly issuedSession?: (sessionId: SessionId) => IssuedSession | undefined;
  readonly store: HookStateStore;
  /** Lease of entries that the dialect renews (nginx-rtmp on_update). */
  readonly leaseMs?: number;
}

// The origin's event shapes, so the signalling service and the server's listeners see external
// streams exactly as embedded ones.
export type HookDeciderEvents = {
  publish: PublishEvent;
  unpublish: UnpublishEvent;
  play: PlayEvent;
  stop: StopEvent;
  refused: RefusedEvent;
};

export interface HookStats {
  readonly decisions: number;
  readonly allowed: number;
  readonly refused: Readonly<Partial<Record<ErrorCode, number>>>;
  readonly relays: number;
}

export class HookDecider {
  readonly events: TypedEmitter<HookDeciderEvents>;
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly counters = { decisions: 0, allowed: 0, relays: 0, refused: {} as Partial<Record<ErrorCode, number>> };

  constructor(
    private readonly options: HookDeciderOptions,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'hooks' });
    this.events = new TypedEmitter<HookDeciderEvents>((error, event) => this.log.error({ err: error, event }, 'hook event listener threw'));
    this.leaseMs = options.leaseMs ?? DEFAULT_HOOK_LEASE_MS;
  }

  get store(): HookStateStore {
    return this.options.store;
  }

  stats(): HookStats {
    return { decisions: this.counters.decisions, allowed: this.counters.allowed, relays: this.counters.relays, refused: { ...this.counters.refused } };
  }

  /** Never throws: a refusal is a decision naming its code. */
  async decide(event: HookEvent): Promise<HookDecision> {
    this.counters.decisions += 1;
    try {
      const decision = await this.run(event);
      this.counters.allowed += 1;
      if (decision.kind === 'relay') this.counters.relays += 1;
      return decision;
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'INTERNAL') this.log.error({ err: error, node: event.node, action: event.action }, 'hook decision failed');
      this.counters.refused[payload.code] = (this.counters.refused[payload.code] ?? 0) + 1;
      this.log.info(
        { dialect: event.dialect, node: event.node, action: event.action, streamCode: event.stream, remote: event.ip, code: payload.code, reason: payload.message, notifyOnly: event.notifyOnly === true },
        `${event.action} refused`,
      );
      const action = event.action === 'play' || event.action === 'update_play' ? 'play' : 'publish';
      this.events.emit('refused', { action, protocol: 'rtmp', streamCode: event.stream, code: payload.code, message: payload.message, remote: event.ip });
      return { allow: false, error: payload };
    }
  }

  private async run(event: HookEvent): Promise<Exclude<HookDecision, { allow: false }>> {
    if (event.isRelay) return { allow: true, kind: 'relay' };
    const holder = holderOf(event);
    switch (event.action) {
      case 'publish':
      case 'update_publish': {
        const grant = this.checkPublish(event, false);
        const claimed = await this.options.store.claimStream(grant.streamCode, holder, this.leaseOf(event));
        if (!claimed) this.checkPublish(event, true); // throws the policy's STREAM_CODE_TAKEN
        if (event.action === 'update_publish') return { allow: true, kind: 'renewed' };
        this.events.emit('publish', publishEventOf(grant, holder, event.ip));
        return { allow: true, kind: 'publish' };
      }
      case 'play':
      case 'update_play': {
        const grant = this.checkPlay(event, 0);
        if (grant.sessionId !== undefined) {
          const claim = await this.options.store.claimLink(grant.sessionId, holder, this.options.policy.options.linkQuota, this.leaseOf(event));
          if (!claim.claimed) {
            this.checkPlay(event, Math.max(claim.count, this.options.policy.options.linkQuota)); // throws the policy's LINK_QUOTA_EXCEEDED
            throw new LinkMicError('LINK_QUOTA_EXCEEDED', `session_id ${grant.sessionId} has no free low-latency link`, { field: 'session_id' });
          }
        }
        if (event.action === 'update_play') return { allow: true, kind: 'renewed' };
        this.events.emit('play', playEventOf(grant, holder, event.ip));
        return { allow: true, kind: grant.sessionId === undefined ? 'audience' : 'link' };
      }
      case 'publish_done': {
        if (await this.options.store.releaseStream(event.stream, holder)) {
          this.events.emit('unpublish', { streamCode: event.stream, sessionKey: holder, reason: 'closed' });
        }
        return { allow: true, kind: 'ended' };
      }
      case 'play_done': {
        const sessionId = sessionIdOf(event);
        const released = sessionId !== undefined && (await this.options.store.releaseLink(sessionId, holder));
        const stop: { -readonly [K in keyof StopEvent]: StopEvent[K] } = { playId: holder, streamCode: event.stream, kind: released ? 'link' : 'audience', reason: 'closed' };
        if (released) stop.sessionId = sessionId;
        this.events.emit('stop', stop);
        return { allow: true, kind: 'ended' };
      }
    }
  }

  private checkPublish(event: HookEvent, taken: boolean): PublishGrant {
    return this.options.policy.checkPublish({ app: event.app, streamCode: event.stream, query: event.args }, this.policyState(() => taken, () => 0));
  }

  private checkPlay(event: HookEvent, links: number): PlayGrant {
    return this.options.policy.checkPlay({ app: event.app, streamCode: event.stream, query: event.args }, this.policyState(() => false, () => links));
  }

  /** The state a policy decision reads: the store's answers, and what signalling issued. */
  private policyState(isLive: () => boolean, linkCount: () => number): PolicyState {
    const issued = this.options.issuedSession;
    return { isLive, linkCount, ...(issued ? { issuedSession: issued } : {}) };
  }

  /** Only nginx-rtmp renews (on_update); other dialects hold entries until *_done. */
  private leaseOf(event: HookEvent): number | undefined {
    return event.dialect === 'nginx-rtmp' ? this.leaseMs : undefined;
  }
}

/** Who holds a lock or a slot: one connection on one media server. */
export function holderOf(event: Pick<HookEvent, 'dialect' | 'node' | 'clientId'>): string {
  return `${event.dialect}/${event.node}/${event.clientId}`;
}

function sessionIdOf(event: HookEvent): SessionId | undefined {
  const raw = event.args.get('session_id');
  if (raw === undefined) return undefined;
  try {
    return parseSessionId(raw);
  } catch {
    return undefined;
  }
}

function publishEventOf(grant: PublishGrant, holder: string, ip: string): PublishEvent {
  const event: { -readonly [K in keyof PublishEvent]: PublishEvent[K] } = { streamCode: grant.streamCode, sessionKey: holder, protocol: 'rtmp', remote: ip, startedAt: Date.now() };
  if (grant.sessionId !== undefined) event.sessionId = grant.sessionId;
  if (grant.layer !== undefined) event.layer = grant.layer;
  if (grant.templateId !== undefined) event.templateId = grant.templateId;
  return event;
}

function playEventOf(grant: PlayGrant, holder: string, ip: string): PlayEvent {
  const event: { -readonly [K in keyof PlayEvent]: PlayEvent[K] } = {
    playId: holder,
    streamCode: grant.streamCode,
    kind: grant.sessionId === undefined ? 'audience' : 'link',
    protocol: 'rtmp',
    remote: ip,
    startedAt: Date.now(),
  };
  if (grant.sessionId !== undefined) event.sessionId = grant.sessionId;
  return event;
}
