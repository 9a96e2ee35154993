// The StudioApi over Electron: wraps `window.studio` (envelopes) into methods that resolve with the
// value or reject with a LinkMicError carrying the code.
import { LinkMicError } from '../../common/errors';
import { STUDIO_METHODS, type StudioApi, type StudioResult, type StudioWindowApi } from '../../common/studio-api';

export function studioApiFromWindow(windowApi: StudioWindowApi): StudioApi {
  const api: Record<string, unknown> = {
    sendAudioFrame: (frame: ArrayBuffer) => windowApi.sendAudioFrame(frame),
    on: windowApi.on,
  };
  for (const method of STUDIO_METHODS) {
    const call = windowApi[method] as (input?: unknown) => Promise<StudioResult<unknown>>;
    api[method] = async (input?: unknown) => {
      const result = await call(input);
      if (!result.ok) throw LinkMicError.fromPayload(result.error);
      return result.value;
    };
  }
  return api as unknown as StudioApi;
}
