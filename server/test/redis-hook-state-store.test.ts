// The Redis HookStateStore against a real redis-server: two stores (two nodes) share one Redis, so
// a stream code has one holder and a session's link quota counts across every node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisHookStateStore } from '../hooks/redis-hook-state-store';
import { startRedis, type RedisChild } from './helpers/signal-nodes';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisHookStateStore', () => {
  let redis: RedisChild;
  let nodeA: RedisHookStateStore;
  let nodeB: RedisHookStateStore;

  beforeAll(async () => {
    redis = await startRedis();
    nodeA = new RedisHookStateStore({ url: redis.url });
    nodeB = new RedisHookStateStore({ url: redis.url });
  }, 30_000);

  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await redis?.child.stop();
  });

  it('gives a stream code to one holder across nodes and lets only that holder release it', async () => {
    expect(await nodeA.claimStream('alice', 'nginx-rtmp/a/1', undefined)).toBe(true);
    expect(await nodeB.claimStream('alice', 'nginx-rtmp/b/1', undefined)).toBe(false);
    expect(await nodeB.claimStream('alice', 'nginx-rtmp/a/1', undefined)).toBe(true); // the holder renews from any node
    expect(await nodeB.streamHolder('alice')).toBe('nginx-rtmp/a/1');
    expect(await nodeA.releaseStream('alice', 'nginx-rtmp/b/1')).toBe(false);
    expect(await nodeB.releaseStream('alice', 'nginx-rtmp/a/1')).toBe(true);
    expect(await nodeA.streamHolder('alice')).toBeUndefined();
    expect(await nodeA.claimStream('alice', 'nginx-rtmp/b/1', undefined)).toBe(true);
  });

  it('holds at most `quota` link slots per session whichever node claims them', async () => {
    expect((await nodeA.claimLink(9, 'edge1/1', 3, undefined)).claimed).toBe(true);
    expect((await nodeB.claimLink(9, 'edge2/1', 3, undefined)).claimed).toBe(true);
    expect((await nodeA.claimLink(9, 'edge3/1', 3, undefined)).claimed).toBe(true);
    expect(await nodeB.claimLink(9, 'edge1/1', 3, undefined)).toEqual({ claimed: true, count: 3 });
    expect(await nodeB.claimLink(9, 'edge4/1', 3, undefined)).toEqual({ claimed: false, count: 3 });
    expect(await nodeA.claimLink(10, 'edge4/1', 3, undefined)).toEqual({ claimed: true, count: 1 });
    expect(await nodeA.releaseLink(9, 'edge4/1')).toBe(false);
    expect(await nodeA.releaseLink(9, 'edge2/1')).toBe(true);
    expect(await nodeB.linkCount(9)).toBe(2);
    expect(await nodeB.claimLink(9, 'edge4/1', 3, undefined)).toEqual({ claimed: true, count: 3 });
  });

  it('lets many concurrent claims from both nodes take exactly `quota` slots', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).claimLink(77, `edge/${i}`, 3, 60_000)));
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(3);
    expect(await nodeA.linkCount(77)).toBe(3);
  });

  it('forgets locks and slots whose lease lapsed without renewal (a media server that died)', async () => {
    expect(await nodeA.claimStream('bob', 'nginx-rtmp/a/7', 300)).toBe(true);
    expect((await nodeA.claimLink(11, 'nginx-rtmp/a/8', 3, 300)).claimed).toBe(true);
    expect((await nodeA.claimLink(11, 'nginx-rtmp/a/9', 3, undefined)).claimed).toBe(true);
    expect(await nodeB.claimStream('bob', 'nginx-rtmp/b/7', 300)).toBe(false);
    for (let i = 0; i < 200 && ((await nodeB.streamHolder('bob')) !== undefined || (await nodeB.linkCount(11)) !== 1); i += 1) await sleep(50);
    expect(await nodeB.streamHolder('bob')).toBeUndefined();
    expect(await nodeB.claimStream('bob', 'nginx-rtmp/b/7', 300)).toBe(true);
    expect(await nodeB.linkCount(11)).toBe(1); // the slot without a lease stays until released
  });

  it('works again after close() (a server started a second time)', async () => {
    const store = new RedisHookStateStore({ url: redis.url, keyPrefix: 'again:' });
    expect(await store.claimStream('carol', 'x/1', undefined)).toBe(true);
    await store.close();
    await store.close();
    expect(await store.streamHolder('carol')).toBe('x/1');
    await store.close();
  });
});
