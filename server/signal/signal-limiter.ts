// Limits of the signalling service that count across connections (issue 11 item 3, issue 17
// item 4, docs/security.md): messages per second per user and per IP address (token buckets
// shared by all of that user's or address's sockets), and open connections per user and per IP.
// Every frame counts, whatever it holds (JSON or not, oversized, binary). Buckets of a user or an
// address without connections are dropped, so memory follows the open connections.
import { TokenBucket, type RateLimit } from './token-bucket';

export interface SignalLimits {
  /** Messages per user, over all of its connections. */
  readonly userRate: RateLimit;
  /** Messages per IP address, over all of its connections. */
  readonly ipRate: RateLimit;
  /** Open connections per user (authenticated). */
  readonly maxConnectionsPerUser: number;
  /** Open connections per IP address (before and after hello). */
  readonly maxConnectionsPerIp: number;
}

export const DEFAULT_SIGNAL_LIMITS: SignalLimits = {
  userRate: { burst: 200, perSecond: 100 },
  ipRate: { burst: 1000, perSecond: 500 },
  maxConnectionsPerUser: 10,
  maxConnectionsPerIp: 200,
};

interface Counted {
  connections: number;
  readonly bucket: TokenBucket;
}

export class SignalLimiter {
  private readonly users = new Map<string, Counted>();
  private readonly ips = new Map<string, Counted>();

  constructor(
    readonly limits: SignalLimits,
    private readonly now: () => number,
  ) {}

  /** A new socket from `ip`: false (and nothing counted) when the address has too many open. */
  openIp(ip: string): boolean {
    const entry = this.entry(this.ips, ip, this.limits.ipRate);
    if (entry.connections >= this.limits.maxConnectionsPerIp) {
      if (entry.connections === 0) this.ips.delete(ip);
      return false;
    }
    entry.connections += 1;
    return true;
  }

  closeIp(ip: string): void {
    this.release(this.ips, ip);
  }

  /** A socket authenticated as `userId`: false (nothing counted) when the user has too many open. */
  openUser(userId: string): boolean {
    const entry = this.entry(this.users, userId, this.limits.userRate);
    if (entry.connections >= this.limits.maxConnectionsPerUser) {
      if (entry.connections === 0) this.users.delete(userId);
      return false;
    }
    entry.connections += 1;
    return true;
  }

  closeUser(userId: string): void {
    this.release(this.users, userId);
  }

  /** Takes one message from the address's and (once authenticated) the user's bucket. */
  take(ip: string, userId: string | undefined): 'ok' | 'ip' | 'user' {
    const now = this.now();
    const ipEntry = this.ips.get(ip);
    if (ipEntry && !ipEntry.bucket.take(now)) return 'ip';
    const userEntry = userId === undefined ? undefined : this.users.get(userId);
    if (userEntry && !userEntry.bucket.take(now)) return 'user';
    return 'ok';
  }

  /** Tracked users and addresses (tests: memory follows the open connections). */
  get size(): { users: number; ips: number } {
    return { users: this.users.size, ips: this.ips.size };
  }

  private entry(map: Map<string, Counted>, key: string, rate: RateLimit): Counted {
    let entry = map.get(key);
    if (!entry) {
      entry = { connections: 0, bucket: new TokenBucket(rate, this.now()) };
      map.set(key, entry);
    }
    return entry;
  }

  private release(map: Map<string, Counted>, key: string): void {
    const entry = map.get(key);
    if (!entry) return;
    entry.connections -= 1;
    if (entry.connections <= 0) map.delete(key);
  }
}

/** The deepest nesting of arrays and objects in a JSON text (strings skipped), stopping past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}
