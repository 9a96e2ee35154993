// The state the hook decision path shares across every node of a cluster: who holds each stream
// code (one publisher per code, across origins) and the low-latency link slots of each session_id
// (the quota, counted across every edge). In memory for one signalling process
// (memory-hook-state-store.ts); a Redis-backed store implements the same interface for several.
//
// A `holder` names one connection on one media server ("{dialect}/{node}/{clientId}"): a lock or
// a slot is released only by its holder, so the publish_done nginx sends for a refused duplicate
// publisher frees nothing. `leaseMs` bounds how long an entry lives without renewal (a dead media
// server cannot leave locks behind); undefined = until released.
import type { SessionId } from '../../common';

export interface LinkClaim {
  /** The holder has a slot (newly, or it already had one: claims renew). */
  readonly claimed: boolean;
  /** Live slots of the session after the claim. */
  readonly count: number;
}

export interface HookStateStore {
  /** Takes (or renews) the lock of `streamCode` for `holder`; false when another holder has it. */
  claimStream(streamCode: string, holder: string, leaseMs: number | undefined): Promise<boolean>;
  /** Frees the lock when `holder` has it; true when it did. */
  releaseStream(streamCode: string, holder: string): Promise<boolean>;
  /** The holder of the lock of `streamCode`, if any. */
  streamHolder(streamCode: string): Promise<string | undefined>;
  /** Takes (or renews) a link slot under `sessionId` when fewer than `quota` are held by others. */
  claimLink(sessionId: SessionId, holder: string, quota: number, leaseMs: number | undefined): Promise<LinkClaim>;
  /** Frees `holder`'s slot; true when it had one. */
  releaseLink(sessionId: SessionId, holder: string): Promise<boolean>;
  /** Live slots under `sessionId`. */
  linkCount(sessionId: SessionId): Promise<number>;
  /** Idempotent. */
  close(): Promise<void>;
}
