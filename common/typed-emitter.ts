// A small typed event emitter usable in every layer (no Node EventEmitter in common/).
// A listener that throws is reported to `onListenerError` and never breaks the emitter.

export type EventMap = Record<string, unknown>;
export type Listener<T> = (payload: T) => void;

export interface Disposable {
  dispose(): void;
}

export class TypedEmitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void = defaultListenerError) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposable {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return { dispose: () => this.off(event, listener) };
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposable {
    const subscription = this.on(event, (payload) => {
      subscription.dispose();
      listener(payload);
    });
    return subscription;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.onListenerError(error, String(event));
      }
    }
  }

  /** Resolves with the next payload of `event`, or rejects after `timeoutMs` (if given). */
  next<K extends keyof Events>(event: K, timeoutMs?: number): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      let timer: unknown;
      const subscription = this.once(event, (payload) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(payload);
      });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(event)}`));
        }, timeoutMs);
      }
    });
  }

  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.listeners.get(event)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}

function defaultListenerError(error: unknown, event: string): void {
  // common/ has no logger; hosts pass their own handler. console exists in every runtime we target.
  console.error(`listener for "${event}" threw`, error);
}

/** Collects disposables and disposes them together (VS Code's DisposableStore). */
export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items) item.dispose();
    this.items.clear();
  }

  get size(): number {
    return this.items.size;
  }
}
