// An in-memory Electron IPC pair for tests: FakeIpcMain mimics ipcMain (handle / on) and each
// FakeFrame mimics a renderer frame's ipcRenderer, with the sender identity main checks
// (webContents id, frame object, URL). Values cross by structured clone, as in Electron.
import type { IpcEventTarget, IpcMainLike, IpcSenderEvent } from '../ipc/ipc-host';
// eslint-disable-next-line no-restricted-imports -- the round-trip test drives both ends of the boundary
import type { IpcRendererLike } from '../../preload/studio-window-api';

type MainHandler = (event: IpcSenderEvent, ...args: unknown[]) => unknown;
type MainListener = (event: IpcSenderEvent, ...args: unknown[]) => void;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, MainHandler>();
  readonly listeners = new Map<string, Set<MainListener>>();
  handle(channel: string, handler: MainHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: MainListener): void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
  }
  removeListener(channel: string, listener: MainListener): void {
    this.listeners.get(channel)?.delete(listener);
  }
}

export class FakeFrame implements IpcRendererLike {
  private readonly rendererListeners = new Map<string, Set<RendererListener>>();
  readonly frame: { url: string };

  constructor(
    private readonly main: FakeIpcMain,
    readonly webContentsId: number,
    url: string,
  ) {
    this.frame = { url };
  }

  private event(): IpcSenderEvent {
    return { sender: { id: this.webContentsId }, senderFrame: this.frame };
  }

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.main.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered for '${channel}'`);
    return structuredClone(await handler(this.event(), ...structuredClone(args)));
  }

  send(channel: string, ...args: unknown[]): void {
    for (const listener of this.main.listeners.get(channel) ?? []) listener(this.event(), ...structuredClone(args));
  }

  on(channel: string, listener: RendererListener): void {
    let set = this.rendererListeners.get(channel);
    if (!set) this.rendererListeners.set(channel, (set = new Set()));
    set.add(listener);
  }

  removeListener(channel: string, listener: RendererListener): void {
    this.rendererListeners.get(channel)?.delete(listener);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.rendererListeners.values()) n += set.size;
    return n;
  }

  /** What webContents.send delivers to this frame. */
  readonly target: IpcEventTarget = {
    send: (channel, payload) => {
      for (const listener of this.rendererListeners.get(channel) ?? []) listener({ sender: 'ipc-renderer-event' }, structuredClone(payload));
    },
    isDestroyed: () => false,
  };
}
