// HookStateStore in Redis: every signalling node and every hook node of a cluster shares the
// stream-code locks and the link slots, so the one-publisher-per-code rule and the link quota of a
// session hold across all origins and edges (selected with --redis-url).
//
// Keys (under `keyPrefix`, default `linkmic:hooks:`): `stream:{code}` a string naming the holder,
// with the lease as its TTL; `links:{sessionId}` a sorted set of holders scored by when their lease
// ends (Redis's own clock, ms; +inf = until released), its TTL the last lease. Each operation is
// one Lua script, so claims are atomic across nodes and lapsed slots are dropped before counting.
//
// The connection opens on first use; close() ends it, and a later use opens a new one (the server
// can be started again after close()).
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { SessionId } from '../../common';
import { LinkMicError } from '../../common/errors';
import type { HookStateStore, LinkClaim } from './hook-state-store';

export interface RedisHookStateStoreOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** Default `linkmic:hooks:`. */
  readonly keyPrefix?: string;
}

// Redis's clock in ms (one clock for every node; nodes' own clocks may differ).
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const CLAIM_STREAM = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`;

const RELEASE_STREAM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

const CLAIM_LINK = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
local mine = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not mine and count >= tonumber(ARGV[2]) then return {0, count} end
local expires = 'inf'
if ARGV[3] ~= '' then expires = tostring(now + tonumber(ARGV[3])) end
redis.call('ZADD', KEYS[1], expires, ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] == 'inf' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIREAT', KEYS[1], tonumber(last[2])) end
return {1, redis.call('ZCARD', KEYS[1])}`;

const RELEASE_LINK = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZREM', KEYS[1], ARGV[1])`;

const LINK_COUNT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

const flagSchema = z.union([z.literal(0), z.literal(1)]);
const countSchema = z.number().int().nonnegative();
const claimSchema = z.tuple([flagSchema, countSchema]);
const holderSchema = z.string().min(1).max(512).nullable();

export class RedisHookStateStore implements HookStateStore {
  private readonly prefix: string;
  private client: Redis | undefined;

  constructor(private readonly options: RedisHookStateStoreOptions) {
    this.prefix = options.keyPrefix ?? 'linkmic:hooks:';
  }

  async claimStream(streamCode: string, holder: string, leaseMs: number | undefined): Promise<boolean> {
    return (await this.run(CLAIM_STREAM, this.streamKey(streamCode), [holder, lease(leaseMs)], flagSchema)) === 1;
  }

  async releaseStream(streamCode: string, holder: string): Promise<boolean> {
    return (await this.run(RELEASE_STREAM, this.streamKey(streamCode), [holder], flagSchema)) === 1;
  }

  async streamHolder(streamCode: string): Promise<string | undefined> {
    const holder = holderSchema.parse(await this.call((redis) => redis.get(this.streamKey(streamCode))));
    return holder ?? undefined;
  }

  async claimLink(sessionId: SessionId, holder: string, quota: number, leaseMs: number | undefined): Promise<LinkClaim> {
    const [claimed, count] = await this.run(CLAIM_LINK, this.linksKey(sessionId), [holder, String(quota), lease(leaseMs)], claimSchema);
    return { claimed: claimed === 1, count };
  }

  async releaseLink(sessionId: SessionId, holder: string): Promise<boolean> {
    return (await this.run(RELEASE_LINK, this.linksKey(sessionId), [holder], flagSchema)) === 1;
  }

  linkCount(sessionId: SessionId): Promise<number> {
    return this.run(LINK_COUNT, this.linksKey(sessionId), [], countSchema);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }

  private streamKey(streamCode: string): string {
    return `${this.prefix}stream:${streamCode}`;
  }

  private linksKey(sessionId: SessionId): string {
    return `${this.prefix}links:${sessionId}`;
  }

  private async run<T>(script: string, key: string, args: readonly string[], schema: z.ZodType<T>): Promise<T> {
    return schema.parse(await this.call((redis) => redis.eval(script, 1, key, ...args)));
  }

  private async call(command: (redis: Redis) => Promise<unknown>): Promise<unknown> {
    this.client ??= new Redis(this.options.url, { lazyConnect: true, protocol: 2, maxRetriesPerRequest: 2, connectTimeout: 5000 });
    // errors reach the caller (the decision then refuses); the connection error event needs a listener
    if (this.client.listenerCount('error') === 0) this.client.on('error', () => undefined);
    try {
      return await command(this.client);
    } catch (error) {
      throw new LinkMicError('SERVER_UNREACHABLE', `hook state store: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

function lease(leaseMs: number | undefined): string {
  return leaseMs === undefined ? '' : String(Math.max(1, Math.ceil(leaseMs)));
}
