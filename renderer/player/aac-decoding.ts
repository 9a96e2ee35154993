// The AAC decoding steps the page and the media worker share: the decoder configuration, one
// chunk per FLV audio frame, and decoded AudioData copied out into planes.
import type { AacConfig } from '../../common/media/aac-config';

export function aacDecoderConfig(config: AacConfig): AudioDecoderConfig {
  return { codec: config.codec, sampleRate: config.sampleRate, numberOfChannels: config.channels, description: config.description };
}

/** One raw AAC access unit at `dts` (ms) as a WebCodecs chunk (every AAC frame decodes alone). */
export function aacChunk(dts: number, data: Uint8Array): EncodedAudioChunk {
  return new EncodedAudioChunk({ type: 'key', timestamp: Math.round(dts * 1000), data });
}

/** Copies decoded audio out as one f32 plane per channel with its timestamp (ms), and closes it. */
export function takeAudioData(data: AudioData): { ts: number; planes: Float32Array[] } {
  const ts = data.timestamp / 1000;
  const planes: Float32Array[] = [];
  try {
    for (let c = 0; c < data.numberOfChannels; c += 1) {
      const plane = new Float32Array(data.numberOfFrames);
      data.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
      planes.push(plane);
    }
  } finally {
    data.close();
  }
  return { ts, planes };
}
