// The StudioApi as its two audiences see it.
//  - StudioApi: what the console (renderer/api) and StudioCore's callers use: methods resolve with
//    their value or reject with a LinkMicError carrying the code.
//  - StudioWindowApi: the raw `window.studio` the preload exposes: methods resolve with a
//    StudioResult envelope (so codes survive IPC), no logic in the preload.
import type { StudioEvents } from './events';
import type { StudioArgs, StudioOutput } from './methods';
import type { StudioEventName, StudioMethodName } from './names';
import type { StudioResult } from './wire';

export type StudioEventListener<E extends StudioEventName> = (payload: StudioEvents[E]) => void;
/** Calling it stops the subscription (safe to call twice). */
export type Unsubscribe = () => void;

export type StudioMethods = { [K in StudioMethodName]: (...args: StudioArgs<K>) => Promise<StudioOutput<K>> };

export interface StudioApi extends StudioMethods {
  /** One PCM frame of the renderer's echo-cancelled mic (see PCM_AUDIO_FORMAT); fire and forget. */
  sendAudioFrame(frame: ArrayBuffer): void;
  on<E extends StudioEventName>(event: E, listener: StudioEventListener<E>): Unsubscribe;
}

export type StudioWindowMethods = { [K in StudioMethodName]: (...args: StudioArgs<K>) => Promise<StudioResult<StudioOutput<K>>> };

export interface StudioWindowApi extends StudioWindowMethods {
  sendAudioFrame(frame: ArrayBuffer): void;
  on<E extends StudioEventName>(event: E, listener: StudioEventListener<E>): Unsubscribe;
}
