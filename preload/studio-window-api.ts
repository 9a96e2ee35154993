// Builds `window.studio` from the contract's lists: one function per method (invoke on
// `studio:<method>`), `sendAudioFrame` (send on `studio:audio-frame`) and `on(event)` for the
// contract's events only. No logic: envelopes pass through as main returns them.
// Only the dependency-free name and channel lists: the sandboxed preload bundle stays tiny.
import { AUDIO_FRAME_CHANNEL, eventChannel, methodChannel } from '../common/studio-api/channels';
import { isStudioEventName, STUDIO_METHODS, type StudioEventName } from '../common/studio-api/names';
import type { StudioWindowApi } from '../common/studio-api/api';
import type { StudioEvents } from '../common/studio-api/events';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createStudioWindowApi(ipc: IpcRendererLike): StudioWindowApi {
  const api: Record<string, unknown> = {};
  for (const method of STUDIO_METHODS) {
    const channel = methodChannel(method);
    api[method] = (input?: unknown) => ipc.invoke(channel, input);
  }
  api.sendAudioFrame = (frame: ArrayBuffer) => ipc.send(AUDIO_FRAME_CHANNEL, frame);
  api.on = <E extends StudioEventName>(event: E, listener: (payload: StudioEvents[E]) => void) => {
    if (!isStudioEventName(event)) throw new TypeError(`unknown studio event ${String(event)}`);
    // Never hand the renderer the IpcRendererEvent (it carries `sender`).
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as StudioEvents[E]);
    const channel = eventChannel(event);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  return Object.freeze(api) as unknown as StudioWindowApi;
}
