// Electron IPC channel names (common prefix `studio:`), derived from the name lists. No
// dependencies: the preload imports only this and names.ts.
import { STUDIO_EVENTS, STUDIO_METHODS, type StudioEventName, type StudioMethodName } from './names';

export const STUDIO_CHANNEL_PREFIX = 'studio:';
export type StudioMethodChannel = `studio:${StudioMethodName}`;
export type StudioEventChannel = `studio:event:${StudioEventName}`;
/** One-way renderer → main: a PCM frame as an ArrayBuffer. */
export const AUDIO_FRAME_CHANNEL = 'studio:audio-frame';

export function methodChannel<K extends StudioMethodName>(method: K): `studio:${K}` {
  return `${STUDIO_CHANNEL_PREFIX}${method}` as `studio:${K}`;
}

export function eventChannel<E extends StudioEventName>(event: E): `studio:event:${E}` {
  return `${STUDIO_CHANNEL_PREFIX}event:${event}` as `studio:event:${E}`;
}

/** Every channel the preload may use; main handles exactly the method ones. */
export const STUDIO_CHANNELS: readonly string[] = Object.freeze([...STUDIO_METHODS.map(methodChannel), ...STUDIO_EVENTS.map(eventChannel), AUDIO_FRAME_CHANNEL]);

/** The keys of `window.studio`: the methods, `sendAudioFrame` and `on`, nothing else. */
export const STUDIO_WINDOW_KEYS: readonly string[] = Object.freeze([...STUDIO_METHODS, 'sendAudioFrame', 'on']);
