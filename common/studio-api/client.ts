// The one typed proxy from a transport to the StudioApi: one function per contract method, each
// resolving with the method's value or rejecting with a LinkMicError carrying the stable code.
// Every way of reaching the studio core builds its client here: Electron IPC (`window.studio`,
// renderer/api/from-window.ts), the web host's WebSocket bridge (renderer/api/web-bridge-client.ts)
// and in process (StudioCore.api()). A transport only moves envelopes, audio frames and events.
import { LinkMicError } from '../errors';
import type { StudioApi, StudioEventListener, Unsubscribe } from './api';
import type { StudioEventName } from './names';
import { STUDIO_METHODS, type StudioMethodName } from './names';
import type { StudioResult } from './wire';

export interface StudioTransport {
  /** Runs one method; resolves with its envelope (a transport failure may reject with a LinkMicError). */
  call(method: StudioMethodName, input: unknown): Promise<StudioResult<unknown>>;
  sendAudioFrame(frame: ArrayBuffer): void;
  subscribe<E extends StudioEventName>(event: E, listener: StudioEventListener<E>): Unsubscribe;
}

export function createStudioClient<Extra extends object = object>(transport: StudioTransport, extra?: Extra): StudioApi & Extra {
  const client: Record<string, unknown> = {
    ...extra,
    sendAudioFrame: (frame: ArrayBuffer) => transport.sendAudioFrame(frame),
    on: <E extends StudioEventName>(event: E, listener: StudioEventListener<E>) => transport.subscribe(event, listener),
  };
  for (const method of STUDIO_METHODS) {
    client[method] = async (input?: unknown) => {
      const result = await transport.call(method, input);
      if (!result.ok) throw LinkMicError.fromPayload(result.error);
      return result.value;
    };
  }
  return client as unknown as StudioApi & Extra;
}
