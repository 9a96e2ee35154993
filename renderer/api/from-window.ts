// The StudioApi over Electron: `window.studio` (envelopes) as the transport of the one typed proxy.
import { createStudioClient, type StudioApi, type StudioResult, type StudioWindowApi } from '../../common/studio-api';

export function studioApiFromWindow(windowApi: StudioWindowApi): StudioApi {
  return createStudioClient({
    call: (method, input) => (windowApi[method] as (input?: unknown) => Promise<StudioResult<unknown>>)(input),
    sendAudioFrame: (frame) => windowApi.sendAudioFrame(frame),
    subscribe: (event, listener) => windowApi.on(event, listener),
  });
}
