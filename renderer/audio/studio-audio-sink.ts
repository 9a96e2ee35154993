// Carries the mic capture's frames to the engine through the StudioApi contract
// (`sendAudioFrame`: one s16le 48 kHz mono frame per call, see PCM_AUDIO_FORMAT).
import type { StudioApi } from '../../common/studio-api/api';
import { PCM_AUDIO_FORMAT } from '../../common/studio-api/wire';
import type { PcmFrame, PcmFrameSink } from './pcm-frame';

export function studioAudioSink(api: Pick<StudioApi, 'sendAudioFrame'>): PcmFrameSink {
  return (frame: PcmFrame) => {
    if (frame.format !== 's16' || frame.sampleRate !== PCM_AUDIO_FORMAT.sampleRate) {
      throw new TypeError(`the engine takes ${PCM_AUDIO_FORMAT.sampleFormat} at ${PCM_AUDIO_FORMAT.sampleRate} Hz`);
    }
    // A copy of exactly the frame's bytes: the IPC / WebSocket transport takes ownership.
    const data = frame.data;
    api.sendAudioFrame(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  };
}
