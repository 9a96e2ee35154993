// HookStateStore for one signalling process: maps with lease expiry, checked on every access
// (no timers). Every operation is synchronous under the hood, so claims are atomic.
import type { SessionId } from '../../common';
import type { HookStateStore, LinkClaim } from './hook-state-store';

interface Lease {
  readonly holder: string;
  /** Date.now() after which the entry is gone; Infinity = until released. */
  expiresAt: number;
}

export class MemoryHookStateStore implements HookStateStore {
  private readonly streams = new Map<string, Lease>();
  private readonly links = new Map<SessionId, Map<string, Lease>>();

  constructor(private readonly now: () => number = Date.now) {}

  claimStream(streamCode: string, holder: string, leaseMs: number | undefined): Promise<boolean> {
    const current = this.liveStream(streamCode);
    if (current && current.holder !== holder) return Promise.resolve(false);
    this.streams.set(streamCode, { holder, expiresAt: this.expiry(leaseMs) });
    return Promise.resolve(true);
  }

  releaseStream(streamCode: string, holder: string): Promise<boolean> {
    const current = this.liveStream(streamCode);
    if (!current || current.holder !== holder) return Promise.resolve(false);
    this.streams.delete(streamCode);
    return Promise.resolve(true);
  }

  streamHolder(streamCode: string): Promise<string | undefined> {
    return Promise.resolve(this.liveStream(streamCode)?.holder);
  }

  claimLink(sessionId: SessionId, holder: string, quota: number, leaseMs: number | undefined): Promise<LinkClaim> {
    const slots = this.liveLinks(sessionId);
    const mine = slots.get(holder);
    if (mine) {
      mine.expiresAt = this.expiry(leaseMs);
      return Promise.resolve({ claimed: true, count: slots.size });
    }
    if (slots.size >= quota) return Promise.resolve({ claimed: false, count: slots.size });
    slots.set(holder, { holder, expiresAt: this.expiry(leaseMs) });
    this.links.set(sessionId, slots);
    return Promise.resolve({ claimed: true, count: slots.size });
  }

  releaseLink(sessionId: SessionId, holder: string): Promise<boolean> {
    const slots = this.liveLinks(sessionId);
    const released = slots.delete(holder);
    if (slots.size === 0) this.links.delete(sessionId);
    return Promise.resolve(released);
  }

  linkCount(sessionId: SessionId): Promise<number> {
    return Promise.resolve(this.liveLinks(sessionId).size);
  }

  close(): Promise<void> {
    this.streams.clear();
    this.links.clear();
    return Promise.resolve();
  }

  private expiry(leaseMs: number | undefined): number {
    return leaseMs === undefined ? Number.POSITIVE_INFINITY : this.now() + leaseMs;
  }

  private liveStream(streamCode: string): Lease | undefined {
    const lease = this.streams.get(streamCode);
    if (lease && lease.expiresAt <= this.now()) {
      this.streams.delete(streamCode);
      return undefined;
    }
    return lease;
  }

  private liveLinks(sessionId: SessionId): Map<string, Lease> {
    const slots = this.links.get(sessionId) ?? new Map<string, Lease>();
    const now = this.now();
    for (const [holder, lease] of slots) if (lease.expiresAt <= now) slots.delete(holder);
    if (slots.size === 0) this.links.delete(sessionId);
    return slots;
  }
}
