// Hosts StudioCore over Electron IPC: one `handle` per contract method (channel `studio:<method>`),
// one event channel per contract event, and the one-way PCM frame channel. No Electron import:
// the IPC objects come in through small interfaces, so tests use an in-memory pair that mimics
// ipcMain / ipcRenderer with the same sender checks.
import { LinkMicError, toErrorPayload } from '../../common/errors';
import { AUDIO_FRAME_CHANNEL, eventChannel, methodChannel, STUDIO_EVENTS, STUDIO_METHODS, type StudioResult } from '../../common/studio-api';
import type { Disposable } from '../../common/typed-emitter';
import type { StudioCore } from '../core/studio-core';

/** What main knows of the frame an IPC message came from. */
export interface IpcSenderEvent {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, handler: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): unknown;
}

/** Where events go: the window's webContents. */
export interface IpcEventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface IpcHostOptions {
  readonly ipcMain: IpcMainLike;
  readonly core: StudioCore;
  readonly target: IpcEventTarget;
  /** True only for our window's main frame showing our page. */
  readonly isTrustedSender: (event: IpcSenderEvent) => boolean;
  readonly onRefused?: (channel: string, event: IpcSenderEvent) => void;
}

/** Builds the sender check: this webContents, its main frame, a URL our app serves. */
export function createSenderCheck(options: {
  readonly webContentsId: () => number | null;
  readonly mainFrame: () => unknown;
  readonly isTrustedUrl: (url: string) => boolean;
}): (event: IpcSenderEvent) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame) return false;
    if (event.sender.id !== options.webContentsId()) return false;
    if (frame !== options.mainFrame()) return false;
    return options.isTrustedUrl(frame.url);
  };
}

const REFUSED: StudioResult<never> = {
  ok: false,
  error: new LinkMicError('NOT_ALLOWED', 'IPC from an untrusted frame').toPayload(),
};

/** Registers every channel; dispose() removes them all. */
export function hostStudioOverIpc(options: IpcHostOptions): Disposable {
  const { ipcMain, core, target, isTrustedSender } = options;
  for (const method of STUDIO_METHODS) {
    const channel = methodChannel(method);
    ipcMain.handle(channel, async (event, input) => {
      if (!isTrustedSender(event)) {
        options.onRefused?.(channel, event);
        return REFUSED;
      }
      return core.invoke(method, input);
    });
  }
  const onAudio = (event: IpcSenderEvent, frame: unknown): void => {
    if (!isTrustedSender(event)) {
      options.onRefused?.(AUDIO_FRAME_CHANNEL, event);
      return;
    }
    const bytes = toBytes(frame);
    if (bytes) core.pushAudioFrame(bytes);
    else core.events.emit('error', { ...toErrorPayload(new LinkMicError('INVALID_ARGUMENT', 'an audio frame must be an ArrayBuffer', { field: 'frame' })), context: 'audio' });
  };
  ipcMain.on(AUDIO_FRAME_CHANNEL, onAudio);
  const subscriptions = STUDIO_EVENTS.map((name) =>
    core.events.on(name, (payload) => {
      if (!target.isDestroyed()) target.send(eventChannel(name), payload);
    }),
  );
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const method of STUDIO_METHODS) ipcMain.removeHandler(methodChannel(method));
      ipcMain.removeListener(AUDIO_FRAME_CHANNEL, onAudio);
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}

function toBytes(frame: unknown): Uint8Array | null {
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  return null;
}
