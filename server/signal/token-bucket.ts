// Per-connection rate limit: a token bucket of `burst` tokens refilled at `perSecond`.
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    nowMs: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = nowMs;
  }

  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.updatedAt);
    this.updatedAt = nowMs;
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
