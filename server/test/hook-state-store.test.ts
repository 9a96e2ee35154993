// The in-memory HookStateStore: locks and link slots held by one holder, leases that lapse.
import { describe, expect, it } from 'vitest';
import { MemoryHookStateStore } from '../hooks/memory-hook-state-store';

describe('MemoryHookStateStore', () => {
  it('gives a stream code to one holder at a time and lets only that holder release it', async () => {
    const store = new MemoryHookStateStore();
    expect(await store.claimStream('alice', 'nginx-rtmp/a/1', undefined)).toBe(true);
    expect(await store.claimStream('alice', 'nginx-rtmp/b/1', undefined)).toBe(false);
    expect(await store.claimStream('alice', 'nginx-rtmp/a/1', undefined)).toBe(true);
    expect(await store.releaseStream('alice', 'nginx-rtmp/b/1')).toBe(false);
    expect(await store.releaseStream('alice', 'nginx-rtmp/a/1')).toBe(true);
    expect(await store.streamHolder('alice')).toBeUndefined();
  });

  it('holds at most `quota` link slots per session, renews a holder and frees on release', async () => {
    const store = new MemoryHookStateStore();
    for (const holder of ['e1/1', 'e2/1', 'e3/1']) expect((await store.claimLink(9, holder, 3, undefined)).claimed).toBe(true);
    expect(await store.claimLink(9, 'e1/1', 3, undefined)).toEqual({ claimed: true, count: 3 });
    expect(await store.claimLink(9, 'e4/1', 3, undefined)).toEqual({ claimed: false, count: 3 });
    expect(await store.claimLink(10, 'e4/1', 3, undefined)).toEqual({ claimed: true, count: 1 });
    expect(await store.releaseLink(9, 'e4/1')).toBe(false);
    expect(await store.releaseLink(9, 'e2/1')).toBe(true);
    expect(await store.claimLink(9, 'e4/1', 3, undefined)).toEqual({ claimed: true, count: 3 });
  });

  it('forgets locks and slots whose lease lapsed without renewal (a media server that died)', async () => {
    let now = 1_000_000;
    const store = new MemoryHookStateStore(() => now);
    await store.claimStream('alice', 'a/1', 90_000);
    await store.claimLink(9, 'a/2', 3, 90_000);
    now += 60_000;
    await store.claimStream('alice', 'a/1', 90_000); // renewed
    now += 60_000;
    expect(await store.streamHolder('alice')).toBe('a/1');
    expect(await store.linkCount(9)).toBe(0);
    now += 90_000;
    expect(await store.claimStream('alice', 'b/1', 90_000)).toBe(true);
  });
});
