import { describe, expect, it } from 'vitest';
import { DisposableStore, TypedEmitter } from '../typed-emitter';

describe('TypedEmitter', () => {
  it('delivers payloads to every listener and stops after dispose', () => {
    const emitter = new TypedEmitter<{ tick: number }>();
    const seen: number[] = [];
    const subscription = emitter.on('tick', (n) => seen.push(n));
    emitter.emit('tick', 1);
    subscription.dispose();
    emitter.emit('tick', 2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount()).toBe(0);
  });

  it('keeps emitting to other listeners when one throws', () => {
    const errors: string[] = [];
    const emitter = new TypedEmitter<{ tick: number }>((_error, event) => errors.push(event));
    const seen: number[] = [];
    emitter.on('tick', () => {
      throw new Error('boom');
    });
    emitter.on('tick', (n) => seen.push(n));
    emitter.emit('tick', 3);
    expect(seen).toEqual([3]);
    expect(errors).toEqual(['tick']);
  });

  it('resolves next() with the next payload and rejects on timeout', async () => {
    const emitter = new TypedEmitter<{ tick: number }>();
    const next = emitter.next('tick');
    emitter.emit('tick', 7);
    await expect(next).resolves.toBe(7);
    await expect(emitter.next('tick', 5)).rejects.toThrow(/timed out/);
    expect(emitter.listenerCount()).toBe(0);
  });

  it('disposes a store once, and disposes items added after that at once', () => {
    const store = new DisposableStore();
    let count = 0;
    store.add({ dispose: () => count++ });
    store.dispose();
    store.dispose();
    store.add({ dispose: () => count++ });
    expect(count).toBe(2);
  });
});
